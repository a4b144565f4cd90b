"""An offer's accept and its withdrawal sent at the same instant on parallel PostgreSQL connections: one wins, and
the money is either all in escrow (accepted, one order) or all still in the buyer's wallet (withdrawn, no order)."""
from datetime import datetime, timezone

from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.models import Offer, Order, Posting, User
from webapp.services import conversations, offers, wallet

from ..conftest import assert_ledger_consistent
from ..races import needs_postgres, race, winners

pytestmark = needs_postgres

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def as_view(offer_id: int, user_id: int, action):
    def prepare():
        offer, user = db.session.get(Offer, offer_id), db.session.get(User, user_id)
        assert offer.status == "open"  # read before the start, as the thread page had it
        return lambda: action(user, offer)

    return prepare


def test_accept_and_withdraw_of_one_offer_have_one_winner(app, make_user, make_kwork, fund):
    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    kwork = make_kwork(seller)
    fund(buyer, 5000)
    message = conversations.start(buyer, seller, kwork, "Can you make me an offer?", [], START, asks_for_offer=True)
    offer = offers.make(seller, message.conversation, offers.Terms("Landing page", 3000, 4, 2, 3), START)
    offer_id, buyer_id, seller_id = offer.id, buyer.id, seller.id
    outcomes = race(
        app,
        as_view(offer_id, buyer_id, lambda user, o: offers.accept(user, o.id, START)),
        as_view(offer_id, seller_id, lambda user, o: offers.withdraw(user, o.id, START)),
    )
    [winner] = winners(outcomes)
    assert all(isinstance(o.error, DomainError) for o in outcomes if not o.ok)
    offer = db.session.get(Offer, offer_id)
    buyer = db.session.get(User, buyer_id)
    placed = db.session.query(Order).filter_by(buyer_id=buyer_id).count()
    if offer.status == "accepted":
        assert placed == 1 and wallet.balance(buyer) == 200_000
        assert db.session.query(Posting).filter_by(idempotency_key=f"order-{offer.order_id}-payment").count() == 1
    else:
        assert offer.status == "withdrawn" and placed == 0 and wallet.balance(buyer) == 500_000
    assert_ledger_consistent()
