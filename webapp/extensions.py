"""Extension objects, created unbound and attached to the app in create_app (the init_app pattern)."""
import sqlite3

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event

# Named constraints so Alembic can alter them later, on SQLite too (batch mode needs names).
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

db = SQLAlchemy(metadata=metadata)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


# pg_trgm word similarity from which a kwork title counts as the search, mistyped: a typo ("sevrer") shares about
# half its trigrams with the word meant. Set once per connection (below), not per search, so a search costs no
# extra round trip.
TRIGRAM_WORD_SIMILARITY = 0.4


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, _record):
    """SQLite as the embedded default: foreign keys enforced, WAL so readers never block the writer.
    PostgreSQL: the catalog's typo threshold for pg_trgm's `<%` operator."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET pg_trgm.word_similarity_threshold = {TRIGRAM_WORD_SIMILARITY}")
        dbapi_connection.commit()
        return
    if isinstance(dbapi_connection, sqlite3.Connection):
        # SQLAlchemy's "begin" event issues BEGIN itself (below) instead of pysqlite's lazy, implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable across crashes in WAL mode, without an fsync per commit
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    # A unit of work that will write asks for BEGIN IMMEDIATE (see services.begin_write): it then holds SQLite's
    # single write lock from its first read, so two checkouts racing for one balance run one after the other
    # instead of the second failing on a stale snapshot. PostgreSQL gets the same from row locks.
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
