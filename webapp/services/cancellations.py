"""Cancellation requests: asking, answering in two steps, the 48-hour timers, and applying consequences.

The rules (which reason when, what it costs the seller) are data in domain.cancellations; this module applies
them to orders, money (through orders.refund_and_close) and timers.
"""
from datetime import datetime, timedelta

from flask_babel import force_locale, format_number

from ..domain import cancellations as rules
from ..domain import orders as order_rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import CancellationRequest, Order, OrderMessage, User
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import notifications, orders, timers

ANSWER_WITHIN = timedelta(hours=48)


def reasons(order: Order, user: User, now: datetime) -> list[rules.Reason]:
    """The reasons this party may give now (none while a request is open or the order is closed)."""
    role = order.role_of(user)
    if role is None or order.open_cancellation is not None:
        return []
    return rules.reasons_for(role, order.state, late=order.late(now), requirements_sent=order.requirements_sent_at is not None)


def request(actor: User, order: Order, reason: str, comment: str, now: datetime) -> CancellationRequest:
    """Ask to cancel. Reasons that apply at once ("ordered by mistake", "seller is late") cancel immediately.

    Guards: the reason is valid for the actor's side and the order's state (and lateness, and whether requirements
    were ever sent); the comment has the reason's minimum length; only one open request per order.
    Effects: an open request and a 48-hour timer ("no information": the buyer's deadline to send it;
    otherwise: applied as agreed if unanswered), or, for immediate reasons, the cancellation and refund.
    """
    order = orders.lock_for_update(order)
    role = order.role_of(actor)
    if role is None:
        raise orders.OrderNotFound("Order not found")
    if order.open_cancellation is not None:
        raise DomainError(_("A cancellation request is already open for this order"))
    if orders.under_arbitration(order):
        raise DomainError(_("The work is with arbitration: an administrator decides first"))
    allowed = {r.code: r for r in reasons(order, actor, now)}
    if reason not in allowed:
        raise ValidationFailed([FieldIssue("reason", _("Select one of the reasons listed"))])
    chosen = allowed[reason]
    comment = (comment or "").strip()
    if len(comment) < chosen.min_comment:
        raise ValidationFailed(
            [FieldIssue("comment", _("Explain in at least %(min)s characters – a clear reason is more likely to be agreed", min=chosen.min_comment))]
        )
    if len(comment) > 3000:
        raise ValidationFailed([FieldIssue("comment", _("Enter %(max)s characters or fewer", max=format_number(3000)))])
    cancellation = CancellationRequest(
        order=order, initiator_id=actor.id, initiator_role=role, reason=reason, comment=comment,
        state_when_requested=order.state, created_at=now,
    )  # fmt: skip
    db.session.add(cancellation)
    db.session.flush()
    with force_locale("en"):  # the history keeps the reason in English, as data, and shows it translated
        orders.record_event(order, actor, "request_cancellation", order.state, order.state, str(chosen.label), now)
    other = order.seller_id if role == "buyer" else order.buyer_id
    if chosen.applies_at_once:
        apply(cancellation, order, agreed=True, actor=actor, now=now)
        notifications.notify_about(order, other, "cancellation_requested", _l("%(name)s cancelled order #%(id)s: %(reason)s."),
                                    name=actor.display_name, id=order.id, reason=chosen.label)
    else:
        notifications.notify_about(order, other, "cancellation_requested",
                                    _l("%(name)s asked to cancel order #%(id)s: %(reason)s. Answer within 48 hours."),
                                    name=actor.display_name, id=order.id, reason=chosen.label)
        # The order is frozen while the request waits: no auto-completion can pay the seller meanwhile.
        timers.cancel(order, "auto_complete", "requirements_deadline")
        kind = "info_deadline" if reason == "no_information" else "cancel_request_deadline"
        timers.schedule(kind, order, now + ANSWER_WITHIN, ref_id=cancellation.id)
    db.session.commit()
    return cancellation


REQUIREMENTS_TIMEOUT_COMMENT = _l("The buyer did not send the requirements in time")


def answer(actor: User, cancellation: CancellationRequest, *, accept: bool | None, reason_correct: bool | None, now: datetime):
    """The other party answers: accept or decline the cancellation; if accepted, is the stated reason correct?"""
    order = orders.lock_for_update(cancellation.order)
    db.session.refresh(cancellation)  # its status as the lock holder before us left it
    if order.role_of(actor) in (None, cancellation.initiator_role):
        raise DomainError(_("Only the other party can answer this request"))
    if cancellation.status != "open":
        raise DomainError(_("This request has already been answered"))
    if accept is None:
        raise ValidationFailed([FieldIssue("accept", _("Select whether you agree to cancel the order"))])
    if accept and reason_correct is None:
        raise ValidationFailed([FieldIssue("reason_correct", _("Select whether the stated reason is correct"))])
    timers.cancel(order, "info_deadline", "cancel_request_deadline")
    cancellation.answered_at = now
    if accept and reason_correct is False:  # the asking party must know: it may cost the seller, and can be disputed
        notifications.notify_about(order, cancellation.initiator_id, "cancellation_answered",
                                    _l("%(name)s accepted your request to cancel order #%(id)s but said the reason was not correct. "
                                       "You can take this to arbitration within 14 days."), name=actor.display_name, id=order.id)  # fmt: skip
    else:
        notifications.notify_about(order, cancellation.initiator_id, "cancellation_answered",
                                    _l("Your request to cancel order #%(id)s was accepted.") if accept else
                                    _l("Your request to cancel order #%(id)s was declined."), id=order.id)  # fmt: skip
    if accept:
        apply(cancellation, order, agreed=reason_correct, actor=actor, now=now)
    else:
        cancellation.status = "declined"
        orders.record_event(order, actor, "decline_cancellation", order.state, order.state, "", now)
        if order.state == order_rules.DELIVERED:  # the buyer again has three days to answer the delivery
            timers.schedule("auto_complete", order, now + orders.AUTO_COMPLETE_AFTER)
        elif order.state == order_rules.AWAITING_REQUIREMENTS:  # the requirements deadline runs again
            orders.schedule_requirements_deadline(order, now)
    db.session.commit()
    return cancellation


def provide_information(buyer: User, cancellation: CancellationRequest, text: str, now: datetime):
    """Answer a "no information" request by sending it: the request is cleared and the order goes on."""
    order = orders.lock_for_update(cancellation.order)
    db.session.refresh(cancellation)
    if order.buyer_id != buyer.id or cancellation.reason != "no_information" or cancellation.status != "open":
        raise DomainError(_("There is no request for information to answer"))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed([FieldIssue("information", _("Enter the information the seller asked for"))])
    cancellation.status, cancellation.answered_at = "resolved", now
    timers.cancel(order, "info_deadline")
    db.session.add(OrderMessage(order=order, author_id=buyer.id, kind="message", body=text, created_at=now))
    orders.record_event(order, buyer, "provide_information", order.state, order.state, "", now)
    notifications.notify_about(order, cancellation.initiator_id, "cancellation_answered",
                                _l("The buyer sent the information you asked for on order #%(id)s; the order goes on."), id=order.id)
    db.session.commit()
    return cancellation


def apply(cancellation: CancellationRequest, order: Order, *, agreed: bool, actor: User | None, now: datetime, auto=False):
    """Cancel and refund with the consequences the reason and answer carry (the order is locked by the caller)."""
    apply_all([(cancellation, order)], agreed=agreed, actor=actor, now=now, auto=auto)


def apply_all(applying: list[tuple[CancellationRequest, Order]], *, agreed: bool, actor: User | None, now: datetime, auto=False):
    """`apply` for many requests, their orders locked by the caller, with a fixed number of statements."""
    closing = []
    for cancellation, order in applying:
        result = rules.consequence(cancellation.initiator_role, cancellation.reason, cancellation.state_when_requested, agreed)
        cancellation.status, cancellation.reason_agreed, cancellation.auto_applied = "applied", agreed, auto
        cancellation.counts_against_seller = result.counts_against_seller
        cancellation.buyer_may_review = result.buyer_may_review
        cancellation.spared_if_reordered = result.spared_if_reordered
        # The history keeps the reason in English, as data; the order page shows it in the reader's language.
        with force_locale("en"):
            closing.append((order, str(rules.REASONS[cancellation.reason].label)))
    orders.refund_and_close_all(closing, actor, now)


@timers.batch_handler("cancel_request_deadline")
@timers.batch_handler("info_deadline")
def _unanswered(fired: timers.Fired, now: datetime) -> None:
    """48 hours without an answer (or without the information asked for): cancelled, the reason taken as agreed."""
    applying = []
    for timer, order in fired:
        cancellation = order.cancellation(timer.ref_id)  # read with the locked order (timers.fire_many)
        if cancellation is not None and cancellation.status == "open":
            cancellation.answered_at = now
            applying.append((cancellation, order))
    apply_all(applying, agreed=True, actor=None, now=now, auto=True)
    notifications.notify_about_all("cancellation_answered", _l("Order #%(id)s was cancelled: your request had no answer in time."),
                                   [(order.id, cancellation.initiator_id) for cancellation, order in applying])  # fmt: skip


@timers.batch_handler("requirements_deadline")
def _requirements_timeout(fired: timers.Fired, now: datetime) -> None:
    """The buyer never sent the requirements in time: cancelled and refunded, with no request and so no rating
    impact (domain.cancellations); both parties are told."""
    with force_locale("en"):  # kept in English as data; the history shows it in the reader's language
        comment = str(REQUIREMENTS_TIMEOUT_COMMENT)
    orders.refund_and_close_all([(order, comment) for _timer, order in fired], None, now)
    notifications.notify_about_all("cancellation_answered",
                                   _l("Order #%(id)s was cancelled because the requirements were not sent in time. The payment was returned to your balance."),
                                   [(order.id, order.buyer_id) for _timer, order in fired])
    notifications.notify_about_all("cancellation_answered",
                                   _l("Order #%(id)s was cancelled because the buyer did not send the requirements in time. It does not affect your rating."),
                                   [(order.id, order.seller_id) for _timer, order in fired])


@timers.batch_handler("warn_requirements_deadline")
def _warn_requirements(fired: timers.Fired, now: datetime) -> None:
    coming = notifications.coming(fired, now)
    notifications.notify_about_all("timer_warning", _l("Order #%(id)s will be cancelled within 24 hours unless you send the requirements."),
                                   [(order.id, order.buyer_id) for timer, order in fired if timer.id in coming])  # fmt: skip
