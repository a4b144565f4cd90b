"""The card columns stored on kworks (price_from, delivery_days_from, review_count) against their sources.

A realistic life of two kworks is driven through the real services, and after every step the stored values of
every kwork are compared with a recomputation from scratch (tiers and reviews, read here independently of
services/card_columns), with `card_columns.mismatches()`, and with what the catalog's cards show.
"""
import importlib.util
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

from webapp.domain.tiers import TierDraft
from webapp.extensions import db
from webapp.models import Kwork, Review, Tier
from webapp.services import card_columns, catalog, kworks, reviews

from ..conftest import full_draft
from ..races import needs_postgres, race
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


def check() -> dict[int, tuple]:
    """Stored == recomputed, for every kwork; the objects in the session agree; returns the values."""
    values = stored()
    assert values == from_scratch()
    assert card_columns.mismatches() == []
    for kwork in db.session.scalars(select(Kwork)):
        assert (kwork.price_from, kwork.delivery_days_from, kwork.review_count) == values[kwork.id]
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
    assert [(kwork_id, fresh) for kwork_id, _stored, fresh in wrong] == [
        (kwork.id, {"price_from": 1000, "delivery_days_from": 1, "review_count": 1})]
    assert wrong[0][1] == {"price_from": 1, "delivery_days_from": None, "review_count": 7}
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
