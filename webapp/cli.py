"""flask CLI commands: demo, seed, assets, create-admin."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import run_simple

from . import assets, i18n, seed
from .config import PROJECT_ROOT
from .extensions import db
from .models import User
from .queue import QUEUE_NAMES


def register(app: Flask) -> None:
    @app.cli.command("assets")
    def assets_command():
        """Copy the pinned htmx from its npm package into static/vendor/."""
        _install_assets()

    @app.cli.command("seed")
    def seed_command():
        """Add demo users and kworks (idempotent)."""
        _refuse_production("seed")
        created = seed.run()
        click.echo(f"Seeded {created['users']} users, {created['kworks']} kworks and {created['orders']} orders.")

    @app.cli.command("sweep")
    def sweep_command():
        """Fire overdue timers and hand over outbox jobs whose RQ job was lost (`rq cron` runs this every 20 s)."""
        from .clock import now
        from .services import outbox, timers

        fired, handed = timers.sweep(now()), outbox.sweep(now())
        click.echo(f"Fired {fired} timer{'s' if fired != 1 else ''}; handed {handed} lost job{'s' if handed != 1 else ''} to the queue again.")

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Administrator", help="Display name for a new account.")
    @click.password_option(help="Password for a new account (ignored when the account exists).")
    def create_admin(email, name, password):
        """Make EMAIL an admin, creating the account when it does not exist."""
        from .services import accounts

        user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
        if user is None:
            user = accounts.register(email, name, password)
        user.is_admin = True
        db.session.commit()
        click.echo(f"{user.email} is an admin.")

    @app.cli.command("demo")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True)
    def demo(host, port):
        """Install assets, migrate, seed, then serve the site with an RQ worker (with scheduler) and the timer sweep."""
        _refuse_production("demo")
        _install_assets()
        upgrade()
        created = seed.run()
        click.echo(f"Seeded {created['users']} users, {created['kworks']} kworks and {created['orders']} orders.")
        processes = _start_background(current_app.config["REDIS_URL"])
        click.echo(
            f"\nGigsmith demo: http://{host}:{port}/\n"
            f"Log in as anna@example.com (seller), carla@example.com (buyer) or admin@example.com, "
            f"password “{seed.DEMO_PASSWORD}”.\n"
        )
        try:
            # run_simple, not app.run(): Flask ignores app.run() inside a CLI command.
            run_simple(host, port, current_app._get_current_object(), threaded=True)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=10)


def _refuse_production(command: str) -> None:
    """Demo data has well-known passwords (an admin among them): it never enters a production database."""
    if current_app.config.get("ENVIRONMENT") == "production":
        raise click.ClickException(f"`{command}` creates demo accounts with a published password and is refused with GIGSMITH_ENV=production.")


def _install_assets() -> None:
    try:
        copied = assets.install()
    except assets.AssetsError as error:
        raise click.ClickException(str(error)) from None
    for line in copied:
        click.echo(f"Installed {line}")
    for language in i18n.compile_catalogs():
        click.echo(f"Compiled the {language} message catalog")


def _start_background(redis_url: str) -> list[subprocess.Popen]:
    """An `rq worker --with-scheduler` and the `rq cron` sweep on the same Redis, as children of the demo."""
    rq = Path(sys.executable).with_name("rq")
    command = str(rq) if rq.exists() else shutil.which("rq") or "rq"
    worker = [command, "worker", *QUEUE_NAMES, "--with-scheduler", "-w", "jobs.worker.AppWorker", "--url", redis_url,
              "--name", "gigsmith-demo-worker"]  # fmt: skip
    sweep = [command, "cron", "jobs/cron.py", "--url", redis_url]
    # The embedded Redis's address, so the workers' app uses this one rather than looking for its own.
    env = os.environ | {"REDIS_URL": redis_url}
    return [subprocess.Popen(args, cwd=PROJECT_ROOT, env=env) for args in (worker, sweep)]
