"""Moving an order's deadline by agreement: delivery extensions and pauses.

Extension: the seller asks for N more days with a reason; the buyer accepts or declines within two days, and
silence counts as acceptance. Pause: the seller asks to stop the clock while waiting on the buyer; once the
buyer consents the order is paused, either side resumes, and the deadline moves by the paused time. A pause
ends by itself after 14 days so an order can't be parked forever.
"""
from datetime import datetime, timedelta

from flask_babel import LazyString, format_number

from ..domain import orders as rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import ExtensionRequest, Order, User
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from ..texts import ngettext
from . import notifications, orders, timers

ANSWER_WITHIN = timedelta(days=2)
MAX_EXTENSION_DAYS = 30
MAX_PAUSE = timedelta(days=14)
MIN_REASON = 10


def _reason(field: str, text: str) -> str:
    text = (text or "").strip()
    if len(text) < MIN_REASON:
        raise ValidationFailed([FieldIssue(field, _("Explain in at least %(min)s characters", min=MIN_REASON))])
    if len(text) > 2000:
        raise ValidationFailed([FieldIssue(field, _("Enter %(max)s characters or fewer", max=format_number(2000)))])
    return text


def _working(order: Order) -> Order:
    """Lock the order; deadlines only move while the seller owes work and no cancellation is pending."""
    order = orders.lock_for_update(order)
    if order.state not in rules.WORKING_STATES:
        raise DomainError(_("Only an order in work can have its deadline changed"))
    if order.open_cancellation is not None:
        raise DomainError(_("A cancellation request is open: it has to be answered first"))
    return order


def _seller_working(seller: User, order: Order) -> Order:
    order = _working(order)
    if order.seller_id != seller.id:
        raise DomainError(_("Only the seller can do this"))
    return order


def request_extension(seller: User, order: Order, days: int | None, reason: str, now: datetime) -> ExtensionRequest:
    """Ask for `days` more; the buyer has two days to answer before it is accepted automatically."""
    order = _seller_working(seller, order)
    if order.open_extension is not None:
        raise DomainError(_("An extension request is already waiting for the buyer"))
    if days is None or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed([FieldIssue("days", _("Enter a number of days from 1 to %(max)s", max=MAX_EXTENSION_DAYS))])
    request = ExtensionRequest(order=order, days=days, reason=_reason("extension_reason", reason), created_at=now)
    db.session.add(request)
    db.session.flush()
    comment = ngettext("%(num)d more day: %(reason)s", "%(num)d more days: %(reason)s", days, reason=request.reason)
    orders.record_event(order, seller, "request_extension", order.state, order.state, comment, now)
    timers.schedule("extension_deadline", order, now + ANSWER_WITHIN, ref_id=request.id)
    # The day count is worded in the buyer's language too: `more_days` is rendered when the notification is.
    more_days = LazyString(lambda: ngettext("%(num)d more day", "%(num)d more days", days))
    notifications.notify_about(order, order.buyer_id, "extension_requested",
                               _l("The seller asks for %(more_days)s on order #%(id)s. Without an answer in 2 days they are granted."),
                               more_days=more_days, id=order.id)  # fmt: skip
    db.session.commit()
    return request


def answer_extension(buyer: User, request: ExtensionRequest, accept: bool | None, now: datetime) -> ExtensionRequest:
    order = _working(request.order)
    db.session.refresh(request)
    if order.buyer_id != buyer.id:
        raise DomainError(_("Only the buyer can answer this request"))
    if request.status != "open":
        raise DomainError(_("This request has already been answered"))
    if accept is None:
        raise ValidationFailed([FieldIssue("extension_accept", _("Select whether you agree to the extra days"))])
    timers.cancel(order, "extension_deadline")
    _close_extension(request, order, accept, buyer, now)
    db.session.commit()
    return request


def _close_extension(request: ExtensionRequest, order: Order, accept: bool, actor: User | None, now: datetime, auto=False):
    orders.record_events([_extension_closed(request, order, accept, actor, now, auto)], now)


def _extension_closed(request: ExtensionRequest, order: Order, accept: bool, actor: User | None, now: datetime, auto) -> orders.EventRow:
    """Answer the request and move the deadline; returns the line of history to record."""
    request.status, request.answered_at, request.auto_accepted = ("accepted" if accept else "declined"), now, auto
    if accept:
        order.deadline_at += timedelta(days=request.days)
    action = "accept_extension" if accept else "decline_extension"
    comment = ngettext("%(num)d day", "%(num)d days", request.days)
    return (order.id, actor.id if actor else None, action, order.state, order.state, comment)


@timers.batch_handler("extension_deadline")
def _extension_unanswered(fired: timers.Fired, now: datetime) -> None:
    """Two days without the buyer's answer: the extra days are granted (one INSERT for the batch's history)."""
    events = []
    for timer, order in fired:
        request = order.extension(timer.ref_id)  # read with the locked order (timers.fire_many)
        if request is not None and request.status == "open":
            events.append(_extension_closed(request, order, True, None, now, auto=True))
    orders.record_events(events, now)


def request_pause(seller: User, order: Order, reason: str, now: datetime) -> Order:
    order = _seller_working(seller, order)
    if order.state != rules.IN_WORK:
        raise DomainError(_("Only an order in work can be paused"))
    if order.pause_requested_at is not None:
        raise DomainError(_("A pause has already been asked for"))
    order.pause_reason, order.pause_requested_at = _reason("pause_reason", reason), now
    orders.record_event(order, seller, "request_pause", order.state, order.state, order.pause_reason, now)
    db.session.commit()
    return order


def answer_pause(buyer: User, order: Order, accept: bool | None, now: datetime) -> Order:
    """The buyer consents (the clock stops now, for at most 14 days) or refuses (the request is cleared)."""
    order = _working(order)
    if order.buyer_id != buyer.id:
        raise DomainError(_("Only the buyer can answer this request"))
    if order.pause_requested_at is None or order.paused_at is not None:
        raise DomainError(_("There is no pause request to answer"))
    if accept is None:
        raise ValidationFailed([FieldIssue("pause_accept", _("Select whether you agree to pause the order"))])
    if accept:
        order.paused_at = now
        timers.schedule("pause_limit", order, now + MAX_PAUSE)
    else:
        order.pause_requested_at = order.pause_reason = None
    orders.record_event(order, buyer, "accept_pause" if accept else "decline_pause", order.state, order.state, "", now)
    db.session.commit()
    return order


def resume(actor: User | None, order: Order, now: datetime) -> Order:
    """Either side restarts the clock; the deadline moves by the time the order was paused."""
    order = _working(order)
    if actor is not None and order.role_of(actor) is None:
        raise orders.OrderNotFound("Order not found")
    if order.paused_at is None:
        raise DomainError(_("The order is not paused"))
    _resume(order, actor, now)
    timers.cancel(order, "pause_limit")
    db.session.commit()
    return order


def _resume(order: Order, actor: User | None, now: datetime) -> None:
    orders.record_events([_resumed(order, actor, now)], now)


def _resumed(order: Order, actor: User | None, now: datetime) -> orders.EventRow:
    """Restart the clock; returns the line of history to record."""
    order.deadline_at = rules.deadline_after_pause(order.deadline_at, order.paused_at, now)
    order.paused_at = order.pause_requested_at = order.pause_reason = None
    return (order.id, actor.id if actor else None, "resume", order.state, order.state, "")


@timers.batch_handler("pause_limit")
def _pause_too_long(fired: timers.Fired, now: datetime) -> None:
    """Fourteen days paused: the order resumes by itself, its deadline moved by the paused time (one INSERT for the
    batch's history)."""
    orders.record_events([_resumed(order, None, now) for _timer, order in fired if order.paused_at is not None], now)
