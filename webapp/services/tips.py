"""Tips: on a completed order the buyer may thank the seller with money from their balance.

Commission rule: a tip is earnings like the order itself, so the platform keeps the same commission
(GIGSMITH_COMMISSION_PERCENT, rounded down in the seller's favour: domain.orders.commission); the seller receives
the rest. One tip per order, one posting (`order-<id>-tip`).
"""
from datetime import datetime

from flask import current_app
from flask_babel import format_decimal
from sqlalchemy import select

from ..domain import orders as rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import Order, Tip, User
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import ledger, notifications, orders

MAX_TIP = 100_000  # whole currency units


def for_order(order: Order) -> Tip | None:
    return db.session.scalar(select(Tip).where(Tip.order_id == order.id))


def can_tip(order: Order, user: User) -> bool:
    return user.id == order.buyer_id and order.state == rules.COMPLETED and for_order(order) is None


def tip(buyer: User, order: Order, amount_units: int | None, now: datetime) -> Tip:
    """The buyer tips the seller `amount_units` (whole units, 1–100,000) from their balance.

    Guards (on the locked order): the buyer of a completed order without a tip; the balance covers it
    (InsufficientFunds becomes a field error, nothing charged). Effects: the tip row, one posting (buyer's wallet →
    seller's wallet and the commission), an order event, the seller notified.
    """
    if amount_units is None or not 1 <= amount_units <= MAX_TIP:
        raise ValidationFailed([FieldIssue("tip", _("Enter an amount from 1 to %(max)s", max=format_decimal(MAX_TIP)))])
    order = orders.lock_for_update(order)
    if order.buyer_id != buyer.id:
        raise DomainError(_("Only the buyer can tip the seller"))
    if order.state != rules.COMPLETED:
        raise DomainError(_("A tip can be added to a completed order only"))
    if for_order(order) is not None:
        raise DomainError(_("You have already tipped the seller for this order"))
    amount = amount_units * 100
    fee = rules.commission(amount, current_app.config["COMMISSION_PERCENT"])
    movements = [ledger.Movement(ledger.wallet_code(buyer.id), -amount), ledger.Movement(ledger.wallet_code(order.seller_id), amount - fee)]
    if fee:
        movements.append(ledger.Movement(ledger.PLATFORM_COMMISSION, fee))
    found = Tip(order_id=order.id, amount=amount, commission=fee, created_at=now)
    db.session.add(found)
    try:
        ledger.post(f"order-{order.id}-tip", "tip", movements, memo=_l("Tip on order #%(id)s"), id=order.id)
    except ledger.InsufficientFunds:
        db.session.rollback()
        raise ValidationFailed([FieldIssue("tip", _("Your balance is too low for this tip. Nothing has been charged."))]) from None
    orders.record_event(order, buyer, "tip", order.state, order.state, "", now)
    notifications.notify_about(order, order.seller_id, "tip", _l("%(name)s left you a tip on order #%(id)s."),
                               name=buyer.display_name, id=order.id)  # fmt: skip
    db.session.commit()
    return found
