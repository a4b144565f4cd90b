"""No N+1: each main page runs the same number of queries whatever it shows.

Each test renders a page, adds more of what the page lists (kworks, tiers, options, orders, messages,
reviews), renders it again and compares the statements the database received. A page that loads something
per row shows up as a count that grows with the data.
"""
from datetime import datetime, timezone

import pytest
from flask import g
from sqlalchemy import event

from webapp import lazy_loads
from webapp.extensions import db
from webapp.services import catalog, orders, reviews

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)  # make_order's default clock


@pytest.fixture
def queries(app):
    """Statements sent to the database while the block runs (transaction control left out)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def count(app, client, queries):
    """Queries one GET of `url` runs to build the page, as in production: nothing fresh in the session, no user
    cached from before. A page loads what it renders up front: a relationship loaded lazily while it is built
    (from a template, most often) fails the test, whatever the count."""

    def measure(url: str) -> int:
        db.session.expire_all()  # tests share the app context (and session) with requests: forget what is loaded
        g.pop("_login_user", None)
        queries.clear()
        with lazy_loads.recorded() as lazy:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert lazy == [], f"{url} loaded lazily: {sorted(set(lazy))}"
        return len(queries)

    return measure


def review(order, positive: bool = True):
    reviews.save_review(order.buyer, order, positive=positive, text="Clear work, delivered on time. Thank you!", now=NOW)


def more_messages(order, count: int):
    for number in range(count):
        author = order.buyer if number % 2 else order.seller
        orders.post_message(author, order, f"Message {number}", [], NOW)


def with_pictures(kwork, count: int = 2):
    """Covers and gallery pictures (small real images), and the seller's avatar."""
    from tests.images import image_bytes
    from webapp.services import pictures

    for number in range(count):
        pictures.add_picture(kwork.seller, kwork.id, image_bytes(size=(400, 300)), f"Picture {number}")
    pictures.set_avatar(kwork.seller, image_bytes(size=(100, 100)))
    return kwork


def test_catalog(count, make_user, make_kwork, make_order):
    searched = "/catalog/?q=logo&price_min=500&price_max=5000&sort=price_asc"
    make_kwork(make_user("Anna", role="seller"), title="I will design a logo for Anna")
    small, small_search = count("/catalog/"), count(searched)
    for name in ("Boris", "Carla", "Dmitry"):
        seller = make_user(name, role="seller")
        with_pictures(make_kwork(seller, title=f"I will design a logo for {name}"))
        kwork = make_kwork(seller, title=f"I will write a landing page for {name}")
        review(make_order("completed", kwork=kwork))
    assert count("/catalog/") == small
    assert count(searched) == small_search
    # The categories and one statement for the page with its count (a browse, or a search on SQLite); a search
    # on PostgreSQL finds the page's ids and the count first, then reads those cards.
    assert small == 2 and small_search == (3 if db.engine.dialect.name == "postgresql" else 2)
    assert count("/catalog/?page=50") == 4  # past the last page: an empty page, the count alone, then the last page


def test_kwork_page(count, make_user, make_kwork, make_order):
    from tests.conftest import OptionDraft

    seller = make_user("Anna", role="seller")
    kwork = make_kwork(seller)
    small = count(f"/catalog/kworks/{kwork.id}")
    options = [OptionDraft(f"Option {n}", frozenset({"standard", "business"})) for n in range(5)]
    bigger = with_pictures(make_kwork(seller, options=options), count=5)
    for positive in (True, True, False):
        review(make_order("completed", kwork=bigger), positive)
    assert count(f"/catalog/kworks/{bigger.id}") == small


def test_seller_profile(count, make_user, make_kwork, make_order):
    seller = make_user("Anna", role="seller")
    kwork = make_kwork(seller)
    small = count(f"/catalog/sellers/{seller.id}")
    for number in range(3):
        review(make_order("completed", kwork=with_pictures(make_kwork(seller, title=f"I will do task {number}"))))
    review(make_order("completed", kwork=kwork))
    assert count(f"/catalog/sellers/{seller.id}") == small


def test_order_page(count, login_as, make_order):
    order = make_order("in_work")
    login_as(order.buyer)
    small = count(f"/orders/{order.id}")
    # The order with its review, requests and extras in one statement; the thread and the history one each; the
    # live version from what was read, no disputes read without a cancellation request (the rest: the viewer and
    # their session, the parties' panels, the header).
    assert small <= 9
    more_messages(order, 10)
    orders.deliver(order.seller, order, "Here it is", [], NOW)
    orders.request_revision(order.buyer, order, "Please change the colours", NOW)
    assert count(f"/orders/{order.id}") == small


@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_orders_list(count, login_as, make_user, make_order, role):
    buyer, seller = make_user("Buyer"), make_user("Seller", role="seller")
    make_order("new", buyer=buyer, seller=seller)
    login_as(buyer if role == "buyer" else seller)
    small = count(f"/orders/?role={role}")
    for state in ("in_work", "delivered", "completed", "awaiting_requirements"):
        make_order(state, buyer=buyer, seller=seller)
    assert count(f"/orders/?role={role}") == small


def test_seller_kwork_list(count, login_as, make_user, make_kwork, make_order):
    seller = make_user("Anna", role="seller")
    make_kwork(seller)
    login_as(seller)
    small = count("/kworks/")
    for number in range(3):
        kwork = make_kwork(seller, title=f"I will do task {number}")
        review(make_order("completed", kwork=kwork), positive=number != 1)
    make_kwork(seller, status="paused", title="A paused kwork")
    make_kwork(seller, status="draft", title="A draft")
    assert count("/kworks/") == small


def test_seller_dashboard(count, login_as, make_user, make_kwork, make_order):
    seller = make_user("Anna", role="seller")
    kwork = make_kwork(seller)
    make_order("new", kwork=kwork)
    login_as(seller)
    small = count("/account/")
    for state in ("in_work", "delivered", "completed", "revision"):
        make_order(state, kwork=make_kwork(seller, title=f"I will do {state} work"))
    assert count("/account/") == small


def test_seller_dashboard_with_mutual_cancellations(count, login_as, make_user, make_kwork, make_order):
    seller = make_user("Anna", role="seller")
    kwork = make_kwork(seller)
    make_order("cancelled", kwork=kwork)
    login_as(seller)
    small = count("/account/")
    for _ in range(3):
        make_order("cancelled", kwork=kwork)
    assert count("/account/") == small


def test_grouped_rating_breakdowns_agree_with_the_one_kwork_query(ctx, make_user, make_kwork, make_order):
    seller = make_user("Anna", role="seller")
    reviewed, unreviewed, empty = (make_kwork(seller, title=f"I will do task {n}") for n in range(3))
    for positive in (True, False, True):
        review(make_order("completed", kwork=reviewed), positive)
    make_order("completed", kwork=unreviewed)
    make_order("cancelled", kwork=unreviewed)
    ids = [reviewed.id, unreviewed.id, empty.id]
    assert catalog.rating_breakdowns(ids) == {kwork_id: reviews.breakdown(kwork_id) for kwork_id in ids}


def test_inbox(count, login_as, make_user):
    from webapp.services import conversations

    buyer = make_user("Bea Buyer")
    conversations.start(buyer, make_user("Anna", role="seller"), None, "Hello", [], NOW)
    login_as(buyer)
    small = count("/inbox/")
    for name in ("Boris", "Carla", "Dmitry"):
        seller = make_user(name, role="seller")
        message = conversations.start(buyer, seller, None, f"Hello {name}", [], NOW)
        conversations.post(seller, message.conversation, "Hi!", [orders.Upload("a.txt", b"a")], NOW)
    assert count("/inbox/") == small
    assert count("/inbox/?q=bor") == small
    cursor = conversations.inbox_page(buyer, limit=1)[1].token()  # a later page costs the same
    assert count(f"/inbox/?older={cursor}") == small
    assert count(f"/inbox/?q=a&older={cursor}") == small


def test_conversation_page(count, login_as, make_user, make_kwork):
    from webapp.services import conversations

    buyer, seller = make_user("Bea Buyer"), make_user("Anna", role="seller")
    first = conversations.start(buyer, seller, make_kwork(seller), "Hello", [], NOW)
    conversations.post(seller, first.conversation, "Hello! What do you need?", [], NOW)  # unread, as below
    login_as(buyer)
    small = count(f"/inbox/{first.conversation_id}")
    for number in range(10):
        author = buyer if number % 2 else seller
        conversations.post(author, first.conversation, f"Message {number}", [orders.Upload(f"{number}.txt", b"a")], NOW)
    assert count(f"/inbox/{first.conversation_id}") == small


def test_favourites_and_the_catalog_signed_in(count, login_as, make_user, make_kwork):
    from webapp.services import favourites

    buyer = make_user("Buyer")
    first = make_kwork(make_user("Anna", role="seller"))
    favourites.set_favourite(buyer, first.id, True, now=NOW)
    login_as(buyer)
    small_page, small_catalog = count("/catalog/favourites"), count("/catalog/")
    for name in ("Boris", "Carla", "Dmitry"):
        kwork = with_pictures(make_kwork(make_user(name, role="seller"), title=f"I will design a logo for {name}"))
        favourites.set_favourite(buyer, kwork.id, True, now=NOW)
    assert count("/catalog/favourites") == small_page
    assert count("/catalog/") == small_catalog


def test_the_header_count_poll_is_one_statement(app, client, queries, login_as, make_user):
    """Beside loading who is signed in (the user with their session row, one statement), the poll runs one."""
    from webapp.services import conversations

    buyer, seller = make_user("Bea Buyer"), make_user("Anna", role="seller")
    conversations.start(buyer, seller, None, "Hello", [], NOW)
    login_as(seller)
    db.session.expire_all()
    g.pop("_login_user", None)
    queries.clear()
    assert client.get("/inbox/unread?shown=0", headers={"HX-Request": "true"}).status_code == 200
    assert len(queries) == 2, queries
