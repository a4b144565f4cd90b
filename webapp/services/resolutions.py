"""Resolving a delivered order without an admin: the seller offers a partial refund, the buyer accepts or declines.

An accepted offer completes the order with the split, in one posting under the order's release key (an order is
released once, whichever way): the refund back to the buyer's wallet, the rest to the seller less the commission
on what the seller keeps (domain.orders.split).
"""
from datetime import datetime

from flask import current_app
from flask_babel import format_decimal
from sqlalchemy import select

from ..domain import orders as rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import Order, PartialRefundOffer, User
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import ledger, notifications, orders, reviews, timers

MAX_COMMENT = 3000


def open_offer(order: Order) -> PartialRefundOffer | None:
    """The offer waiting for the buyer's answer on the current delivery. An offer lapses when the delivery does (a
    revision, a completion): it is read only while the order is delivered, and only if made since the delivery."""
    if order.state != rules.DELIVERED or order.delivered_at is None:
        return None
    query = select(PartialRefundOffer).where(
        PartialRefundOffer.order_id == order.id, PartialRefundOffer.status == "open", PartialRefundOffer.created_at >= order.delivered_at
    )
    return db.session.scalar(query)


def offer(seller: User, order: Order, refund_units: int | None, comment: str, now: datetime) -> PartialRefundOffer:
    """The seller offers to give `refund_units` (whole currency units) of a delivered order back.

    Guards: the order's seller; the order delivered, no open cancellation request or offer; the refund at least 1
    and less than the total (a full refund is a cancellation); comment at most 3,000 characters.
    Effects: an open offer, an order event, the buyer notified. The auto-completion keeps running: the buyer
    answers before it, or the delivery is accepted in full.
    """
    order = orders.lock_for_update(order)
    if order.seller_id != seller.id:
        raise orders.OrderNotFound("Order not found")
    if order.state != rules.DELIVERED:
        raise DomainError(_("A partial refund can only be offered on a delivered order"))
    if order.open_cancellation is not None:
        raise DomainError(_("A cancellation request is open: it has to be answered first"))
    if open_offer(order) is not None:
        raise DomainError(_("A partial refund offer is already waiting for the buyer"))
    if orders.under_arbitration(order):
        raise DomainError(_("The work is with arbitration: an administrator decides first"))
    top = (order.total - 1) // 100
    if refund_units is None or not 1 <= refund_units <= top:
        raise ValidationFailed([FieldIssue("refund", _("Enter an amount from 1 to %(max)s", max=format_decimal(top)))])
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed([FieldIssue("refund_comment", _("Enter %(max)s characters or fewer", max=format_decimal(MAX_COMMENT)))])
    found = PartialRefundOffer(order_id=order.id, amount=refund_units * 100, comment=comment, created_at=now)
    db.session.add(found)
    orders.record_event(order, seller, "offer_partial_refund", order.state, order.state, comment, now)
    notifications.notify_about(order, order.buyer_id, "delivered",
                               _l("The seller of order #%(id)s offers to refund part of the payment. Accept the offer to complete the order with it."),
                               id=order.id)  # fmt: skip
    db.session.commit()
    return found


def _locked_offer(order: Order) -> tuple[Order, PartialRefundOffer]:
    order = orders.lock_for_update(order)
    found = open_offer(order)
    if found is None:
        raise DomainError(_("There is no partial refund offer to answer"))
    return order, found


def accept(buyer: User, order: Order, now: datetime) -> Order:
    """The buyer accepts the open offer: the order completes with the split.

    Guards (read under the order's lock): the buyer; the order still delivered with the offer open; no open
    cancellation request. Effects: completed, timers off, one posting (`order-<id>-release`, kind "split"),
    the seller notified, the kwork's rating recomputed.
    """
    order, found = _locked_offer(order)
    if order.buyer_id != buyer.id:
        raise DomainError(_("Only the buyer can answer this offer"))
    if order.open_cancellation is not None:
        raise DomainError(_("A cancellation request is open: it has to be answered first"))
    if orders.under_arbitration(order):
        raise DomainError(_("The work is with arbitration: an administrator decides first"))
    found.status, found.answered_at = "accepted", now
    previous, order.state = order.state, rules.COMPLETED
    order.completed_at = now
    orders.record_event(order, buyer, "accept_partial_refund", previous, rules.COMPLETED, "", now)
    timers.cancel(order)
    post_split(order, found.amount, f"order-{order.id}-release")
    notifications.notify_about(order, order.seller_id, "order_completed",
                               _l("The buyer accepted your partial refund on order #%(id)s: the order is completed and the rest of the payment released to your balance."),
                               id=order.id)  # fmt: skip
    db.session.flush()
    reviews.refresh_kwork_rating(order.kwork_id)
    db.session.commit()
    return order


def decline(buyer: User, order: Order, now: datetime) -> Order:
    """The buyer declines the open offer; the delivery stands as it was (accept, revision, or auto-completion)."""
    order, found = _locked_offer(order)
    if order.buyer_id != buyer.id:
        raise DomainError(_("Only the buyer can answer this offer"))
    found.status, found.answered_at = "declined", now
    orders.record_event(order, buyer, "decline_partial_refund", order.state, order.state, "", now)
    notifications.notify_about(order, order.seller_id, "cancellation_answered",
                               _l("The buyer declined your partial refund offer on order #%(id)s."), id=order.id)
    db.session.commit()
    return order


def post_split(order: Order, refund: int, key: str) -> None:
    """Empty the order's escrow: `refund` (minor units) back to the buyer, the rest to the seller less the
    commission on the seller's part (domain.orders.split). One balanced posting under `key`."""
    to_buyer, to_seller, fee = rules.split(order.total, refund, current_app.config["COMMISSION_PERCENT"])
    movements = [ledger.Movement(ledger.escrow_code(order.id), -order.total)]
    if to_buyer:
        movements.append(ledger.Movement(ledger.wallet_code(order.buyer_id), to_buyer))
    if to_seller:
        movements.append(ledger.Movement(ledger.wallet_code(order.seller_id), to_seller))
    if fee:
        movements.append(ledger.Movement(ledger.PLATFORM_COMMISSION, fee))
    ledger.post(key, "split", movements, memo=_l("Order #%(id)s completed with a partial refund"), id=order.id)
