"""Arbitration of delivered work: a party opens a dispute about the work, the other answers, an admin decides.

The decisions and what they mean for the order, the money and the seller's rating are data in
domain.arbitration. While a dispute is open the order is frozen: no state change (services.orders refuses it), no
cancellation request, no partial-refund offer, and the auto-completion is stopped. Every decision is one ledger
posting, an audit-log entry and a notification to both parties with the admin's reason.
"""
from datetime import datetime

from flask_babel import format_decimal
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from .. import links
from ..domain import arbitration as rules
from ..domain import orders as order_rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import CancellationRequest, Order, User, WorkDispute
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import audit, cancellations, notifications, orders, resolutions, reviews, timers

MAX_TEXT = 3000


def open_for(order: Order) -> WorkDispute | None:
    """The order's dispute about the work waiting for a decision, if any."""
    return db.session.scalar(select(WorkDispute).where(WorkDispute.order_id == order.id, WorkDispute.status == "open"))


# Built once: every order page runs it (building a SELECT costs about as much as running it).
_FOR_ORDER = select(WorkDispute).where(WorkDispute.order_id == bindparam("order_id")).order_by(WorkDispute.id)


def for_order(order: Order) -> list[WorkDispute]:
    return list(db.session.scalars(_FOR_ORDER, {"order_id": order.id}))


def can_open(order: Order, user: User, disputes: list[WorkDispute] | None = None) -> bool:
    """A party may take the delivered work to arbitration: a delivery exists, the order is delivered or back for a
    revision, and no cancellation request or dispute about the work is open. `disputes`: the order's, when the
    caller has them (the order page), to ask nothing more of the database."""
    if order.role_of(user) is None or order.state not in rules.DISPUTABLE_STATES or order.delivered_at is None:
        return False
    if order.open_cancellation is not None:
        return False
    return not any(d.status == "open" for d in disputes) if disputes is not None else open_for(order) is None


def _statement(field: str, text: str | None) -> str:
    text = (text or "").strip()
    if len(text) < rules.MIN_STATEMENT:
        raise ValidationFailed([FieldIssue(field, _("Explain in at least %(min)s characters", min=rules.MIN_STATEMENT))])
    if len(text) > MAX_TEXT:
        raise ValidationFailed([FieldIssue(field, _("Enter %(max)s characters or fewer", max=format_decimal(MAX_TEXT)))])
    return text


def open_dispute(actor: User, order: Order, statement: str, files: list, now: datetime) -> WorkDispute:
    """Take the delivered work to arbitration with a statement and up to 5 files.

    Guards (on the locked order): `can_open`; statement 20–3,000 characters; the files' count and size.
    Effects: the statement as an order message with its files, the dispute, the auto-completion stopped, an order
    event, the other party notified.
    """
    statement = _statement("work_statement", statement)
    files = orders._check_files(list(files), "work_files")
    order = orders.lock_for_update(order)
    role = order.role_of(actor)
    if role is None:
        raise orders.OrderNotFound("Order not found")
    if not can_open(order, actor):
        raise DomainError(_("This order can’t be taken to arbitration now: it needs a delivery and no open request or dispute"))
    message = orders._message(order, actor, "message", statement, files, now)
    db.session.flush()
    dispute = WorkDispute(order_id=order.id, opened_by_id=actor.id, opened_role=role, statement_id=message.id,
                          state_when_opened=order.state, created_at=now)  # fmt: skip
    db.session.add(dispute)
    timers.cancel(order, "auto_complete")
    orders.record_event(order, actor, "open_work_dispute", order.state, order.state, "", now)
    other = order.seller_id if role == "buyer" else order.buyer_id
    notifications.notify_about(order, other, "work_dispute",
                               _l("%(name)s took the work on order #%(id)s to arbitration. Answer with your side before an administrator decides."),
                               name=actor.display_name, id=order.id)  # fmt: skip
    db.session.commit()
    return dispute


def answer(actor: User, order: Order, text: str, files: list, now: datetime) -> WorkDispute:
    """The other party answers the statement once, with up to 5 files."""
    text = _statement("work_answer", text)
    files = orders._check_files(list(files), "work_answer_files")
    order = orders.lock_for_update(order)
    dispute = open_for(order)
    role = order.role_of(actor)
    if dispute is None or role is None or role == dispute.opened_role:
        raise DomainError(_("There is no dispute about the work for you to answer"))
    if dispute.answer_id is not None:
        raise DomainError(_("You have already answered this dispute"))
    message = orders._message(order, actor, "message", text, files, now)
    db.session.flush()
    dispute.answer_id, dispute.answered_at = message.id, now
    orders.record_event(order, actor, "answer_work_dispute", order.state, order.state, "", now)
    notifications.notify_about(order, dispute.opened_by_id, "work_dispute",
                               _l("%(name)s answered your dispute about the work on order #%(id)s."), name=actor.display_name, id=order.id)
    db.session.commit()
    return dispute


def open_disputes() -> list[WorkDispute]:
    """The disputes about work waiting for an admin, oldest first, with what the queue shows loaded."""
    query = (select(WorkDispute).where(WorkDispute.status == "open").order_by(WorkDispute.created_at, WorkDispute.id)
             .options(joinedload(WorkDispute.order), joinedload(WorkDispute.opened_by)))  # fmt: skip
    return list(db.session.scalars(query).unique())


def decide(admin: User, dispute: WorkDispute, decision: str | None, amount_units: int | None, reason: str, now: datetime) -> WorkDispute:
    """Release to the seller, refund the buyer in full, or split with `amount_units` (whole units) to the buyer.

    Guards: the dispute open; a known decision; for a split an amount from 1 to less than the total; a reason.
    Every missing field is reported at once. Effects (domain.arbitration.WORK_DECISIONS): the order completed or
    cancelled with one posting, the audit log, both parties notified with the decision and reason.
    """
    order = orders.lock_for_update(dispute.order)
    db.session.refresh(dispute)
    if not admin.is_admin:
        raise DomainError(_("Only an administrator can decide a dispute"))
    if dispute.status != "open":
        raise DomainError(_("This dispute has already been decided"))
    issues = []
    chosen = rules.WORK_DECISIONS.get(decision or "")
    if chosen is None:
        issues.append(FieldIssue("decision", _("Select a decision")))
    top = (order.total - 1) // 100
    if chosen is not None and chosen.needs_amount and (amount_units is None or not 1 <= amount_units <= top):
        issues.append(FieldIssue("amount", _("Enter an amount from 1 to %(max)s", max=format_decimal(top))))
    reason = (reason or "").strip()
    if not reason:
        issues.append(FieldIssue("reason", _("Enter the reason both parties will see")))
    elif len(reason) > MAX_TEXT:
        issues.append(FieldIssue("reason", _("Enter %(max)s characters or fewer", max=format_decimal(MAX_TEXT))))
    if issues:
        raise ValidationFailed(issues)
    if order.state not in rules.DISPUTABLE_STATES:
        raise DomainError(_("The order is no longer open"))
    before = _state(dispute, order)
    previous = order.state
    if chosen.code == "release":
        order.state = order_rules.COMPLETED
        orders.record_event(order, admin, "work_dispute_release", previous, order.state, "", now)
        timers.cancel(order)
        orders._release([order], now)
        dispute.refund_amount = 0
    elif chosen.code == "split":
        order.state, order.completed_at = order_rules.COMPLETED, now
        orders.record_event(order, admin, "work_dispute_split", previous, order.state, "", now)
        timers.cancel(order)
        resolutions.post_split(order, amount_units * 100, f"order-{order.id}-release")
        dispute.refund_amount = amount_units * 100
        db.session.flush()
        reviews.refresh_kwork_rating(order.kwork_id)
    else:  # a full refund is a cancellation with the verified reason "work_refunded" (domain.cancellations)
        request = CancellationRequest(order=order, initiator_id=admin.id, initiator_role="admin", reason=rules.REFUND_REASON,
                                      comment=reason, state_when_requested=previous, created_at=now, answered_at=now)  # fmt: skip
        db.session.add(request)
        db.session.flush()
        cancellations.apply(request, order, agreed=True, actor=admin, now=now)
        dispute.refund_amount = order.total
    dispute.status, dispute.decision, dispute.decision_reason = "decided", chosen.code, reason
    dispute.decided_by_id, dispute.decided_at = admin.id, now
    audit.record(admin, f"work_dispute.{chosen.code}", dispute, before=before, after=_state(dispute, order), reason=reason)
    text = _l("Arbitration on order #%(order)s: %(decision)s. %(reason)s")
    for user_id in (order.buyer_id, order.seller_id):
        notifications.notify(user_id, "dispute_decision", text, links.path("orders.show", order_id=order.id), order_id=order.id,
                             order=order.id, decision=chosen.label, reason=reason)  # fmt: skip
    db.session.commit()
    return dispute


def _state(dispute: WorkDispute, order: Order) -> dict:
    return {"order_state": order.state, "status": dispute.status, "decision": dispute.decision, "refund_amount": dispute.refund_amount}
