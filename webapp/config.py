"""Configuration classes. Everything that differs between machines comes from the environment."""
import os
import secrets
from pathlib import Path

from . import redis_conn

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("GIGSMITH_INSTANCE_PATH", PROJECT_ROOT / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into instance/ so sessions survive restarts."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = INSTANCE_PATH / "secret_key"
    if not key_file.exists():
        INSTANCE_PATH.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_PATH / 'gigsmith.sqlite3'}"


class Config:
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # None means "start the embedded Redis under instance/" (see webapp/redis_conn.py).
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Seconds a web request waits for Redis before going on without it (webapp/redis_conn.py), and how long every
    # client then leaves a Redis that failed alone.
    REDIS_CONNECT_TIMEOUT = redis_conn.CONNECT_TIMEOUT  # REDIS_CONNECT_TIMEOUT, default 0.5
    REDIS_TIMEOUT = redis_conn.TIMEOUT  # REDIS_TIMEOUT, default 1.5
    REDIS_RETRY_AFTER = redis_conn.RETRY_AFTER  # REDIS_RETRY_AFTER, default 5
    INSTANCE_PATH = INSTANCE_PATH
    UPLOAD_DIR = INSTANCE_PATH / "uploads"
    MAX_CONTENT_LENGTH = 27 * 1024 * 1024  # five 5 MB attachments plus the text around them
    MAX_IMAGE_BYTES = 5 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a long-open editor must not lose its work to an expired token
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    RATELIMIT_HEADERS_ENABLED = True
    CURRENCY = os.environ.get("GIGSMITH_CURRENCY", "RUB")
    CATALOG_PAGE_SIZE = 12
    # Anonymous visitors' catalog, kwork and seller pages kept in memory between changes (webapp/page_cache.py);
    # GIGSMITH_PAGE_CACHE=0 builds every page (the benchmark measures both).
    PAGE_CACHE = os.environ.get("GIGSMITH_PAGE_CACHE", "1") != "0"
    COMMISSION_PERCENT = int(os.environ.get("GIGSMITH_COMMISSION_PERCENT", "20"))
    MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
    DEMO_MODE = False
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
    TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
    # Where Twilio reaches this site for call status callbacks and the "press 1 to repeat" TwiML.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Notification e-mail: without SMTP_HOST mails go to the sandbox mailbox (see webapp/adapters/mail.py).
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Gigsmith <no-reply@gigsmith.example>")

    def __init__(self):
        # Read at instantiation, not import, so tests and CLI commands can set the environment first.
        self.SECRET_KEY = _secret_key()
        self.SQLALCHEMY_DATABASE_URI = _database_url()


class DevelopmentConfig(Config):
    DEMO_MODE = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def __init__(self):
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Production needs these environment variables: {', '.join(missing)}")
        super().__init__()


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SERVER_NAME = None


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "test": TestConfig}


def load(name: str | None = None) -> Config:
    name = name or os.environ.get("GIGSMITH_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"GIGSMITH_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
