"""The moderation area: kworks, reviews, disputes, users and the audit log. Admins only."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..clock import now
from ..domain import precheck
from ..domain.errors import DomainError, ValidationFailed
from ..extensions import db
from ..forms import EmptyForm, apply_issues
from ..htmx import render
from ..domain.arbitration import WORK_DECISIONS
from ..models import Dispute, Kwork, Order, Review, User, WorkDispute
from ..services import accounts, audit, disputes, ratings, reviews, work_disputes
from ..services import kworks as kwork_service
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import bp
from .forms import AccountActionForm, DisputeDecisionForm, RejectForm, ReviewDecisionForm, UserSearchForm, WorkDecisionForm


@bp.before_request
def admins_only():
    # 404, not 403: the moderation area does not exist for anyone else.
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)


@bp.context_processor
def waiting_counts():
    """The sub-navigation shows how much waits in each queue."""
    return {
        "waiting": {
            "kworks": db.session.scalar(select(func.count()).where(Kwork.status == "pending", Kwork.deleted_at.is_(None))),
            "reviews": reviews.awaiting_count(),
            "disputes": db.session.scalar(select(func.count()).select_from(Dispute).where(Dispute.status == "open")),
        }
    }


def _or_404(model, ident: int):
    found = db.session.get(model, ident)
    if found is None:
        abort(404)
    return found


def _attempt(form, action, done: str, fallback: str):
    """Run one admin action from a validated form: flash and redirect on success; field errors or a flashed
    refusal otherwise. Returns a response, or None when the form should be shown again with its errors."""
    try:
        action()
    except ValidationFailed as error:
        db.session.rollback()
        apply_issues(form, error.issues)
        return None
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(fallback)
    flash(done, "success")
    return redirect(fallback)


# Kworks

@bp.get("/")
def index():
    return redirect(url_for("moderation.queue"))


@bp.get("/kworks")
def queue():
    pending = list(
        db.session.scalars(
            select(Kwork).where(Kwork.status == "pending", Kwork.deleted_at.is_(None)).order_by(Kwork.updated_at)
            .options(selectinload(Kwork.extras))  # the snapshot diff reads them
        )
    )
    flags = {kwork.id: precheck.check(*_texts(kwork)) for kwork in pending}
    changes = {kwork.id: kwork_service.changes_since_approval(kwork) for kwork in pending}
    return render("moderation/queue.html", kworks=pending, flags=flags, changes=changes)


def _texts(kwork: Kwork) -> list[str]:
    """Everything a buyer reads on the kwork page, for the automatic pre-check."""
    return [kwork.title, kwork.description, kwork.buyer_instructions, *(o.name for o in kwork.options),
            *(t.description for t in kwork.tiers)]  # fmt: skip


def _pending_or_404(kwork_id: int) -> Kwork:
    kwork = _or_404(Kwork, kwork_id)
    if kwork.deleted_at is not None:
        abort(404)
    return kwork


@bp.post("/kworks/<int:kwork_id>/approve")
def approve(kwork_id: int):
    kwork = _pending_or_404(kwork_id)
    if EmptyForm().validate_on_submit():
        try:
            kwork_service.approve(current_user, kwork)
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("“%(title)s” approved and now in the catalog.", title=kwork.title), "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/kworks/<int:kwork_id>/reject", methods=["GET", "POST"])
def reject(kwork_id: int):
    kwork = _pending_or_404(kwork_id)
    form = RejectForm()
    if form.validate_on_submit():
        response = _attempt(form, lambda: kwork_service.reject(current_user, kwork, form.reason.data),
                            _("“%(title)s” rejected. The seller sees your reason.", title=kwork.title), url_for("moderation.queue"))  # fmt: skip
        if response:
            return response
    return render("moderation/reject.html", kwork=kwork, form=form, status=422 if form.errors else 200)


# Reviews

@bp.get("/reviews")
def review_queue():
    return render("moderation/reviews.html", reviews=reviews.awaiting_moderation())


@bp.route("/reviews/<int:review_id>", methods=["GET", "POST"])
def review(review_id: int):
    found = _or_404(Review, review_id)
    form = ReviewDecisionForm()
    if form.validate_on_submit():
        decide = reviews.publish if form.decision.data == "publish" else reviews.hide
        done = _("Review published.") if form.decision.data == "publish" else _("Review hidden.")
        response = _attempt(form, lambda: decide(current_user, found, form.reason.data), done, url_for("moderation.review_queue"))
        if response:
            return response
    history = audit.entries(target_type="review", target_id=found.id)
    return render("moderation/review.html", review=found, form=form, history=history, status=422 if form.errors else 200)


# Disputes

@bp.get("/disputes")
def dispute_queue():
    decided = list(db.session.scalars(select(Dispute).where(Dispute.status == "decided").order_by(Dispute.decided_at.desc()).limit(20)))
    return render("moderation/disputes.html", open_disputes=disputes.open_disputes(), decided=decided,
                  open_work_disputes=work_disputes.open_disputes())  # fmt: skip


@bp.route("/disputes/<int:dispute_id>", methods=["GET", "POST"])
def dispute(dispute_id: int):
    found = _or_404(Dispute, dispute_id)
    form = DisputeDecisionForm()
    form.decision.choices = [(code, disputes.DECISION_LABELS[code]) for code in disputes.decisions(found)]
    if form.validate_on_submit():
        response = _attempt(form, lambda: disputes.decide(current_user, found, form.decision.data, form.reason.data, now()),
                            _("Dispute on order #%(id)s decided.", id=found.order_id), url_for("moderation.dispute_queue"))  # fmt: skip
        if response:
            return response
    order = found.order
    return render(
        "moderation/dispute.html", dispute=found, order=order, form=form, metrics=ratings.for_seller(order.seller_id),
        history=audit.entries(target_type="dispute", target_id=found.id), status=422 if form.errors else 200,
    )  # fmt: skip


@bp.route("/work-disputes/<int:work_dispute_id>", methods=["GET", "POST"])
def work_dispute(work_dispute_id: int):
    """Arbitration of delivered work: the statement, the answer, the order's messages and files; release, refund
    or split (domain.arbitration), with a reason both parties see."""
    found = _or_404(WorkDispute, work_dispute_id)
    form = WorkDecisionForm()
    form.decision.choices = [(code, decision.label) for code, decision in WORK_DECISIONS.items()]
    if form.validate_on_submit():
        response = _attempt(form, lambda: work_disputes.decide(current_user, found, form.decision.data, form.amount.data,
                                                               form.reason.data, now()),
                            _("Dispute about the work on order #%(id)s decided.", id=found.order_id), url_for("moderation.dispute_queue"))  # fmt: skip
        if response:
            return response
    order = found.order
    return render(
        "moderation/work_dispute.html", dispute=found, order=order, form=form, work_decisions=WORK_DECISIONS, metrics=ratings.for_seller(order.seller_id),
        history=audit.entries(target_type="workdispute", target_id=found.id), status=422 if form.errors else 200,
    )  # fmt: skip


# Users

@bp.get("/users")
def users():
    form = UserSearchForm(request.args)
    return render("moderation/users.html", form=form, users=accounts.search(form.q.data or ""))


def _account_forms(**posted) -> dict:
    forms = {
        "suspension_form": AccountActionForm(formdata=None, prefix="suspension"),
        "admin_form": AccountActionForm(formdata=None, prefix="admin"),
    }
    forms.update(posted)
    return forms


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return _user_page(_or_404(User, user_id))


def _user_page(found: User, status: int = 200, **forms):
    counts = {
        "kworks": db.session.scalar(select(func.count()).where(Kwork.seller_id == found.id, Kwork.deleted_at.is_(None))),
        "orders_bought": db.session.scalar(select(func.count()).where(Order.buyer_id == found.id)),
        "orders_sold": db.session.scalar(select(func.count()).where(Order.seller_id == found.id)),
    }
    failed = [form for form in forms.values() if form.errors]
    return render(
        "moderation/user.html", status=status, account=found, counts=counts, metrics=ratings.for_seller(found.id),
        history=audit.entries(target_type="user", target_id=found.id), form=failed[0] if failed else None,
        **_account_forms(**forms),
    )  # fmt: skip


@bp.post("/users/<int:user_id>/suspension")
def suspension(user_id: int):
    found = _or_404(User, user_id)
    suspend = not found.is_suspended
    return _account_action(found, "suspension", lambda reason: accounts.set_suspended(current_user, found, suspend, reason, now()),
                           _("%(name)s suspended.", name=found.display_name) if suspend else _("%(name)s reinstated.", name=found.display_name))  # fmt: skip


@bp.post("/users/<int:user_id>/admin")
def admin_rights(user_id: int):
    found = _or_404(User, user_id)
    grant = not found.is_admin
    return _account_action(found, "admin", lambda reason: accounts.set_admin(current_user, found, grant, reason),
                           _("%(name)s is now an administrator.", name=found.display_name) if grant
                           else _("%(name)s is no longer an administrator.", name=found.display_name))  # fmt: skip


def _account_action(found: User, prefix: str, action, done: str):
    """The user page's forms differ only by their prefix and the service call they make with the reason."""
    form = AccountActionForm(prefix=prefix)
    if form.validate_on_submit():
        response = _attempt(form, lambda: action(form.reason.data), done, url_for("moderation.user", user_id=found.id))
        if response:
            return response
    return _user_page(found, 422, **{f"{prefix}_form": form})


# Audit log

# What an entry is about ("Kwork #3"), and the record fields its before → after column names.
AUDIT_TARGETS = {"kwork": _l("Kwork"), "review": _l("Review"), "dispute": _l("Dispute"), "user": _l("User"),
                 "workdispute": _l("Dispute about the work")}  # fmt: skip
AUDIT_FIELDS = {
    "status": _l("status"),
    "reported": _l("reported"),
    "suspended": _l("suspended"),
    "admin": _l("admin"),
    "order_state": _l("order state"),
    "cancellation_status": _l("cancellation status"),
    "reason_agreed": _l("reason agreed"),
    "counts_against_seller": _l("counts against seller"),
    "buyer_may_review": _l("buyer may review"),
    "exempt": _l("exempt"),
    "decision": _l("decision"),
    "refund_amount": _l("refund amount"),
}


def _filter_note(target_type: str, target_id: int | None) -> str:
    """ "Showing kwork #3 only." above a filtered log (a type the log does not know is shown as it was asked for)."""
    with_id = {
        "kwork": _l("Showing kwork #%(id)s only."),
        "review": _l("Showing review #%(id)s only."),
        "dispute": _l("Showing dispute #%(id)s only."),
        "user": _l("Showing user #%(id)s only."),
    }
    every = {
        "kwork": _l("Showing kwork only."),
        "review": _l("Showing review only."),
        "dispute": _l("Showing dispute only."),
        "user": _l("Showing user only."),
    }
    if target_type not in with_id:
        return _("Showing %(target)s #%(id)s only.", target=target_type, id=target_id) if target_id \
            else _("Showing %(target)s only.", target=target_type)  # fmt: skip
    return str(with_id[target_type]) % {"id": target_id} if target_id else str(every[target_type])


@bp.get("/audit")
def audit_log():
    target_type = request.args.get("target_type") or None
    target_id = request.args.get("target_id", type=int)
    return render("moderation/audit.html", entries=audit.entries(target_type=target_type, target_id=target_id),
                  target_type=target_type, target_id=target_id, AUDIT_TARGETS=AUDIT_TARGETS, AUDIT_FIELDS=AUDIT_FIELDS,
                  filter_note=_filter_note(target_type, target_id) if target_type else "")  # fmt: skip
