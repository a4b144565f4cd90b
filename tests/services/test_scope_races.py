"""Issue 18's conflicting pairs, started at the same instant on parallel PostgreSQL connections (tests/races.py):
each pair has one winner and leaves one posting behind."""
from datetime import datetime, timezone

from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.models import PartialRefundOffer
from webapp.services import ledger, orders, resolutions

from ..conftest import assert_ledger_consistent
from ..races import needs_postgres, race, winners
from .test_races import as_view, events, postings

pytestmark = needs_postgres

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def _offered(make_order):
    order = make_order("delivered", now=START)
    resolutions.offer(order.seller, order, 500, "", START)
    return order


def test_accepting_the_partial_refund_and_accepting_the_delivery_have_one_winner(app, make_order):
    order = _offered(make_order)
    outcomes = race(
        app,
        as_view(order.id, order.buyer_id, lambda buyer, o: resolutions.accept(buyer, o, START)),
        as_view(order.id, order.buyer_id, lambda buyer, o: orders.accept(buyer, o, START)),
    )
    [winner] = winners(outcomes)
    assert all(isinstance(o.error, DomainError) for o in outcomes if not o.ok)
    db.session.refresh(order)
    assert order.state == "completed" and postings(f"order-{order.id}-release") == 1
    offer = db.session.query(PartialRefundOffer).one()
    split = outcomes[0].ok
    assert (offer.status == "accepted") == split
    assert ledger.balance(ledger.wallet_code(order.buyer_id)) == (50000 if split else 0)
    assert events(order, "accept_partial_refund") + events(order, "accept") == 1
    assert_ledger_consistent()


def test_accepting_the_partial_refund_and_asking_for_a_revision_have_one_winner(app, make_order):
    order = _offered(make_order)
    outcomes = race(
        app,
        as_view(order.id, order.buyer_id, lambda buyer, o: resolutions.accept(buyer, o, START)),
        as_view(order.id, order.buyer_id, lambda buyer, o: orders.request_revision(buyer, o, "Please add the logo", START)),
    )
    [winner] = winners(outcomes)
    db.session.refresh(order)
    if outcomes[0].ok:
        assert order.state == "completed" and postings(f"order-{order.id}-release") == 1
    else:
        assert order.state == "revision" and postings(f"order-{order.id}-release") == 0
        assert resolutions.open_offer(order) is None  # the offer lapses with the delivery
    assert_ledger_consistent()


def test_two_offers_sent_together_leave_one(app, make_order):
    order = make_order("delivered", now=START)
    outcomes = race(
        app,
        as_view(order.id, order.seller_id, lambda seller, o: resolutions.offer(seller, o, 300, "", START)),
        as_view(order.id, order.seller_id, lambda seller, o: resolutions.offer(seller, o, 400, "", START)),
    )
    assert len(winners(outcomes)) == 1
    assert db.session.query(PartialRefundOffer).filter_by(order_id=order.id, status="open").count() == 1


def test_accepting_the_partial_refund_and_opening_a_work_dispute_have_one_winner(app, make_order):
    from webapp.models import WorkDispute
    from webapp.services import work_disputes

    order = _offered(make_order)
    statement = "The delivered site has no contact form, which the package includes."
    outcomes = race(
        app,
        as_view(order.id, order.buyer_id, lambda buyer, o: resolutions.accept(buyer, o, START)),
        as_view(order.id, order.seller_id, lambda seller, o: work_disputes.open_dispute(seller, o, statement, [], START)),
    )
    [winner] = winners(outcomes)
    assert all(isinstance(o.error, DomainError) for o in outcomes if not o.ok)
    db.session.refresh(order)
    disputes = db.session.query(WorkDispute).filter_by(order_id=order.id).count()
    if outcomes[0].ok:
        assert (order.state, disputes, postings(f"order-{order.id}-release")) == ("completed", 0, 1)
    else:
        assert (order.state, disputes, postings(f"order-{order.id}-release")) == ("delivered", 1, 0)
    assert_ledger_consistent()


def test_two_decisions_on_one_work_dispute_pay_once(app, make_order, make_user):
    from webapp.models import User, WorkDispute
    from webapp.services import work_disputes

    order = make_order("delivered", now=START)
    dispute = work_disputes.open_dispute(order.buyer, order, "The delivered site has no contact form at all.", [], START)
    admin_id, dispute_id = make_user("Ada", admin=True).id, dispute.id

    def decide(decision, amount):
        def prepare():
            admin, found = db.session.get(User, admin_id), db.session.get(WorkDispute, dispute_id)
            return lambda: work_disputes.decide(admin, found, decision, amount, "Judged from the files", START)
        return prepare

    outcomes = race(app, decide("release", None), decide("split", 500))
    assert len(winners(outcomes)) == 1
    db.session.refresh(order)
    assert order.state == "completed" and postings(f"order-{order.id}-release") == 1
    assert_ledger_consistent()
