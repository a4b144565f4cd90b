"""Individual offers in a conversation: the seller makes one, the buyer accepts it (the price goes from their balance
into escrow through the same ledger posting as a checkout, and an order is placed with the offer's terms) or
declines it with a reason; the seller withdraws it while it is open; a timer row expires it.

Every answer locks the offer row and decides on what the lock read (services.locking), so an accept and a
withdraw sent at once can't both win. The expiry timer never needs cancelling: when it fires it locks the offer and
does nothing unless the offer is still open.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from .. import links
from ..domain import offers as rules
from ..domain import orders as order_rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..domain.tiers import MAX_DAYS, MAX_PRICE, MAX_REVISIONS, MIN_DAYS, MIN_PRICE
from ..extensions import db
from ..models import Conversation, ConversationMember, ConversationMessage, Kwork, Offer, Order, User
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import availability, blocking, bulk, conversations, locking, notifications, orders, timers
from .orders import MAX_TEXT

EXPIRY_KIND = "offer_expiry"


class OfferNotFound(DomainError):
    """No such offer in a conversation of this user."""


@dataclass(frozen=True)
class Terms:
    description: str | None
    price: int | None  # whole currency units
    delivery_days: int | None
    revisions: int | None
    expires_in_days: int | None
    kwork_id: int | None = None  # the base kwork; None: the one the conversation started from, else the seller's newest


def seller_kworks(seller: User) -> list[Kwork]:
    """The seller's active kworks, newest first: what an offer can be based on."""
    query = select(Kwork).where(Kwork.seller_id == seller.id, Kwork.status == "active", Kwork.deleted_at.is_(None))
    return list(db.session.scalars(query.order_by(Kwork.created_at.desc(), Kwork.id.desc())))


def _check_terms(terms: Terms) -> list[FieldIssue]:
    issues = []
    description = (terms.description or "").strip()
    if not description:
        issues.append(FieldIssue("description", _("Describe what you will do")))
    elif len(description) > MAX_TEXT:
        issues.append(FieldIssue("description", _("Enter %(max)s characters or fewer", max=f"{MAX_TEXT:,}")))
    if terms.price is None or not MIN_PRICE <= terms.price <= MAX_PRICE:
        issues.append(FieldIssue("price", _("Enter a price from %(min)s to %(max)s", min=f"{MIN_PRICE:,}", max=f"{MAX_PRICE:,}")))
    if terms.delivery_days is None or not MIN_DAYS <= terms.delivery_days <= MAX_DAYS:
        issues.append(FieldIssue("delivery_days", _("The delivery time must be between %(min)s and %(max)s days", min=MIN_DAYS, max=MAX_DAYS)))
    if terms.revisions is None or not 0 <= terms.revisions <= MAX_REVISIONS:
        issues.append(FieldIssue("revisions", _("The revisions must be between 0 and %(max)s", max=MAX_REVISIONS)))
    if terms.expires_in_days is None or not rules.MIN_EXPIRY_DAYS <= terms.expires_in_days <= rules.MAX_EXPIRY_DAYS:
        issues.append(FieldIssue("expires_in_days", _("Enter a number of days from %(min)s to %(max)s", min=rules.MIN_EXPIRY_DAYS,
                                                      max=rules.MAX_EXPIRY_DAYS)))  # fmt: skip
    return issues


def _base_kwork(seller: User, conversation: Conversation, kwork_id: int | None) -> Kwork:
    mine = seller_kworks(seller)
    if kwork_id is not None:
        chosen = next((k for k in mine if k.id == kwork_id), None)
        if chosen is None:
            raise ValidationFailed([FieldIssue("kwork_id", _("Select one of your active kworks"))])
        return chosen
    started_from = next((k for k in mine if k.id == conversation.kwork_id), None)
    if started_from or mine:
        return started_from or mine[0]
    raise DomainError(_("Publish a kwork first: an offer is based on one of your active kworks"))


def make(seller: User, conversation: Conversation, terms: Terms, now: datetime) -> Offer:
    """The seller offers individual terms to the other person of the conversation.

    Guards: the seller is in the conversation and may write to the buyer (services.conversations.write_problem); they
    have not blocked the buyer; every term within the kwork editor's limits; expiry 1–14 days.
    Effects: the offer (open) with an expiry timer row; a message in the thread that is the offer's card; the
    buyer's unread count and notification as for any message.
    """
    if issues := _check_terms(terms):
        raise ValidationFailed(issues)
    conversation = locking.lock(Conversation, conversation.id)
    if conversation is None or not conversation.has(seller):
        db.session.rollback()
        raise conversations.ConversationNotFound("Conversation not found")
    buyer = db.session.get(User, conversation.other_id(seller))
    try:
        if problem := conversations.write_problem(seller, buyer):
            raise DomainError(problem)
        if blocking.is_blocked(seller.id, buyer.id):
            raise DomainError(_("You blocked %(name)s: unblock them to make an offer", name=buyer.display_name))
        kwork = _base_kwork(seller, conversation, terms.kwork_id)
    except DomainError:
        db.session.rollback()
        raise
    offer = Offer(conversation_id=conversation.id, seller_id=seller.id, buyer_id=buyer.id, kwork_id=kwork.id,
                  description=terms.description.strip(), price=terms.price, delivery_days=terms.delivery_days,
                  revisions=terms.revisions, expires_at=now + timedelta(days=terms.expires_in_days), created_at=now)  # fmt: skip
    db.session.add(offer)
    db.session.flush()
    timers.schedule_row(EXPIRY_KIND, offer.id, offer.expires_at, for_state=rules.OPEN)
    conversations.add_message(conversation, seller, buyer, offer.description, now, offer_id=offer.id)
    db.session.commit()
    return offer


def get_for(user: User, offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None or user.id not in (offer.seller_id, offer.buyer_id):
        raise OfferNotFound("Offer not found")
    return offer


def _lock(user: User, offer_id: int) -> Offer:
    offer = locking.lock(Offer, offer_id)
    if offer is None or user.id not in (offer.seller_id, offer.buyer_id):
        db.session.rollback()
        raise OfferNotFound("Offer not found")
    return offer


def _answer(offer: Offer, user: User | None, action: str, now: datetime) -> None:
    """Apply the table's transition to the locked offer (an offer past its expiry is expired, whatever the timer)."""
    role = None if user is None else ("seller" if user.id == offer.seller_id else "buyer")
    if action != "expire" and offer.status == rules.OPEN and offer.expires_at <= now:
        offer.status, offer.answered_at = rules.EXPIRED, now
        db.session.commit()
        raise rules.OfferClosed(_("This offer has expired"))
    try:
        offer.status = rules.target(offer.status, action, role)
    except rules.OfferClosed:
        db.session.rollback()
        raise
    offer.answered_at = now


def conversation_requirements(offer: Offer) -> str:
    """The order's requirements: the offer's description, then the conversation as it stood, oldest first."""
    messages = db.session.scalars(
        select(ConversationMessage).where(ConversationMessage.conversation_id == offer.conversation_id).order_by(ConversationMessage.id)
    )
    lines = [offer.description, "", "—"]
    lines += [f"{message.author.display_name} ({message.created_at:%Y-%m-%d %H:%M} UTC): {message.body}" for message in messages]
    return "\n".join(lines)[:50_000]


def accept(buyer: User, offer_id: int, now: datetime) -> Order:
    """The buyer accepts: an order with the offer's terms at state `new`, the conversation as its requirements, paid
    from the buyer's balance into escrow with the checkout's own ledger posting.

    Guards: the offer is open and not past its expiry; the user is its buyer; the seller has not blocked them and
    can take orders; the base kwork still exists. Raises ledger.InsufficientFunds when the balance can't cover the
    price: nothing changes and the offer stays open (the buyer tops up and accepts again).
    """
    offer = _lock(buyer, offer_id)
    if offer.buyer_id != buyer.id:
        db.session.rollback()
        raise rules.OfferClosed(_("Only the buyer can accept this offer"))
    _answer(offer, buyer, "accept", now)
    kwork, seller = offer.kwork, db.session.get(User, offer.seller_id)
    problem = None
    if kwork.deleted_at is not None or seller.is_suspended:
        problem = _("This offer’s kwork is no longer available")
    elif blocking.is_blocked(seller.id, buyer.id):
        problem = _("This seller does not take orders from you")
    elif availability.is_away(seller, now):
        problem = _("The seller is away and not taking new orders until they are back")
    if problem:
        db.session.rollback()
        raise DomainError(problem)
    requirements = conversation_requirements(offer)
    order = Order(
        buyer_id=buyer.id, seller_id=seller.id, kwork_id=kwork.id, checkout_token=f"offer-{offer.id}",
        state=order_rules.NEW, tier_level="economy", title=kwork.title, tier_description=_offer_label(offer),
        included_options=[], unit_price=offer.price * 100, quantity=1, total=offer.price * 100,
        delivery_days=offer.delivery_days, revisions_included=offer.revisions, buyer_instructions=kwork.buyer_instructions,
        requirements=requirements, requirements_sent_at=now, created_at=now,
    )  # fmt: skip
    db.session.add(order)
    try:
        orders.pay_into_escrow(order, buyer)
    except DomainError:
        db.session.rollback()
        raise
    offer.order_id = order.id
    orders._message(order, buyer, "requirements", requirements, [], now)
    orders.record_event(order, buyer, "place", None, order.state, "", now)
    notifications.notify_about(order, seller.id, "new_order", _l("%(name)s accepted your offer: order #%(id)s."), name=buyer.display_name,
                               id=order.id)  # fmt: skip
    db.session.commit()
    return order


def _offer_label(offer: Offer) -> str:
    return f"#{offer.id}: {offer.description}"[:200]


def decline(buyer: User, offer_id: int, reason: str | None, now: datetime) -> Offer:
    """The buyer declines with a reason (required, so the seller can make a better one)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([FieldIssue("reason", _("Say why you are declining the offer"))])
    if len(reason) > 1000:
        raise ValidationFailed([FieldIssue("reason", _("Enter %(max)s characters or fewer", max="1,000"))])
    offer = _lock(buyer, offer_id)
    _answer(offer, buyer, "decline", now)
    offer.decline_reason = reason
    notifications.notify(offer.seller_id, "offer", _l("%(name)s declined your offer: “%(reason)s”"),
                         links.path("inbox.show", conversation_id=offer.conversation_id), name=buyer.display_name, reason=reason[:200])  # fmt: skip
    db.session.commit()
    return offer


def withdraw(seller: User, offer_id: int, now: datetime) -> Offer:
    """The seller takes back an offer the buyer has not answered yet."""
    offer = _lock(seller, offer_id)
    _answer(offer, seller, "withdraw", now)
    db.session.commit()
    return offer


@timers.row_handler(EXPIRY_KIND)
def _expire(due: list, now: datetime) -> int:
    """The offers' time ran out while they were still open: they expire (locked and read as rows in one ordered
    statement, the decision taken from what the lock read; any answer given meanwhile stands), each buyer told.
    A fixed number of statements however many: the lock, one UPDATE, the sellers' names, the notifications'
    INSERT. Returns how many expired."""
    table = Offer.__table__
    locked = db.session.execute(
        select(table.c.id, table.c.status, table.c.seller_id, table.c.buyer_id, table.c.conversation_id)
        .where(bulk.among(table.c.id, {timer.ref_id for timer in due})).order_by(table.c.id).with_for_update(of=table)
    ).all()  # fmt: skip
    expiring = [offer for offer in locked if offer.status == rules.OPEN]
    if not expiring:
        return 0
    ids = [offer.id for offer in expiring]
    db.session.execute(update(table).where(bulk.among(table.c.id, ids)).values(status=rules.target(rules.OPEN, "expire", None), answered_at=now))
    locking.expire_loaded(Offer, ids)  # an Offer loaded before (a test's) reads its new status
    names = dict(db.session.execute(select(User.id, User.display_name).where(bulk.among(User.id, {o.seller_id for o in expiring}))).all())
    paths = links.paths("inbox.show", "conversation_id", sorted({o.conversation_id for o in expiring}))
    notifications.notify_all("offer", _l("An offer from %(name)s expired."),
                             [(o.buyer_id, paths[o.conversation_id], {"name": names[o.seller_id]}) for o in expiring])  # fmt: skip
    return len(expiring)


__all__ = ["ConversationMember"]
