"""Configuration classes. Everything that differs between machines comes from the environment."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from . import redis_conn

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("GIGSMITH_INSTANCE_PATH", PROJECT_ROOT / "instance"))


class ConfigurationError(RuntimeError):
    """The environment cannot run this kind of app; the message is one line that says what to set."""


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


def _whole_number(name: str, default: int) -> int:
    """A whole-number setting; one that is not a number is reported by production_problems, not a traceback."""
    text = os.environ.get(name, "").strip()
    return int(text) if text.isdigit() else default


def _database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_PATH / 'gigsmith.sqlite3'}"


class Config:
    ENVIRONMENT = "base"
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
    # Where uploads are kept (webapp/adapters/storage.py): "local", the folder UPLOAD_DIR on this host, or "s3", one
    # bucket every web host and worker shares. boto3 finds the bucket's credentials itself (AWS_ACCESS_KEY_ID…).
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "").strip().lower() or "local"
    S3_BUCKET = os.environ.get("S3_BUCKET", "").strip()
    S3_REGION = os.environ.get("S3_REGION", "").strip()  # empty: boto3's AWS_REGION / AWS_DEFAULT_REGION
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "").strip()  # empty: AWS itself; else MinIO, R2, Spaces…
    S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE", "").strip().lower() or "auto"
    MAX_CONTENT_LENGTH = 27 * 1024 * 1024  # five 5 MB attachments plus the text around them
    MAX_IMAGE_BYTES = 5 * 1024 * 1024
    # Pictures and avatars are refused above this many pixels, read from the file's header before decoding it.
    MAX_IMAGE_PIXELS = 40_000_000
    # A kwork goes to moderation only with a cover picture (services/kworks.problems).
    KWORK_COVER_REQUIRED = True
    WTF_CSRF_TIME_LIMIT = None  # a long-open editor must not lose its work to an expired token
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # "Keep me logged in": as long as the server-side session it names (services.sessions.LIFETIME), not a year.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    # Sign-ups per client address (every attempt) and per e-mail domain (accounts made).
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "10 per hour;50 per day")
    REGISTER_DOMAIN_RATE_LIMIT = os.environ.get("REGISTER_DOMAIN_RATE_LIMIT", "50 per hour")
    # "Forgotten your password?" per client address, and per address asked about (no one floods a mailbox).
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per minute;20 per hour")
    PASSWORD_RESET_EMAIL_RATE_LIMIT = os.environ.get("PASSWORD_RESET_EMAIL_RATE_LIMIT", "3 per hour")
    # "Send the link again" for the address confirmation, per user.
    EMAIL_LINK_RATE_LIMIT = os.environ.get("EMAIL_LINK_RATE_LIMIT", "3 per hour")
    RATELIMIT_HEADERS_ENABLED = True
    CURRENCY = os.environ.get("GIGSMITH_CURRENCY", "RUB")
    CATALOG_PAGE_SIZE = 12
    COMMISSION_PERCENT = int(os.environ.get("GIGSMITH_COMMISSION_PERCENT", "20"))
    MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
    # Days a buyer has to send the requirements before the order is cancelled and refunded (no rating impact).
    REQUIREMENTS_DEADLINE_DAYS = int(os.environ.get("GIGSMITH_REQUIREMENTS_DAYS", "3"))
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
    # Card payments for top-ups through Stripe Checkout (webapp/adapters/payments.py); without a key the demo's
    # sandbox provider answers instead (never in production).
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    # How old a signed webhook may be (seconds) before it is refused as a replay; Stripe's own default.
    STRIPE_WEBHOOK_TOLERANCE = _whole_number("STRIPE_WEBHOOK_TOLERANCE", 300)
    # How many reverse proxies (load balancer, nginx) stand in front of the app and append X-Forwarded-For:
    # the client address rate limits key on is the one the outermost trusted proxy saw. 0: none, use the peer.
    TRUSTED_PROXIES = _whole_number("TRUSTED_PROXIES", 0)

    def __init__(self):
        # Read at instantiation, not import, so tests and CLI commands can set the environment first.
        self.SECRET_KEY = _secret_key()
        self.SQLALCHEMY_DATABASE_URI = _database_url()


class DevelopmentConfig(Config):
    ENVIRONMENT = "development"
    DEMO_MODE = True


# What production refuses to start without (README, "Production"): no sandbox may stand in for money, calls or
# mail there, because a sandbox answers "paid" or "delivered" without anything having happened.
PRODUCTION_REQUIRES = (
    "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL",
    "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET",
    "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER",
    "SMTP_HOST", "MAIL_FROM",
)  # fmt: skip


def production_problems(environ=None) -> list[str]:
    """Everything wrong with `environ` (the process environment by default) for production, each as a short
    phrase; empty when it can start."""
    environ = os.environ if environ is None else environ
    value = lambda name: environ.get(name, "").strip()  # noqa: E731
    problems = []
    if missing := [name for name in PRODUCTION_REQUIRES if not value(name)]:
        problems.append("set " + ", ".join(missing))
    if value("PUBLIC_BASE_URL") and not value("PUBLIC_BASE_URL").startswith("https://"):
        problems.append("PUBLIC_BASE_URL must start with https://")
    if value("STRIPE_SECRET_KEY") and not value("STRIPE_SECRET_KEY").startswith(("sk_", "rk_")):
        problems.append("STRIPE_SECRET_KEY must be a Stripe secret key (sk_…) or restricted key (rk_…)")
    if value("STRIPE_WEBHOOK_SECRET") and not value("STRIPE_WEBHOOK_SECRET").startswith("whsec_"):
        problems.append("STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_…)")
    problems += _storage_problems(value)
    for name in ("TRUSTED_PROXIES", "STRIPE_WEBHOOK_TOLERANCE"):
        if value(name) and not value(name).isdigit():
            problems.append(f"{name} must be a whole number")
    return problems


def _storage_problems(value) -> list[str]:
    """Uploads on one host's disk are missing on every other host, so production names its storage on purpose: a
    bucket (several hosts), or `local`, which says there is one web host (and its worker) only."""
    backend = value("STORAGE_BACKEND").lower()
    if not backend:
        return ["set STORAGE_BACKEND=s3 and S3_BUCKET (uploads every web host shares), or STORAGE_BACKEND=local for a single web host"]
    if backend not in ("s3", "local"):
        return ["STORAGE_BACKEND must be s3 or local"]
    problems = []
    if backend == "s3" and not value("S3_BUCKET"):
        problems.append("set S3_BUCKET for STORAGE_BACKEND=s3")
    if value("S3_ENDPOINT_URL") and not value("S3_ENDPOINT_URL").startswith(("https://", "http://")):
        problems.append("S3_ENDPOINT_URL must be an http:// or https:// address")
    if value("S3_ADDRESSING_STYLE") and value("S3_ADDRESSING_STYLE").lower() not in ("auto", "path", "virtual"):
        problems.append("S3_ADDRESSING_STYLE must be auto, path or virtual")
    return problems


class ProductionConfig(Config):
    ENVIRONMENT = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def __init__(self):
        if problems := production_problems():
            raise ConfigurationError(f"GIGSMITH_ENV=production cannot start: {'; '.join(problems)} (see README, Production).")
        super().__init__()


class TestConfig(Config):
    ENVIRONMENT = "test"
    TESTING = True
    # Race tests hold one connection per contender (tests/races.py), twenty at once.
    SQLALCHEMY_ENGINE_OPTIONS = {**Config.SQLALCHEMY_ENGINE_OPTIONS, "pool_size": 25}
    WTF_CSRF_ENABLED = False
    SERVER_NAME = None
    # Most tests submit kworks made from drafts alone; tests/services/test_pictures.py turns the rule on.
    KWORK_COVER_REQUIRED = False


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "test": TestConfig}


def load(name: str | None = None) -> Config:
    name = name or os.environ.get("GIGSMITH_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise ConfigurationError(f"GIGSMITH_ENV must be one of {', '.join(sorted(CONFIGS))}, not {name!r}") from None
