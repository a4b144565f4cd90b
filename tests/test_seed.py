from webapp import seed
from webapp.extensions import db
from webapp.models import ConversationMessage, Dispute, Kwork, Offer, Order, Posting, User
from webapp.services import wallet

from .conftest import assert_ledger_consistent


def test_seed_is_idempotent_and_shows_a_working_marketplace(ctx):
    first = seed.run()
    counts = (db.session.query(User).count(), db.session.query(Kwork).count(), db.session.query(Order).count())
    postings = db.session.query(Posting).count()
    messages, offers = db.session.query(ConversationMessage).count(), db.session.query(Offer).count()
    assert first == {"users": 4, "kworks": 5, "orders": 2 + seed.REPEAT_ORDERS, "conversations": 2}
    assert seed.run() == {"users": 0, "kworks": 0, "orders": 0, "conversations": 0}
    assert (db.session.query(ConversationMessage).count(), db.session.query(Offer).count()) == (messages, offers)
    assert counts == (db.session.query(User).count(), db.session.query(Kwork).count(), db.session.query(Order).count())
    assert db.session.query(Posting).count() == postings
    assert db.session.query(Kwork).filter_by(status="active").count() == 5
    carla = db.session.query(User).filter_by(email="carla@example.com").one()
    # The reviewed order (standard) and the repeat orders (economy) are paid; the disputed one was refunded.
    assert wallet.balance(carla) == 2_000_000 - 500_000 - seed.REPEAT_ORDERS * 250_000
    dispute = db.session.query(Dispute).one()
    assert dispute.status == "open" and dispute.opened_role == "seller" and dispute.cancellation.reason_agreed is False
    assert db.session.query(User).filter_by(email="admin@example.com").one().is_admin
    assert all(user.email_verified_at is not None for user in db.session.query(User))  # demo users may sell at once
    # Levels are computed at seed, so the demo shows badges: Boris (60 days, 6 completed orders) is Level 1.
    assert {user.email: user.level for user in db.session.query(User)}["boris@example.com"] == "level_1"
    assert db.session.query(User).filter_by(email="anna@example.com").one().level == "new"
    assert_ledger_consistent()
    # Carla's inbox: Anna's thread (about the API docs kwork) ends in an open individual offer, Boris answered her.
    from webapp.services import conversations

    threads = conversations.inbox(carla)
    assert [t.other.display_name for t in threads] == ["Anna Petrova", "Boris Design"]
    assert conversations.get_for(carla, threads[0].conversation.id).kwork.title == "I will write technical documentation for your API"
    assert threads[0].unread == 2 and threads[1].unread == 1
    offer = db.session.query(Offer).one()
    assert offer.status == "open" and offer.buyer_id == carla.id and offer.price == 4500
    assert not db.session.query(ConversationMessage).filter_by(flagged=True).count()  # nothing for the moderators
