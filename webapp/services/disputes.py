"""Arbitration: a party takes a cancellation disagreement to an admin, who decides what it costs whom.

Decisions: uphold (nothing changes), reverse (the cancellation counts as if the answer on the reason had been
the opposite; the answer itself stays on record as given, and a negative review the answer made possible is
withdrawn with the kwork's rating recomputed), exempt (out of the seller's metrics: fraud, mistaken order), force-cancel (a declined request
is applied after all, with the refund). Each decision is an audit-log entry and a notification to both sides.
"""
from datetime import datetime, timedelta

from flask_babel import format_number
from sqlalchemy import select

from .. import links
from ..domain import cancellations as rules
from ..domain import orders as order_rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import CancellationRequest, Dispute, Order, User
from ..models.moderation import DISPUTE_DECISIONS
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import audit, cancellations, orders, reviews
from .notifications import notify

ESCALATE_WITHIN = timedelta(days=14)
MIN_COMMENT = 20

DECISION_LABELS = {
    "uphold": _l("Uphold: the cancellation stands as it is"),
    "reverse": _l("Reverse the rating impact of the answer on the reason"),
    "exempt": _l("Exempt the cancellation from the seller’s completion rate (fraud, mistaken order)"),
    "force_cancel": _l("Cancel the order with a full refund to the buyer"),
}


def escalatable(order: Order, user: User, now: datetime) -> CancellationRequest | None:
    """The answered cancellation request this party may take to arbitration now, if any.

    The initiator may dispute a refusal (while the order is still open) or being told the reason was wrong; the
    other party may dispute a cancellation applied without their agreement (silence, or a reason that applies
    at once). Within 14 days of the answer, once per request.
    """
    role = order.role_of(user)
    if role is None:
        return None
    disputed = None  # read only once some answer is recent enough: most orders have none, and every order page asks
    for request in reversed(order.cancellation_requests):
        if request.answered_at is None or now > request.answered_at + ESCALATE_WITHIN:
            continue
        if disputed is None:
            disputed = set(db.session.scalars(select(Dispute.cancellation_id).where(Dispute.order_id == order.id)))
        if request.id in disputed:
            continue
        if role == request.initiator_role:
            refused = request.status == "declined" and order.state in order_rules.OPEN_STATES
            if refused or (request.status == "applied" and request.reason_agreed is False):
                return request
        elif request.status == "applied" and (request.auto_applied or rules.REASONS[request.reason].applies_at_once):
            return request
    return None


def escalate(actor: User, order: Order, comment: str, now: datetime) -> Dispute:
    order = orders.lock_for_update(order)
    request = escalatable(order, actor, now)
    if request is None:
        raise DomainError(_("There is no cancellation decision on this order you can take to arbitration"))
    comment = (comment or "").strip()
    if len(comment) < MIN_COMMENT:
        raise ValidationFailed([FieldIssue("dispute_comment", _("Explain in at least %(min)s characters what you disagree with", min=MIN_COMMENT))])
    if len(comment) > 3000:
        raise ValidationFailed([FieldIssue("dispute_comment", _("Enter %(max)s characters or fewer", max=format_number(3000)))])
    dispute = Dispute(order_id=order.id, cancellation=request, opened_by_id=actor.id, opened_role=order.role_of(actor),
                      comment=comment, created_at=now)  # fmt: skip
    db.session.add(dispute)
    orders.record_event(order, actor, "escalate", order.state, order.state, comment, now)
    db.session.commit()
    return dispute


def for_order(order: Order) -> list[Dispute]:
    """The order's disputes, oldest first. Each is about one of its cancellation requests, so an order that never
    had one (most orders; the order page loads them with the order) has none, and nothing is read."""
    if not order.cancellation_requests:
        return []
    return list(db.session.scalars(select(Dispute).where(Dispute.order_id == order.id).order_by(Dispute.id)))


def open_disputes() -> list[Dispute]:
    return list(db.session.scalars(select(Dispute).where(Dispute.status == "open").order_by(Dispute.created_at, Dispute.id)))


def decisions(dispute: Dispute) -> list[str]:
    """The decisions that would do something for this dispute (uphold always can)."""
    request, order = dispute.cancellation, dispute.order
    allowed = ["uphold"]
    if request.status == "applied" and request.exempt_reason is None:
        if _reversed(request) != _impact(request):
            allowed.append("reverse")
        allowed.append("exempt")
    if request.status == "declined" and order.state in order_rules.OPEN_STATES and order.open_cancellation is None:
        allowed.append("force_cancel")
    return allowed


def decide(admin: User, dispute: Dispute, decision: str | None, reason: str, now: datetime) -> Dispute:
    order, request = dispute.order, dispute.cancellation
    order = orders.lock_for_update(order)
    db.session.refresh(dispute)
    db.session.refresh(request)
    if dispute.status != "open":
        raise DomainError(_("This dispute has already been decided"))
    issues = []  # every missing field is reported at once
    if decision not in DISPUTE_DECISIONS:
        issues.append(FieldIssue("decision", _("Select a decision")))
    elif decision not in decisions(dispute):
        issues.append(FieldIssue("decision", _("This decision does not apply to this cancellation – select another")))
    reason = (reason or "").strip()
    if not reason:
        issues.append(FieldIssue("reason", _("Enter the reason both parties will see")))
    if issues:
        raise ValidationFailed(issues)
    before = _state(request, order)
    if decision == "reverse":
        # The answer stays as it was given (the order page shows it truthfully); only its consequences change.
        request.counts_against_seller, request.buyer_may_review, request.spared_if_reordered = _reversed(request)
        _withdraw_review_it_enabled(request, order, reason)
    elif decision == "exempt":
        request.exempt_reason = reason
    elif decision == "force_cancel":
        request.answered_at = now
        cancellations.apply(request, order, agreed=True, actor=admin, now=now)
    dispute.status, dispute.decision, dispute.decision_reason = "decided", decision, reason
    dispute.decided_by_id, dispute.decided_at = admin.id, now
    audit.record(admin, f"dispute.{decision}", dispute, before=before, after=_state(request, order), reason=reason)
    text = _l("Arbitration on order #%(order)s: %(decision)s. %(reason)s")
    for user_id in (order.buyer_id, order.seller_id):
        notify(user_id, "dispute_decision", text, links.path("orders.show", order_id=order.id), order_id=order.id,
               order=order.id, decision=DECISION_LABELS[decision], reason=reason)  # fmt: skip
    db.session.commit()
    return dispute


def _withdraw_review_it_enabled(request: CancellationRequest, order: Order, reason: str) -> None:
    """A negative review on a cancelled order exists only because the cancellation allowed it: once it no longer
    does, the review is hidden (with the decision's reason) and stops counting in the kwork's rating."""
    review = order.review
    if request.buyer_may_review or review is None or order.state != order_rules.CANCELLED or review.status == "hidden":
        return
    review.status, review.reported_at, review.hidden_reason = "hidden", None, reason
    db.session.flush()
    reviews.refresh_kwork_rating(order.kwork_id)


def _impact(request: CancellationRequest) -> tuple[bool, bool, bool]:
    return request.counts_against_seller, request.buyer_may_review, request.spared_if_reordered


def _reversed(request: CancellationRequest) -> tuple[bool, bool, bool]:
    """What the cancellation would have cost had the answer on the reason been the opposite."""
    result = rules.consequence(request.initiator_role, request.reason, request.state_when_requested, not request.reason_agreed)
    return result.counts_against_seller, result.buyer_may_review, result.spared_if_reordered


def _state(request: CancellationRequest, order: Order) -> dict:
    return {
        "order_state": order.state,
        "cancellation_status": request.status,
        "reason_agreed": request.reason_agreed,
        "counts_against_seller": request.counts_against_seller,
        "buyer_may_review": request.buyer_may_review,
        "exempt": request.exempt_reason is not None,
        "review": order.review.status if order.review is not None else None,
    }
