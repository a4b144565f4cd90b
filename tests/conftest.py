"""Shared fixtures: the app on a migrated database, a client, factories, and a page checker.

The schema comes from the Alembic migrations (as in production). Tests commit for real (services own their
transactions, browser tests use a second thread), so isolation is by emptying the tables after each test.
"""
import os
import shutil
import signal
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

# Before webapp is imported: its config reads these at import time.
_INSTANCE = Path(tempfile.mkdtemp(prefix="gigsmith-test-"))
os.environ["GIGSMITH_INSTANCE_PATH"] = str(_INSTANCE)
os.environ.setdefault("SECRET_KEY", "test-secret-key")

import pytest  # noqa: E402
import redis  # noqa: E402
import time_machine  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from webapp import assets, create_app, embedded_redis, i18n  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.domain.tiers import TIER_LEVELS, KworkDraft, OptionDraft, TierDraft  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Category, User  # noqa: E402
from webapp.services import accounts, kworks  # noqa: E402

from .pages import check_page  # noqa: E402,F401  (re-exported for tests)

# Every test starts on this instant, whatever today's date is (see `controlled_clock`).
CLOCK_START = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)
# Reference rows the migrations insert; every other table is emptied between tests.
KEEP_TABLES = {"categories", "alembic_version"}
PASSWORD = "correct horse battery"


def _interrupt_once(signum, frame):
    # One SIGTERM often comes twice (timeout(1) forwards the one its process group already got): the second must
    # not cut the teardown short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def pytest_addoption(parser):
    parser.addoption(
        "--clock-days-ahead", type=int, default=0, metavar="DAYS",
        help="run the whole session with this process's wall clock DAYS ahead of today (CI uses 1100): no test may "
             "depend on today's date. Only the wall clock moves (time_machine), so timed waits keep working.",
    )  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def _wall_clock_ahead(request):
    """With --clock-days-ahead, everything outside a test's own controlled clock (set-up, session fixtures, hooks)
    reads a date years from now, as the suite will when it runs then."""
    days = request.config.getoption("--clock-days-ahead")
    if not days:
        yield
        return
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(days=days), tick=True):
        yield


def pytest_configure(config):
    # SIGTERM (a CI timeout, a service manager) ends the run as Ctrl-C does, so the teardown below still runs.
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt_once)


def pytest_unconfigure(config):
    """Whatever ended the session (passing, failing, Ctrl-C, SIGTERM): stop the embedded Redis this session started
    and remove its temporary instance folder (database, uploads, the Redis socket and dump)."""
    embedded_redis.stop_owned()
    shutil.rmtree(_INSTANCE, ignore_errors=True)
    # Python waits for threads before it exits: a pending threading.Timer (the rate limiter's in-memory fallback
    # starts one) would keep the run waiting for it.
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


def real_clock(environment: dict) -> dict:
    """`environment` for a child process that must run on the machine's clock even if the suite was started under
    faketime: there a timed wait on a thread, or a redis-server's event loop, never ends."""
    return {name: value for name, value in environment.items() if name not in ("LD_PRELOAD", "FAKETIME", "FAKETIME_SHARED")}


@pytest.fixture(scope="session")
def redis_url():
    """Real Redis: REDIS_URL when given (CI points it at the machine's server), else the embedded one."""
    return os.environ.get("REDIS_URL") or embedded_redis.url(_INSTANCE)


@pytest.fixture(scope="session")
def app(redis_url):
    assets.install()  # htmx from its pinned npm package into static/vendor/ (a no-op when already there)
    i18n.compile_catalogs()  # the committed .po files into .mo files (only those that changed)
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{_INSTANCE / 'test.sqlite3'}"
    config.REDIS_URL = redis_url
    application = create_app(config)
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(autouse=True)
def controlled_clock():
    """Every clock of this process reads CLOCK_START when the test begins, then runs on.

    Tests write fixed dates (orders placed at 10:00 on CLOCK_START's day, deadlines days later), so everything that
    compares them with "now" must read the same calendar: the services' `clock.now()`, the session cookie's
    signature (refused when signed in the future), Flask-Login, RQ's scheduler and the in-process worker. A test
    that passed on the day it was written passes on any later day; `.ci/run` proves it by running the suite again
    with the machine's clock years ahead. Tests that need other instants travel from here (time_machine nests).
    """
    with time_machine.travel(CLOCK_START, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _clean_state(request, redis_url):
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as connection:
            for table in tables:
                connection.execute(table.delete())
    # Rate-limit counters live in Redis; each test starts with none.
    redis.Redis.from_url(redis_url).flushdb()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def statements(app):
    """Statements the database receives while the test runs."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(ctx):
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, *, email: str | None = None, admin: bool = False, role: str = "buyer",
             verified: bool = True) -> User:  # fmt: skip
        number = next(counter)
        # Confirmed addresses unless asked otherwise: selling and payouts wait for one (services/email_verification.py).
        verified_at = datetime.now(timezone.utc) if verified else None
        user = accounts.register(email or f"user{number}@example.com", name or f"User {number}", PASSWORD, verified_at=verified_at)
        user.is_admin = admin
        user.active_role = role
        db.session.commit()
        return user

    return make


def category_id(slug: str = "programming") -> int:
    return db.session.query(Category.id).filter_by(slug=slug).scalar()


def full_draft(title: str = "I will set up a VPS server", *, packaged: bool = True, options=None, extras=()) -> KworkDraft:
    """A draft with every required field filled and valid."""
    tiers = {
        "economy": TierDraft("economy", 1000, 1, 1, "Basic"),
        "standard": TierDraft("standard", 2000, 2, 2, "Better"),
        "business": TierDraft("business", 4000, 3, 3, "Best"),
    }
    if not packaged:
        tiers = {level: (tiers[level] if level == "economy" else TierDraft(level)) for level in TIER_LEVELS}
    return KworkDraft(
        title=title,
        category_id=category_id(),
        description="Server setup from scratch, with a report.",
        buyer_instructions="Hosting access and the domain name.",
        is_packaged=packaged,
        tiers=tiers,
        options=options if options is not None else [OptionDraft("Server setup", frozenset({"economy", "standard", "business"}))],
        extras=list(extras),
    )


@pytest.fixture
def make_kwork(ctx):
    def make(seller: User, *, status: str = "active", title: str = "I will set up a VPS server", **draft_options):
        kwork = kworks.save_kwork(seller, full_draft(title, **draft_options), submit=status != "draft")
        if status in ("active", "paused"):
            # Setup shortcut: approval without a moderator (kworks.approve needs one for the audit log).
            kwork.status, kwork.approved_snapshot = "active", kworks.snapshot(kwork)
            db.session.commit()
        if status == "paused":
            kworks.set_paused(seller, kwork, True)
        return kwork

    return make


def signed_in_id(user: User, *, remember: bool = False, user_agent: str = "pytest") -> str:
    """Start a server-side session for `user` (as a login does) and return Flask-Login's id for it."""
    from webapp.services import sessions

    _row, token = sessions.start(user, remember=remember, user_agent=user_agent, address="127.0.0.1", now=datetime.now(timezone.utc))
    return f"{user.id}:{token}"


@pytest.fixture
def login_as(client):
    def login(user: User):
        alternative_id = signed_in_id(user)
        with client.session_transaction() as session:
            session["_user_id"] = alternative_id
            session["_fresh"] = True
        # Requests reuse the test's app context (the `ctx` fixture), and Flask-Login caches the user on `g`.
        from flask import g

        g.pop("_login_user", None)
        return client

    return login


@pytest.fixture
def fund(ctx):
    """Top up a user's wallet through the sandbox provider, as the wallet page does."""
    from webapp.services import wallet

    def top_up(user: User, units: int):
        return wallet.confirm_topup(wallet.start_topup(user, units))

    return top_up


@pytest.fixture
def make_order(ctx, make_user, make_kwork, fund):
    """An order driven through the real services into the requested state."""
    import secrets

    from webapp.services import orders

    def make(state: str = "new", *, buyer: User | None = None, seller: User | None = None, kwork=None,
             level: str = "standard", now: datetime | None = None):  # fmt: skip
        now = now or datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
        seller = seller or (kwork.seller if kwork else make_user("Seller", role="seller"))
        kwork = kwork or make_kwork(seller)
        buyer = buyer or make_user("Buyer")
        fund(buyer, kwork.tier(level).price)
        order = orders.place_order(
            buyer, kwork, level, quantity=1, checkout_token=secrets.token_hex(8), now=now,
            requirements=None if state == "awaiting_requirements" else "Domain example.com, root access",
        )  # fmt: skip
        steps = {
            "in_work": [lambda: orders.start_work(seller, order, now)],
            "delivered": [lambda: orders.start_work(seller, order, now), lambda: orders.deliver(seller, order, "Done", [], now)],
            "revision": [
                lambda: orders.start_work(seller, order, now),
                lambda: orders.deliver(seller, order, "Done", [], now),
                lambda: orders.request_revision(buyer, order, "Fix the colours", now),
            ],
            "completed": [
                lambda: orders.start_work(seller, order, now),
                lambda: orders.deliver(seller, order, "Done", [], now),
                lambda: orders.accept(buyer, order, now),
            ],
            "cancelled": [lambda: cancel_by_agreement(order, now)],
        }
        for step in steps.get(state, []):
            step()
        assert order.state == state
        return order

    return make


def assert_ledger_consistent():
    """Invariants 1–3: postings balance, cached balances equal their entries, no wallet or escrow below zero."""
    from webapp.models import LedgerAccount, Posting
    from webapp.services import ledger

    sums = ledger.entry_sums()
    accounts = db.session.query(LedgerAccount).all()
    assert sum(a.balance for a in accounts) == 0
    for account in accounts:
        db.session.refresh(account)
        assert account.balance == sums.get(account.id, 0), account.code
        assert account.allow_negative or account.balance >= 0, account.code
    for posting in db.session.query(Posting).all():
        assert sum(e.amount for e in posting.entries) == 0, posting.idempotency_key


def cancel_by_agreement(order, now):
    """Cancel an open order the ordinary way: the buyer asks (mutual agreement), the seller agrees."""
    from webapp.services import cancellations

    request = cancellations.request(order.buyer, order, "mutual", "We agreed to stop the order here, thank you.", now)
    return cancellations.answer(order.seller, request, accept=True, reason_correct=True, now=now)
