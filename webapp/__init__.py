"""Gigsmith: a freelance-services marketplace. `create_app` builds the Flask application."""
from flask import Flask, redirect, url_for

from . import bounds, redis_conn
from .config import PROJECT_ROOT, Config, load
from .extensions import csrf, db, limiter, login_manager


def create_app(config: Config | None = None, *, migrations: bool = True) -> Flask:
    """Configure extensions, blueprints, error pages and CLI commands. No database writes happen here.

    `migrations=False` (the RQ worker and cron, jobs.preload_app) leaves out Flask-Migrate: it imports Alembic,
    about 12 MB of a process that never migrates."""
    config = config or load()
    app = Flask(
        __name__,
        instance_path=str(config.INSTANCE_PATH),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    bounds.install(app)  # ids in paths and numbers in queries stop at what an `integer` column holds
    app.config.from_object(config)
    app.config["REDIS_URL"] = redis_conn.resolve_url(app.config["REDIS_URL"], config.INSTANCE_PATH)
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_conn.limiter_storage_uri(app.config["REDIS_URL"]))
    # The login limit's counters, on the same short timeouts and breaker as every other Redis client; while Redis
    # is refused or hangs they are counted in this process's memory instead (checked again with backoff).
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", redis_conn.connection_options(app.config["REDIS_URL"], app.config))
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)

    db.init_app(app)
    from . import prepared_statements

    prepared_statements.register(app, db)  # after init_app: its teardown must run before the session is removed
    from . import lazy_description, pool_ping

    with app.app_context():
        for engine in db.engines.values():
            pool_ping.install(engine)
            lazy_description.install(engine)
    if migrations:
        from flask_migrate import Migrate

        # Batch mode lets Alembic alter tables on SQLite, which can't ALTER most things in place.
        Migrate(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    from .i18n import babel, install_template_gettext, select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)

    from . import models  # noqa: F401  (registers the tables with the metadata)
    from .account import bp as account_bp
    from .auth import bp as auth_bp
    from .catalog import bp as catalog_bp
    from .i18n import bp as language_bp
    from .inbox import bp as inbox_bp
    from .kworks import bp as kworks_bp
    from .moderation import bp as moderation_bp
    from .notifications import bp as notifications_bp
    from .orders import bp as orders_bp
    from .pages import bp as pages_bp
    from .sandbox import bp as sandbox_bp
    from .wallet import bp as wallet_bp
    from .webhooks import bp as webhooks_bp

    from . import sandboxes

    blueprints = (catalog_bp, auth_bp, account_bp, kworks_bp, moderation_bp, notifications_bp, orders_bp, inbox_bp, wallet_bp, webhooks_bp, language_bp, pages_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    if sandboxes.allowed(app):  # the sandbox phone and mailbox do not exist in production at all
        app.register_blueprint(sandbox_bp)
    app.add_url_rule("/", "home", lambda: redirect(url_for("catalog.index")))

    from . import assets, cli, compression, errors, headers, templating

    compression.register(app)
    headers.register(app)
    assets.register(app)
    errors.register(app)
    templating.register(app)
    cli.register(app)
    return app
