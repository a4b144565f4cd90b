"""flask CLI commands: demo, seed, assets, sweep, levels, card-columns, create-admin."""
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select
from werkzeug.serving import run_simple

from . import assets, embedded_redis, i18n, seed
from .config import PROJECT_ROOT
from .extensions import db
from .models import User
from .queue import QUEUE_NAMES

SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_TIMEOUT = 10  # seconds the worker gets to finish the job in hand before it is killed
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


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

    @app.cli.command("levels")
    def levels_command():
        """Recompute every seller's level now (`rq cron` runs this once a day) and notify those whose level changed."""
        from .clock import now
        from .services import levels

        changes = levels.recompute_all(now())
        click.echo(f"{len(changes)} seller level{'s' if len(changes) != 1 else ''} changed.")
        for change in changes:
            click.echo(f"  user {change.user_id}: {change.old} -> {change.new}")

    @app.cli.command("card-columns")
    @click.option("--fix", is_flag=True, help="Rewrite the kworks whose stored values are wrong.")
    def card_columns_command(fix):
        """Compare each kwork's stored card columns (price_from, delivery_days_from, review_count, seller_rank,
        seller_completion) with their sources, tiers, published reviews and the seller; exits 1 when some differ
        and --fix was not given."""
        from .services import card_columns

        wrong = card_columns.mismatches()
        for kwork_id, stored, fresh in wrong[:20]:
            click.echo(f"  kwork {kwork_id}: stored {stored}, recomputed {fresh}")
        if fix:
            changed = card_columns.recompute_card_columns()
            db.session.commit()
            click.echo(f"Rewrote {changed} kwork{'s' if changed != 1 else ''}.")
        else:
            click.echo(f"{len(wrong)} kwork{'s' if len(wrong) != 1 else ''} with wrong card columns.")
            if wrong:
                sys.exit(1)

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Administrator", help="Display name for a new account.")
    @click.password_option(help="Password for a new account (ignored when the account exists).")
    def create_admin(email, name, password):
        """Make EMAIL an admin, creating the account when it does not exist."""
        from .domain.errors import DomainError
        from .services import accounts

        user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
        if user is None:
            try:
                user = accounts.register(email, name, password)
            except DomainError as refused:  # a weak password, a bad address: one line, not a traceback
                db.session.rollback()
                raise click.ClickException(str(refused)) from None
        user.is_admin = True
        db.session.commit()
        click.echo(f"{user.email} is an admin.")

    @app.cli.command("demo")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True)
    def demo(host, port):
        """Install assets, migrate, seed, then serve the site with an RQ worker (with scheduler) and the timer sweep."""
        _refuse_production("demo")
        _stop_on_signals()
        processes = []
        try:
            _install_assets()
            from flask_migrate import upgrade  # here: Alembic is heavy, and only the demo migrates

            upgrade()
            created = seed.run()
            click.echo(f"Seeded {created['users']} users, {created['kworks']} kworks and {created['orders']} orders.")
            processes = _start_background(current_app.config["REDIS_URL"])
            click.echo(
                f"\nGigsmith demo: http://{host}:{port}/\n"
                f"Log in as anna@example.com (seller), carla@example.com (buyer) or admin@example.com, "
                f"password “{seed.DEMO_PASSWORD}”.\n"
            )
            # run_simple, not app.run(): Flask ignores app.run() inside a CLI command. It returns on KeyboardInterrupt.
            run_simple(host, port, current_app._get_current_object(), threaded=True)
        finally:
            for sig in SHUTDOWN_SIGNALS:  # a second Ctrl-C must not cut the shutdown short and orphan a child
                signal.signal(sig, signal.SIG_IGN)
            click.echo("Stopping the worker, the timer sweep and the embedded Redis…")
            _stop_background(processes)
            embedded_redis.stop_owned()


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


def _stop_on_signals() -> None:
    """SIGTERM (a service manager, a container, `timeout`) and SIGHUP (the terminal closed) stop the demo as Ctrl-C
    does: run_simple returns and the demo stops what it started. An inherited "ignore SIGHUP" (nohup) is kept."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if signal.getsignal(signal.SIGHUP) == signal.SIG_DFL:
        signal.signal(signal.SIGHUP, signal.default_int_handler)


def _start_background(redis_url: str) -> list[subprocess.Popen]:
    """An `rq worker --with-scheduler` and the `rq cron` sweep on the same Redis, as children of the demo.

    Each runs in a process group of its own: the demo alone decides when they stop (a terminal's Ctrl-C reaches only
    the demo), and a child that will not stop is killed with everything it forked (job horses, the scheduler).
    """
    rq = Path(sys.executable).with_name("rq")
    command = str(rq) if rq.exists() else shutil.which("rq") or "rq"
    client = ["--url", redis_url, "--connection-class", "webapp.redis_conn.WorkerRedis"]
    worker = [command, "worker", *QUEUE_NAMES, "--with-scheduler", "-w", "jobs.worker.AppWorker", *client,
              "--name", f"gigsmith-demo-worker-{os.getpid()}"]  # fmt: skip
    sweep = [command, "cron", "jobs/cron.py", *client]
    # The embedded Redis's address, so the workers' app uses this one rather than looking for its own.
    env = os.environ | {"REDIS_URL": redis_url}
    return [subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, start_new_session=True, preexec_fn=_die_with_parent)
            for args in (worker, sweep)]  # fmt: skip


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, get SIGTERM when the demo dies without stopping us (kill -9)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop_background(processes: list[subprocess.Popen], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM each child (RQ's warm shutdown: the job in hand finishes), wait, then SIGKILL its whole group."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            click.echo(f"{' '.join(process.args[:2])} did not stop within {timeout:g} s: killing it.", err=True)
        _kill_group(process)


def _kill_group(process: subprocess.Popen) -> None:
    """Kill what is left of the child's process group (a horse or scheduler it did not stop), then reap the child."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is empty: everything in it exited
    process.wait()
