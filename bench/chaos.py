"""`python -m bench chaos`: many clients doing conflicting things at once, while Redis is flushed and the worker killed.

It seeds a small marketplace on PostgreSQL (sellers with kworks, buyers with money, sellers with confirmed payout
details), starts gunicorn (4 sync workers), one `rq worker --with-scheduler` and `rq cron`, and lets N clients act for
M minutes through the real pages: buyers order, top up (Pay and Decline pressed together in two tabs), accept or send
back deliveries (Accept and Request revision pressed together), ask to cancel; sellers start, deliver, answer
cancellation requests (twice at once), withdraw (two withdrawals at once). Some delivered orders have their
auto-completion made due, so a timer fires while the buyer clicks. Partway through, Redis is flushed (every queued
and scheduled job lost); later the worker is killed with SIGKILL and started again after a pause.

Then, once the workers have had a minute to catch up, it prints the requests by status and every invariant with its
count of violations: the goal is no 5xx and no violation.
"""
import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import psycopg
import redis
import requests

from .http import free_port

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATABASE = "gigsmith_chaos"
POSTGRES = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"
PASSWORD = "chaos-password"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHECKOUT_TOKEN = re.compile(r'name="checkout_token"[^>]*value="([^"]+)"')
SANDBOX_PAGE = re.compile(r"/wallet/sandbox/([A-Za-z0-9_-]+)")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.by_action = Counter()
        self.errors = Counter()

    def record(self, action: str, status):
        with self.lock:
            self.statuses[status] += 1
            if isinstance(status, int) and status >= 500:
                self.by_action[action] += 1


class Client:
    """One browser tab: a requests session logged in through the real form, with its CSRF token."""

    def __init__(self, base: str, email: str, stats: Stats):
        self.base, self.stats = base, stats
        self.http = requests.Session()
        self.token = None
        page = self.get("/auth/login", "login page")
        self.token = self._token(page)
        self.post("/auth/login", {"email": email, "password": PASSWORD}, "log in")
        self.token = self._token(self.get("/account/", "dashboard")) or self.token

    def _token(self, text: str | None):
        found = TOKEN.search(text or "")
        return found.group(1) if found else None

    def get(self, path: str, action: str) -> str | None:
        try:
            response = self.http.get(self.base + path, timeout=30)
        except requests.RequestException as error:
            self.stats.record(action, type(error).__name__)
            return None
        self.stats.record(action, response.status_code)
        return response.text

    def post(self, path: str, data: dict, action: str) -> requests.Response | None:
        try:
            response = self.http.post(self.base + path, data={"csrf_token": self.token, **data}, timeout=30, allow_redirects=True)
        except requests.RequestException as error:
            self.stats.record(action, type(error).__name__)
            return None
        for step in [*response.history, response]:
            self.stats.record(action, step.status_code)
        return response


def together(*calls):
    """Run the calls at the same instant in threads (two tabs, a double click)."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        call()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- set-up ----------------------------------------------------------------------------------------------------


def fresh_database() -> None:
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def seed(app, sellers: int, buyers: int) -> dict:
    """Users, kworks and money through the services (what a real site would hold), plus confirmed payout details
    written directly (a code call per seller would only slow the set-up)."""
    from flask_migrate import upgrade

    from webapp.extensions import db
    from webapp.models import Category, PayoutDetail
    from webapp import demo_pictures
    from webapp.services import accounts, kworks, pictures, wallet
    from webapp.domain.tiers import KworkDraft, OptionDraft, TierDraft

    with app.app_context():
        upgrade()
        category = db.session.query(Category.id).first()[0]
        people = {"sellers": [], "buyers": []}
        long_ago = datetime.now(timezone.utc) - timedelta(days=30)
        for role, count in (("seller", sellers), ("buyer", buyers)):
            for n in range(count):
                user = accounts.register(f"{role}{n}@chaos.example", f"{role.title()} {n}", PASSWORD)
                user.active_role = role
                if hasattr(user, "email_verified_at"):
                    user.email_verified_at = long_ago
                if role == "seller":
                    user.phone, user.phone_verified_at = f"+4420794{60000 + n:05d}", long_ago
                    db.session.add(PayoutDetail(user_id=user.id, kind="card", brand="Visa", last4=f"{1000 + n}",
                                                token="tok_chaos", status="active", created_at=long_ago, activated_at=long_ago))  # fmt: skip
                db.session.commit()
                people[f"{role}s"].append((user.id, user.email))
                if role == "seller":
                    for k in range(2):
                        tiers = {"economy": TierDraft("economy", 500, 1, 1, "Basic"), "standard": TierDraft("standard", 1000, 2, 2, "Better"),
                                 "business": TierDraft("business", 2000, 3, 3, "Best")}  # fmt: skip
                        draft = KworkDraft(title=f"I will do task {k} for you, seller {n}", category_id=category,
                                           description="A careful job, with a report.", buyer_instructions="Tell me what you need.",
                                           is_packaged=True, tiers=tiers, options=[OptionDraft("Report", frozenset(tiers))])  # fmt: skip
                        kwork = kworks.save_kwork(user, draft, submit=False)
                        # A kwork needs its cover before moderation.
                        pictures.add_picture(user, kwork.id, demo_pictures.kwork_picture(draft.title, "programming", 0), f"Cover: {draft.title}")
                        kwork = kworks.save_kwork(user, draft, kwork=kwork, submit=True)
                        kwork.status, kwork.approved_snapshot = "active", kworks.snapshot(kwork)
                        db.session.commit()
                else:
                    wallet.confirm_topup(wallet.start_topup(user, 20_000))
        db.session.remove()
    return people


# --- what clients do ---------------------------------------------------------------------------------------------


class World:
    """Reads the database to pick what to do next (the pages would show the same), so clients act on real orders."""

    def __init__(self, dsn: str):
        self.dsn = dsn
        self.local = threading.local()

    def rows(self, sql: str, *params):
        return self.execute(sql, *params).fetchall()

    def execute(self, sql: str, *params):
        if not hasattr(self.local, "connection"):
            self.local.connection = psycopg.connect(self.dsn, autocommit=True)
        return self.local.connection.execute(sql, params)


def buyer_turn(world: World, tabs: list[Client], user_id: int, stats: Stats):
    tab, other = tabs
    choice = random.random()
    if choice < 0.35:
        [(kwork_id,)] = world.rows("SELECT id FROM kworks WHERE status = 'active' ORDER BY random() LIMIT 1")
        page = tab.get(f"/orders/checkout/{kwork_id}", "checkout page")
        found = CHECKOUT_TOKEN.search(page or "")
        if found:
            tier = random.choice(["economy", "standard", "business"])
            tab.post(f"/orders/checkout/{kwork_id}", {"tier": tier, "quantity": "1", "requirements": "The domain is example.com.",
                                                       "checkout_token": found.group(1)}, "checkout")  # fmt: skip
    elif choice < 0.45:
        response = tab.post("/wallet/", {"amount": str(random.choice([500, 1000, 3000]))}, "top up")
        found = SANDBOX_PAGE.search(response.url if response is not None else "")
        if found:
            path = f"/wallet/sandbox/{found.group(1)}"
            together(lambda: tab.post(path, {"outcome": "pay"}, "sandbox pay"), lambda: other.post(path, {"outcome": "decline"}, "sandbox decline"))
    else:
        found = world.rows("SELECT id, state FROM orders WHERE buyer_id = %s AND state IN ('delivered', 'in_work', 'new') "
                           "ORDER BY random() LIMIT 1", user_id)  # fmt: skip
        if not found:
            return
        order_id, state = found[0]
        base = f"/orders/{order_id}"
        if state == "delivered" and random.random() < 0.8:
            together(lambda: tab.post(f"{base}/accept", {}, "accept"),
                     lambda: other.post(f"{base}/revision", {"revision": "Please change the colours."}, "revision"))  # fmt: skip
        else:
            tab.post(f"{base}/cancel", {"reason": "mutual", "comment": "We agreed to stop the order here, thanks."}, "cancel request")
        tab.get(base, "order page")


def seller_turn(world: World, tabs: list[Client], user_id: int, stats: Stats):
    tab, other = tabs
    found = world.rows(
        "SELECT o.id, o.state, (SELECT c.id FROM cancellation_requests c WHERE c.order_id = o.id AND c.status = 'open' "
        "AND c.initiator_role = 'buyer' LIMIT 1) FROM orders o WHERE o.seller_id = %s AND o.state IN ('new', 'in_work', "
        "'revision', 'delivered') ORDER BY random() LIMIT 1", user_id)  # fmt: skip
    if random.random() < 0.1:
        [(detail_id,)] = world.rows("SELECT id FROM payout_details WHERE user_id = %s AND status = 'active' LIMIT 1", user_id)
        form = {"detail_id": str(detail_id), "amount": "600"}
        together(lambda: tab.post("/account/payouts/withdraw", form, "withdraw"), lambda: other.post("/account/payouts/withdraw", form, "withdraw"))
        return
    if not found:
        tab.get("/account/", "dashboard")
        return
    order_id, state, open_request = found[0]
    base = f"/orders/{order_id}"
    if open_request:
        answer = {"accept": "yes", "reason_correct": "yes"}
        together(lambda: tab.post(f"{base}/cancel/answer", answer, "cancel answer"), lambda: other.post(f"{base}/cancel/answer", answer, "cancel answer"))
    elif state == "new":
        together(lambda: tab.post(f"{base}/start", {}, "start"), lambda: other.post(f"{base}/start", {}, "start"))
    elif state in ("in_work", "revision"):
        tab.post(f"{base}/deliver", {"delivery": "Done, see the report."}, "deliver")
    else:
        tab.get(base, "order page")


def make_timers_due(world: World) -> None:
    """Some delivered orders' auto-completion falls due now: the sweep fires them while buyers click."""
    world.execute("UPDATE timers SET due_at = now() WHERE id IN (SELECT id FROM timers WHERE kind = 'auto_complete' "
               "AND state = 'scheduled' ORDER BY random() LIMIT 5)")  # fmt: skip


# --- invariants ------------------------------------------------------------------------------------------------

INVARIANTS = [
    ("postings that do not sum to zero",
     "SELECT count(*) FROM (SELECT posting_id FROM ledger_entries GROUP BY posting_id HAVING sum(amount) <> 0) x"),
    ("balances that do not sum to zero (0 or 1)", "SELECT CASE WHEN sum(balance) <> 0 THEN 1 ELSE 0 END FROM ledger_accounts"),
    ("accounts whose balance differs from their entries",
     "SELECT count(*) FROM ledger_accounts a LEFT JOIN (SELECT account_id, sum(amount) s FROM ledger_entries GROUP BY account_id) e "
     "ON e.account_id = a.id WHERE a.balance <> coalesce(e.s, 0)"),
    ("wallets or escrows below zero", "SELECT count(*) FROM ledger_accounts WHERE NOT allow_negative AND balance < 0"),
    ("orders with two events for one transition",
     "SELECT count(*) FROM (SELECT order_id FROM order_events WHERE action IN ('place', 'start', 'accept', 'auto_complete', 'cancel') "
     "GROUP BY order_id, CASE WHEN action IN ('accept', 'auto_complete', 'cancel') THEN 'end' ELSE action END HAVING count(*) > 1) x"),
    ("orders reopened after payout (released but not completed)",
     "SELECT count(*) FROM orders o JOIN ledger_postings p ON p.idempotency_key = 'order-' || o.id || '-release' WHERE o.state <> 'completed'"),
    ("completed orders without a release", "SELECT count(*) FROM orders o WHERE o.state = 'completed' AND NOT EXISTS "
     "(SELECT 1 FROM ledger_postings p WHERE p.idempotency_key = 'order-' || o.id || '-release')"),
    ("cancelled orders without a refund", "SELECT count(*) FROM orders o WHERE o.state = 'cancelled' AND NOT EXISTS "
     "(SELECT 1 FROM ledger_postings p WHERE p.idempotency_key = 'order-' || o.id || '-refund')"),
    ("finished orders with money left in escrow", "SELECT count(*) FROM orders o JOIN ledger_accounts a ON a.code = 'escrow:' || o.id "
     "WHERE o.state IN ('completed', 'cancelled') AND a.balance <> 0"),
    ("declined top-ups credited", "SELECT count(*) FROM topups t JOIN ledger_postings p ON p.idempotency_key = 'topup-' || t.reference "
     "WHERE t.status = 'declined'"),
    ("paid top-ups not credited", "SELECT count(*) FROM topups t WHERE t.status = 'paid' AND NOT EXISTS "
     "(SELECT 1 FROM ledger_postings p WHERE p.idempotency_key = 'topup-' || t.reference)"),
    ("orders with two applied cancellation requests",
     "SELECT count(*) FROM (SELECT order_id FROM cancellation_requests WHERE status = 'applied' GROUP BY order_id HAVING count(*) > 1) x"),
    ("orders with two open cancellation requests",
     "SELECT count(*) FROM (SELECT order_id FROM cancellation_requests WHERE status = 'open' GROUP BY order_id HAVING count(*) > 1) x"),
    ("orders with two 'completed' notifications to the seller",
     "SELECT count(*) FROM (SELECT order_id FROM notifications WHERE kind = 'order_completed' GROUP BY order_id HAVING count(*) > 1) x"),
    ("withdrawals not settled a minute on", "SELECT count(*) FROM withdrawals WHERE status = 'requested' AND created_at < now() - interval '1 minute'"),
    ("unfinished outbox jobs older than a minute",
     "SELECT count(*) FROM outbox_jobs WHERE done_at IS NULL AND gave_up_at IS NULL AND enqueued_at < now() - interval '1 minute'"),
    ("outbox jobs given up", "SELECT count(*) FROM outbox_jobs WHERE gave_up_at IS NOT NULL"),
    ("timers due over a minute ago and not fired",
     "SELECT count(*) FROM timers WHERE state = 'scheduled' AND due_at < now() - interval '1 minute'"),
]


LATENESS = [
    ("slowest outbox job, from its commit to done (s)", "SELECT extract(epoch FROM max(done_at - created_at)) FROM outbox_jobs"),
    ("slowest timer, from its due time to fired (s)", "SELECT extract(epoch FROM max(fired_at - due_at)) FROM timers WHERE state = 'fired'"),
    ("outbox jobs run", "SELECT count(*) FROM outbox_jobs WHERE done_at IS NOT NULL"),
    ("outbox jobs handed over again by the sweep", "SELECT count(*) FROM outbox_jobs WHERE attempts > 1"),
    ("timers fired", "SELECT count(*) FROM timers WHERE state = 'fired'"),
    ("orders placed", "SELECT count(*) FROM orders"),
    ("orders completed / cancelled", "SELECT count(*) FILTER (WHERE state = 'completed') || ' / ' || "
     "count(*) FILTER (WHERE state = 'cancelled') FROM orders"),
]


def check(dsn: str) -> tuple[list[tuple[str, int]], list[tuple[str, object]]]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        invariants = [(label, connection.execute(sql).fetchone()[0] or 0) for label, sql in INVARIANTS]
        figures = [(label, connection.execute(sql).fetchone()[0]) for label, sql in LATENESS]
    figures = [(label, f"{float(value):.1f}" if isinstance(value, Decimal) else value) for label, value in figures]
    return invariants, figures


# --- processes ---------------------------------------------------------------------------------------------------


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (each with two tabs)")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--sellers", type=int, default=8)
    parser.add_argument("--buyers", type=int, default=30)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"))
    args = parser.parse_args(argv)

    instance = Path(tempfile.mkdtemp(prefix="chaos-"))
    env = os.environ | {"GIGSMITH_ENV": "development", "DATABASE_URL": POSTGRES, "REDIS_URL": args.redis_url,
                        "GIGSMITH_INSTANCE_PATH": str(instance), "SECRET_KEY": "chaos-secret-key",
                        "LOGIN_RATE_LIMIT": "1000 per minute"}  # fmt: skip
    os.environ.update(env)
    fresh_database()
    redis.Redis.from_url(args.redis_url).flushdb()
    from webapp import create_app
    from webapp.config import DevelopmentConfig

    config = DevelopmentConfig()
    config.REDIS_URL = args.redis_url  # a class attribute read when webapp was imported, before this set the environment
    app = create_app(config)
    started = time.monotonic()
    people = seed(app, args.sellers, args.buyers)
    print(f"seeded {args.sellers} sellers, {args.buyers} buyers in {time.monotonic() - started:.1f} s; logs in {instance}")

    port = free_port()
    bin_dir = Path(sys.executable).parent
    web = start([str(bin_dir / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"], env, instance / "web.log")
    worker_command = [str(bin_dir / "rq"), "worker", "default", "mail", "--with-scheduler", "-w", "jobs.worker.AppWorker", "--url", args.redis_url]
    worker = start(worker_command, env, instance / "worker.log")
    cron = start([str(bin_dir / "rq"), "cron", "jobs/cron.py", "--url", args.redis_url], env, instance / "cron.log")
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if requests.get(base + "/catalog/", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)

    stats, world = Stats(), World(f"host=127.0.0.1 port=5432 user=postgres dbname={DATABASE}")
    deadline = time.monotonic() + args.minutes * 60
    faults = []

    def client(n: int):
        role = "sellers" if n % 3 == 0 else "buyers"
        user_id, email = people[role][n % len(people[role])]
        try:
            tabs = [Client(base, email, stats), Client(base, email, stats)]
        except Exception as error:  # noqa: BLE001 - a client that cannot log in is itself a finding
            stats.errors[f"log in: {type(error).__name__}"] += 1
            return
        turn = seller_turn if role == "sellers" else buyer_turn
        while time.monotonic() < deadline:
            try:
                turn(world, tabs, user_id, stats)
            except Exception as error:  # noqa: BLE001
                stats.errors[f"{turn.__name__}: {type(error).__name__}"] += 1

    def timers_falling_due():
        """Every 10 seconds some delivered orders' auto-completion falls due, so the sweep fires them while buyers
        click Accept or Request revision on the same orders."""
        while time.monotonic() < deadline:
            make_timers_due(world)
            time.sleep(10)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.clients)]
    threads.append(threading.Thread(target=timers_falling_due, daemon=True))
    for thread in threads:
        thread.start()
    total = args.minutes * 60
    try:
        time.sleep(total * 0.35)
        redis.Redis.from_url(args.redis_url).flushdb()
        faults.append(f"{time.monotonic() - started:.0f} s: Redis FLUSHDB")
        time.sleep(total * 0.15)
        stop(worker, signal.SIGKILL)
        faults.append(f"{time.monotonic() - started:.0f} s: worker killed (SIGKILL)")
        time.sleep(min(15, total * 0.1))
        worker = start(worker_command, env, instance / "worker.log")
        faults.append(f"{time.monotonic() - started:.0f} s: worker started again")
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()) + 60)
        # The last jobs and timers get a minute and a half to finish, as a worker would after any fault.
        settle = time.monotonic() + 90
        while time.monotonic() < settle:
            left = world.rows("SELECT (SELECT count(*) FROM outbox_jobs WHERE done_at IS NULL AND gave_up_at IS NULL) + "
                              "(SELECT count(*) FROM timers WHERE state = 'scheduled' AND due_at < now())")[0][0]  # fmt: skip
            if left == 0:
                break
            time.sleep(2)
        results, figures = check(world.dsn)
    finally:
        for process in (web, worker, cron):
            stop(process)

    print(f"\n{args.clients} clients × 2 tabs for {args.minutes:g} min against gunicorn -w 4 + PostgreSQL, "
          "one rq worker --with-scheduler, rq cron")
    for fault in faults:
        print(f"  fault at {fault}")
    print("\nrequests by status:")
    for status, count in sorted(stats.statuses.items(), key=lambda item: str(item[0])):
        print(f"  {status!s:<22} {count:>7}")
    server_errors = sum(count for status, count in stats.statuses.items() if not isinstance(status, int) or status >= 500)
    if stats.by_action:
        print("5xx by action: " + ", ".join(f"{action} {count}" for action, count in stats.by_action.most_common()))
    if stats.errors:
        print("client errors: " + ", ".join(f"{what} {count}" for what, count in stats.errors.most_common()))
    print()
    for label, value in figures:
        print(f"  {label:<58} {value!s:>6}")
    print("\ninvariant                                                    violations")
    for label, count in results:
        print(f"  {label:<58} {count:>6}")
    violations = sum(count for _label, count in results)
    print(f"\n5xx or failed requests: {server_errors}; violations: {violations}")
    return 0 if server_errors == 0 and violations == 0 else 1
