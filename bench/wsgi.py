"""The app as the benchmark serves it with gunicorn, plus two references measured in the same run:

- `/healthz`: a Flask endpoint with no database and no template (the ceiling on this machine);
- `/flaskr/`: the Flask tutorial's index page (flaskr: 20 posts with their authors read with sqlite3 and rendered
  through its two templates), the cost of a small page built the plain way.

They live here rather than in the app: production has no use for them, and every real endpoint must be guarded.
"""
import os
import sqlite3
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from flask import Blueprint, g, render_template

from webapp import create_app

FLASKR_DB = Path(tempfile.gettempdir()) / "gigsmith-bench-flaskr.sqlite3"
flaskr = Blueprint("flaskr", __name__, template_folder="templates", url_prefix="/flaskr")


def _flaskr_database() -> None:
    """flaskr's schema (schema.sql) with one author and 20 posts, written once per machine (each worker may try:
    it writes its own file and moves it into place)."""
    own = FLASKR_DB.with_name(f"{FLASKR_DB.name}.{os.getpid()}")
    connection = sqlite3.connect(own)
    connection.executescript(
        "DROP TABLE IF EXISTS user; DROP TABLE IF EXISTS post;"
        "CREATE TABLE user (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL, password TEXT NOT NULL);"
        "CREATE TABLE post (id INTEGER PRIMARY KEY AUTOINCREMENT, author_id INTEGER NOT NULL,"
        " created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, title TEXT NOT NULL, body TEXT NOT NULL,"
        " FOREIGN KEY (author_id) REFERENCES user (id));"
    )
    connection.execute("INSERT INTO user (username, password) VALUES ('test', 'pbkdf2:sha256:50000$x$y')")
    start = datetime(2026, 1, 1)
    connection.executemany(
        "INSERT INTO post (author_id, created, title, body) VALUES (1, ?, ?, ?)",
        [(start + timedelta(days=n), f"Post number {n}", "A short body of text for the post. " * 4) for n in range(20)],
    )
    connection.commit()
    connection.close()
    os.replace(own, FLASKR_DB)


@flaskr.get("/")
def index():
    """flaskr/blog.py's index, as the tutorial writes it (a connection per request, sqlite3.Row, the join)."""
    database = sqlite3.connect(FLASKR_DB, detect_types=sqlite3.PARSE_DECLTYPES)
    database.row_factory = sqlite3.Row
    g.user = None
    posts = database.execute(
        "SELECT p.id, title, body, created, author_id, username FROM post p JOIN user u ON p.author_id = u.id ORDER BY created DESC"
    ).fetchall()
    database.close()
    return render_template("flaskr/index.html", posts=posts)


if not FLASKR_DB.exists():
    _flaskr_database()
app = create_app(migrations=False)  # as wsgi.py under gunicorn: web workers never migrate
app.add_url_rule("/healthz", "healthz", lambda: "ok")
app.register_blueprint(flaskr)
