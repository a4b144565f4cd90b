"""The card columns stored on kworks (price_from, delivery_days_from, review_count) and the seller's ranking
inputs Best match orders by (seller_rank, seller_completion) against their sources.

A realistic life of two kworks is driven through the real services, and after every step the stored values of
every kwork are compared with a recomputation from scratch (tiers, reviews and users, read here independently of
services/card_columns), with `card_columns.mismatches()`, and with what the catalog's cards show. The seller's
columns follow the daily levels job and a new kwork, and Best match orders as it did when it joined users.
"""
import importlib.util
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from webapp.domain.levels import BY_CODE
from webapp.domain.tiers import TierDraft
from webapp.extensions import db
from webapp.models import Kwork, Review, Tier, User
from webapp.services import card_columns, catalog, kworks, levels, locking, reviews

from ..conftest import full_draft
from ..races import needs_postgres, race
from .test_levels import LATER, level_1_seller, set_level  # noqa: F401 - level_1_seller is a fixture
from .test_orders import NOW

NEGATIVE = "The server was left without a firewall and backups."


def stored() -> dict[int, tuple]:
    """Each kwork's stored columns, read from the database (not from objects the session holds)."""
    rows = db.session.execute(select(Kwork.id, Kwork.price_from, Kwork.delivery_days_from, Kwork.review_count))
    return {row.id: (row.price_from, row.delivery_days_from, row.review_count) for row in rows}


def from_scratch() -> dict[int, tuple]:
    """The same values worked out in Python from every tier and review row."""
    economy = {tier.kwork_id: tier for tier in db.session.scalars(select(Tier).where(Tier.level == "economy"))}
    counts: dict[int, int] = {}
    for review in db.session.scalars(select(Review)):
        if review.status == "published":
            counts[review.kwork_id] = counts.get(review.kwork_id, 0) + 1
    result = {}
    for kwork_id in db.session.scalars(select(Kwork.id)):
        tier = economy.get(kwork_id)
        result[kwork_id] = (tier and tier.price, tier and tier.delivery_days, counts.get(kwork_id, 0))
    return result


def seller_stored() -> dict[int, tuple]:
    """Each kwork's stored (seller_rank, seller_completion), read from the database."""
    return {row.id: (row.seller_rank, row.seller_completion) for row in db.session.execute(select(Kwork.id, Kwork.seller_rank, Kwork.seller_completion))}


def seller_from_scratch() -> dict[int, tuple]:
    """The same worked out in Python from the users rows and domain/levels.py."""
    sellers = {user.id: user for user in db.session.scalars(select(User))}
    result = {}
    for kwork_id, seller_id in db.session.execute(select(Kwork.id, Kwork.seller_id)):
        seller = sellers[seller_id]
        result[kwork_id] = (BY_CODE[seller.level].rank if seller.level in BY_CODE else 0, seller.completion_rate)
    return result


def check() -> dict[int, tuple]:
    """Stored == recomputed, for every kwork (the seller's columns too); the objects in the session agree; returns
    the card values (price_from, delivery_days_from, review_count)."""
    values, ranks = stored(), seller_stored()
    assert values == from_scratch()
    assert ranks == seller_from_scratch()
    assert card_columns.mismatches() == []
    for kwork in db.session.scalars(select(Kwork)):
        assert (kwork.price_from, kwork.delivery_days_from, kwork.review_count) == values[kwork.id]
        assert (kwork.seller_rank, kwork.seller_completion) == ranks[kwork.id]
    return values


def card(kwork_id: int) -> catalog.CatalogCard | None:
    page = catalog.search(catalog.CatalogQuery(sort="price_asc"), per_page=50)
    return next((found for found in page.cards if found.kwork.id == kwork_id), None)


def test_stored_card_columns_follow_every_change(make_user, make_order):
    seller, admin = make_user("Seller", role="seller"), make_user("Ada Admin", admin=True)

    # A draft with an empty Economy price, then submitted, approved and listed.
    draft = full_draft("I will set up a VPS server")
    draft.tiers["economy"] = TierDraft("economy", None, None, None, "")
    vps = kworks.save_kwork(seller, draft, submit=False)
    assert check()[vps.id] == (None, None, 0)
    vps = kworks.approve(admin, kworks.save_kwork(seller, full_draft("I will set up a VPS server"), kwork=vps, submit=True))
    assert check()[vps.id] == (1000, 1, 0)
    other = kworks.approve(admin, kworks.save_kwork(seller, full_draft("I will fix a Django bug"), submit=True))
    check()

    # The seller edits the prices (Economy and another tier): the card follows, the other kwork doesn't move.
    edited = kworks.draft_from_kwork(vps)
    edited.tiers["economy"] = TierDraft("economy", 1500, 3, 1, "Basic")
    edited.tiers["standard"] = TierDraft("standard", 2500, 3, 2, "Better")
    kworks.save_kwork(seller, edited, kwork=vps, submit=True)
    assert check()[vps.id] == (1500, 3, 0) and stored()[other.id] == (1000, 1, 0)
    kworks.approve(admin, vps)
    shown = card(vps.id)
    assert (shown.price_from, shown.delivery_days, shown.reputation.reviews) == (1500, 3, 0)
    assert [found.kwork.id for found in catalog.search(catalog.CatalogQuery(price_min=1200), per_page=10).cards] == [vps.id]

    # Orders complete; reviews are written, edited, sent late, reported, published and hidden by moderation.
    first, second, third, fourth = (make_order("completed", kwork=vps, level="economy") for _ in range(4))
    assert check()[vps.id][2] == 0  # completing an order publishes no review
    reviews.save_review(first.buyer, first, positive=True, text="Great work", now=NOW)
    assert check()[vps.id][2] == 1
    reviews.save_review(first.buyer, first, positive=False, text=NEGATIVE, now=NOW + timedelta(days=1))
    assert check()[vps.id][2] == 1  # an edit is still one review
    late_good = reviews.submit_via_support(second.buyer, second, "Great work, sorry for the late review!",
                                           NOW + timedelta(days=40), positive=True)  # fmt: skip
    assert late_good.status == "published" and check()[vps.id][2] == 2
    late_bad = reviews.submit_via_support(third.buyer, third, NEGATIVE, NOW + timedelta(days=40))
    assert late_bad.status == "pending" and check()[vps.id][2] == 2  # waits for an admin: not counted
    reviews.publish(admin, late_bad, "The delay is confirmed by the order history")
    assert check()[vps.id][2] == 3
    reported = reviews.save_review(fourth.buyer, fourth, positive=False, text=NEGATIVE + " Call +7 999 123 45 67.", now=NOW)
    reviews.report(seller, reported, "It contains the buyer's phone number", NOW)
    assert check()[vps.id][2] == 4  # a reported review stays shown until an admin decides
    reviews.hide(admin, reported, "Reviews must not contain contact details")
    assert check()[vps.id][2] == 3
    reviews.hide(admin, late_good, "Written by the seller's friend")
    assert check()[vps.id][2] == 2
    shown = card(vps.id)
    assert shown.reputation.reviews == 2 and shown.price_from == 1500 and stored()[other.id] == (1000, 1, 0)
    assert catalog.kwork_reputation(vps).reviews == 2

    # Another order of the other kwork, then the seller pauses and deletes the first: nothing to recount.
    done = make_order("completed", kwork=other, level="economy")
    reviews.save_review(done.buyer, done, positive=True, text="Quick fix", now=NOW)
    assert check()[other.id] == (1000, 1, 1)
    kworks.set_paused(seller, vps, True)
    kworks.delete_kwork(seller, vps, keep_portfolio=True, now=NOW)
    assert check()[vps.id] == (1500, 3, 2) and card(vps.id) is None
    assert [found.price_from for found in catalog.seller_profile(seller.id)[1]] == [1000]


def test_recompute_repairs_every_column_and_keeps_updated_at(make_user, make_kwork, make_order):
    kwork = make_kwork(make_user("Seller", role="seller"))
    order = make_order("completed", kwork=kwork, level="economy")
    reviews.save_review(order.buyer, order, positive=True, text="Great work", now=NOW)
    good = check()
    before = db.session.scalar(select(Kwork.updated_at).where(Kwork.id == kwork.id))
    db.session.execute(text("UPDATE kworks SET price_from = 1, delivery_days_from = NULL, review_count = 7"))
    db.session.commit()
    wrong = card_columns.mismatches()
    unchanged = {"seller_rank": 0, "seller_completion": None}
    assert [(kwork_id, fresh) for kwork_id, _stored, fresh in wrong] == [
        (kwork.id, {"price_from": 1000, "delivery_days_from": 1, "review_count": 1} | unchanged)]
    assert wrong[0][1] == {"price_from": 1, "delivery_days_from": None, "review_count": 7} | unchanged
    assert card_columns.recompute_card_columns() == 1
    db.session.commit()
    assert check() == good
    assert card_columns.recompute_card_columns() == 0  # nothing left to write
    assert db.session.scalar(select(Kwork.updated_at).where(Kwork.id == kwork.id)) == before


def test_the_migration_backfill_matches_the_services(make_user, make_kwork, make_order):
    """Migration 0037's backfill statement, run again over data the services wrote, gives the same values."""
    kwork = make_kwork(make_user("Seller", role="seller"))
    make_kwork(kwork.seller, status="draft", title="Draft kwork")
    order = make_order("completed", kwork=kwork, level="economy")
    reviews.save_review(order.buyer, order, positive=True, text="Great work", now=NOW)
    good = check()
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0037_card_columns.py"
    spec = importlib.util.spec_from_file_location("migration_0037", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(text("UPDATE kworks SET price_from = NULL, delivery_days_from = NULL, review_count = 0"))
    db.session.execute(text(migration.BACKFILL))
    db.session.commit()
    assert stored() == good


def test_cli_checks_and_fixes(app, make_user, make_kwork):
    kwork = make_kwork(make_user("Seller", role="seller"))
    db.session.execute(text("UPDATE kworks SET review_count = 3"))
    db.session.commit()
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["card-columns"])
    assert checked.exit_code == 1 and f"kwork {kwork.id}" in checked.output
    fixed = runner.invoke(args=["card-columns", "--fix"])
    assert fixed.exit_code == 0 and "Rewrote 1 kwork." in fixed.output
    assert runner.invoke(args=["card-columns"]).exit_code == 0
    check()


def test_card_lists_read_the_stored_columns(make_user, make_kwork, make_order, statements):
    """The catalog, a seller's profile and the favourites page neither join tiers nor count reviews."""
    from webapp.services import favourites

    kwork = make_kwork(make_user("Seller", role="seller"))
    order = make_order("completed", kwork=kwork, level="economy")
    reviews.save_review(order.buyer, order, positive=True, text="Great work", now=NOW)
    favourites.set_favourite(order.buyer, kwork.id, True, now=NOW)
    db.session.commit()
    statements.clear()
    lists = [
        catalog.search(catalog.CatalogQuery(price_min=500, price_max=5000, sort="price_asc"), per_page=10).cards,
        catalog.seller_profile(kwork.seller_id)[1],
        catalog.favourite_cards(order.buyer),
    ]
    for cards in lists:
        assert [(c.kwork.id, c.price_from, c.delivery_days, c.reputation.reviews) for c in cards] == [(kwork.id, 1000, 1, 1)]
    read = " ".join(statements).lower()
    assert "tiers" not in read and "from reviews" not in read


@needs_postgres
def test_two_reviews_of_one_kwork_written_at_once_are_both_counted(app, make_user, make_kwork, make_order):
    """Two buyers review two orders of one kwork at the same instant: each holds only its own order's lock, so
    without the kwork's lock each would count without the other's review and the last write would say 1."""
    from webapp.models import Order, User

    kwork = make_kwork(make_user("Seller", role="seller"))
    ids = [(order.id, order.buyer_id) for order in (make_order("completed", kwork=kwork, level="economy") for _ in range(2))]

    def writer(order_id, buyer_id, positive):
        def prepare():
            order, buyer = db.session.get(Order, order_id), db.session.get(User, buyer_id)
            return lambda: reviews.save_review(buyer, order, positive=positive, text=NEGATIVE, now=NOW)

        return prepare

    outcomes = race(app, writer(*ids[0], True), writer(*ids[1], False))
    assert all(outcome.ok for outcome in outcomes), [outcome.error for outcome in outcomes]
    assert check()[kwork.id][2] == 2
    assert db.session.scalar(select(Kwork.rating).where(Kwork.id == kwork.id)) == 50


def test_the_levels_job_moves_the_seller_columns_of_every_kwork_of_the_sellers_it_changes(level_1_seller, make_user, make_kwork, make_order):
    listed = db.session.scalar(select(Kwork.id).where(Kwork.seller_id == level_1_seller.id))
    draft = make_kwork(level_1_seller, status="draft", title="I will fix a Django bug")
    bystander = make_kwork(make_user("Olga", role="seller"), title="I will write a landing page")
    check()
    assert seller_stored() == {listed: (0, None), draft.id: (0, None), bystander.id: (0, None)}

    # Up: every criterion of Level 1 met, five of five orders completed.
    levels.recompute_all(LATER)
    check()
    assert seller_stored() == {listed: (1, 100), draft.id: (1, 100), bystander.id: (0, None)}

    # The completion rate alone changes (a cancelled order: five of six), the level stays.
    make_order("cancelled", kwork=db.session.get(Kwork, listed), now=LATER)
    assert levels.recompute_all(LATER + timedelta(days=1)) == []  # no level change ...
    check()
    assert seller_stored()[listed] == (1, 83) and seller_stored()[draft.id] == (1, 83)  # ... but the rate followed

    # Down: a Top seller (as a past run left them) who misses Top goes back to Level 1, and so do their kworks.
    set_level(level_1_seller, level="top")
    card_columns.refresh_seller_columns(seller_ids=[level_1_seller.id])
    db.session.commit()
    assert seller_stored()[listed] == (3, 83)
    [change] = levels.recompute_all(LATER + timedelta(days=2))
    assert (change.old, change.new) == ("top", "level_1")
    check()
    assert seller_stored() == {listed: (1, 83), draft.id: (1, 83), bystander.id: (0, None)}


def test_a_new_kwork_gets_its_sellers_columns(make_user, make_kwork):
    seller = make_user("Sam Seller", role="seller")
    db.session.execute(update(User).where(User.id == seller.id).values(level="level_2", completion_rate=92))
    db.session.commit()
    kwork = make_kwork(seller)
    assert seller_stored()[kwork.id] == (2, 92)
    draft = kworks.save_kwork(seller, full_draft("I will fix a Django bug"), submit=False)
    assert seller_stored()[draft.id] == (2, 92)
    kworks.save_kwork(seller, kworks.draft_from_kwork(draft), kwork=draft, submit=False)  # an edit keeps them
    check()


def test_recompute_repairs_the_seller_columns(make_user, make_kwork):
    seller = make_user("Sam Seller", role="seller")
    db.session.execute(update(User).where(User.id == seller.id).values(level="top", completion_rate=97))
    db.session.commit()
    kwork, other = make_kwork(seller), make_kwork(make_user("Olga", role="seller"), title="I will fix a Django bug")
    good = seller_stored()
    assert good == {kwork.id: (3, 97), other.id: (0, None)}
    db.session.execute(text(f"UPDATE kworks SET seller_rank = 1, seller_completion = NULL WHERE id = {kwork.id}"))
    db.session.execute(text(f"UPDATE kworks SET seller_completion = 50 WHERE id = {other.id}"))
    db.session.commit()
    wrong = card_columns.mismatches()
    assert [(kwork_id, {n: stored[n] for n in ("seller_rank", "seller_completion")}, {n: fresh[n] for n in ("seller_rank", "seller_completion")})
            for kwork_id, stored, fresh in wrong] == [(kwork.id, {"seller_rank": 1, "seller_completion": None}, {"seller_rank": 3, "seller_completion": 97}),
                                                      (other.id, {"seller_rank": 0, "seller_completion": 50}, {"seller_rank": 0, "seller_completion": None})]  # fmt: skip
    assert card_columns.recompute_card_columns() == 2
    db.session.commit()
    check()
    assert seller_stored() == good


def test_the_migration_0038_backfill_matches_the_services(make_user, make_kwork):
    seller, other = make_user("Sam Seller", role="seller"), make_user("Olga", role="seller")
    db.session.execute(update(User).where(User.id == seller.id).values(level="level_1", completion_rate=85))
    db.session.commit()
    make_kwork(seller), make_kwork(other, title="I will fix a Django bug"), make_kwork(seller, status="draft", title="Draft kwork")
    good = seller_stored()
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0038_rank_columns.py"
    spec = importlib.util.spec_from_file_location("migration_0038", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.RANKS == {code: level.rank for code, level in BY_CODE.items()}  # the migration's copy of LEVELS
    db.session.execute(text("UPDATE kworks SET seller_rank = 0, seller_completion = NULL"))
    db.session.execute(text(migration.BACKFILL))
    db.session.commit()
    assert seller_stored() == good and sorted(set(good.values())) == [(0, None), (1, 85)]


def former_best_match(text: str = "") -> list[int]:
    """Best match as the catalog computed it before migration 0038: joined to users, the level's rank and the
    completion rate read from there (the relevance of a text search first)."""
    from sqlalchemy import case

    from webapp.domain.levels import LEVELS

    rank = case({level.code: level.rank for level in LEVELS}, value=User.level, else_=0)
    conditions = [Kwork.status == "active", Kwork.deleted_at.is_(None), User.suspended_at.is_(None)]
    order = []
    if text:
        condition, relevance = catalog.text_match(text)
        conditions.append(condition)
        order.append(relevance.desc())
    order += [rank.desc(), User.completion_rate.desc().nulls_last(), Kwork.rating.desc().nulls_last(), Kwork.created_at.desc(), Kwork.id.desc()]
    return list(db.session.scalars(select(Kwork.id).join(Kwork.seller).where(*conditions).order_by(*order)))


def test_best_match_orders_as_it_did_when_it_joined_users(make_user, make_kwork):
    """Sellers of every level, with and without a completion rate, kworks with and without a rating, some created
    at the same instant (the id decides): the stored columns give the former order, with and without text."""
    from datetime import datetime, timezone

    sellers = []
    for n, (level, rate) in enumerate([("new", None), ("new", 70), ("level_1", 80), ("level_1", None), ("level_1", 95),
                                       ("level_2", 90), ("top", 99), ("top", 96), ("top", None)]):  # fmt: skip
        seller = make_user(f"Seller {n}", role="seller")
        sellers.append((seller, level, rate))
    ids = []
    for n, (seller, _level, _rate) in enumerate(sellers):
        for m, rating in enumerate((None, 100, 80, 100)):
            ids.append(make_kwork(seller, title=f"I will set up a VPS server {'fast' if m % 2 else 'well'}").id)
            db.session.execute(update(Kwork).where(Kwork.id == ids[-1]).values(
                rating=rating, created_at=datetime(2026, 11, 1 + (n + m) % 3, tzinfo=timezone.utc)))  # fmt: skip
    make_kwork(sellers[0][0], status="paused", title="I will set up a VPS server paused")
    for seller, level, rate in sellers:
        db.session.execute(update(User).where(User.id == seller.id).values(level=level, completion_rate=rate))
    db.session.commit()
    card_columns.refresh_seller_columns(seller_ids=[seller.id for seller, _level, _rate in sellers])
    db.session.commit()
    check()

    def best_match(text: str = "") -> list[int]:
        page = catalog.search(catalog.CatalogQuery(text=text), per_page=100)
        return [card.kwork.id for card in page.cards]

    expected = former_best_match()
    assert len(expected) == len(ids) and best_match() == expected
    # With text, relevance first (PostgreSQL's typo tolerance also finds the "well" titles, ranked lower).
    assert len(former_best_match("vps fast")) >= len(ids) // 2 and best_match("vps fast") == former_best_match("vps fast")
    # The first page is the same slice, page by page.
    pages = [catalog.search(catalog.CatalogQuery(page=n), per_page=12).cards for n in (1, 2, 3)]
    assert [card.kwork.id for cards in pages for card in cards] == expected[:36]


@needs_postgres
@pytest.mark.parametrize("job_locks_first", [True, False])
def test_a_kwork_created_while_the_levels_job_runs_gets_the_new_level(app, level_1_seller, monkeypatch, job_locks_first):
    """The job locks the seller and updates their kworks; a kwork inserted at the same time either waits for the
    job (its foreign key check on the seller) and then reads the new values, or is committed before the job's lock
    is granted and then updated with the others. Either way it ends with the seller's new level. The job holds its
    lock a moment, and the editor (who read the seller before the job ran) starts inside that moment or before."""
    seller_id = level_1_seller.id
    lock_all = locking.lock_all

    def slow_lock_all(model, ids):
        locked = lock_all(model, ids)
        time.sleep(0.5)  # the job holds the sellers' locks while the editor inserts
        return locked

    monkeypatch.setattr(locking, "lock_all", slow_lock_all)

    def job():
        def run():
            if not job_locks_first:
                time.sleep(0.5)
            return levels.recompute_all(LATER)

        return run

    def editor():
        seller = db.session.get(User, seller_id)

        def run():
            if job_locks_first:
                time.sleep(0.2)
            return kworks.save_kwork(seller, full_draft("I will fix a Django bug"), submit=False)

        return run

    outcomes = race(app, job, editor)
    assert all(outcome.ok for outcome in outcomes), [outcome.error for outcome in outcomes]
    check()
    assert set(seller_stored().values()) == {(1, 100)}


def test_the_first_catalog_page_walks_the_best_match_index(app, make_user, make_kwork):
    """Best match's ORDER BY is exactly ix_kworks_best_match (migration 0038), so the first page's ids are read from
    its first entries and the walk stops: no sort of every active kwork. Only the chosen page of rows (at most
    per_page) is sorted again once joined to its sellers. On PostgreSQL sorting is switched off for the EXPLAIN,
    since the planner may rightly sort a table this small; an ORDER BY the index does not answer would still show a
    Sort node under the page's Limit."""
    from sqlalchemy import event

    for n in range(3):
        make_kwork(make_user(f"Seller {n}", role="seller"), title=f"I will set up a VPS server {n}")
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with app.test_request_context("/catalog/"):
            assert len(catalog.search(catalog.CatalogQuery(), per_page=12).cards) == 3
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    [(statement, parameters)] = [(s, p) for s, p in seen if "ORDER BY" in s]
    cursor = db.session.connection().connection.cursor()
    if db.engine.dialect.name == "postgresql":
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + statement, parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        page = plan[plan.index("Limit"):]  # the choice of the page's ids, under its Limit
        assert "Index Scan using ix_kworks_best_match" in page and "Sort" not in page, plan  # nor an Incremental Sort
    else:
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        plan = "\n".join(row[3] for row in cursor.fetchall())
        page = plan[: plan.index("SCAN anon_1")]  # the materialised choice of the page's ids
        assert "USING INDEX ix_kworks_best_match" in page and "TEMP B-TREE" not in page, plan
    db.session.rollback()
