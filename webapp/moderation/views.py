"""Kwork moderation: the queue of pending kworks, approve or reject with a reason. Admins only."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from ..domain import precheck
from ..domain.errors import DomainError
from ..extensions import db
from ..forms import EmptyForm
from ..htmx import render
from ..models import Kwork
from ..services import kworks as service
from . import bp
from .forms import RejectForm


@bp.before_request
def admins_only():
    # 404, not 403: the moderation area does not exist for anyone else.
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)


def _pending_or_404(kwork_id: int) -> Kwork:
    kwork = db.session.get(Kwork, kwork_id)
    if kwork is None or kwork.deleted_at is not None:
        abort(404)
    return kwork


@bp.get("/kworks")
def queue():
    pending = list(
        db.session.scalars(select(Kwork).where(Kwork.status == "pending", Kwork.deleted_at.is_(None)).order_by(Kwork.updated_at))
    )
    flags = {kwork.id: precheck.check(*_texts(kwork)) for kwork in pending}
    return render("moderation/queue.html", kworks=pending, flags=flags)


def _texts(kwork: Kwork) -> list[str]:
    """Everything a buyer reads on the kwork page, for the automatic pre-check."""
    return [kwork.title, kwork.description, kwork.buyer_instructions, *(o.name for o in kwork.options),
            *(t.description for t in kwork.tiers)]  # fmt: skip


@bp.post("/kworks/<int:kwork_id>/approve")
def approve(kwork_id: int):
    kwork = _pending_or_404(kwork_id)
    if EmptyForm().validate_on_submit():
        try:
            service.approve(current_user, kwork)
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(f"“{kwork.title}” approved and now in the catalog.", "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/kworks/<int:kwork_id>/reject", methods=["GET", "POST"])
def reject(kwork_id: int):
    kwork = _pending_or_404(kwork_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            service.reject(current_user, kwork, form.reason.data)
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(f"“{kwork.title}” rejected. The seller sees your reason.", "success")
        return redirect(url_for("moderation.queue"))
    return render("moderation/reject.html", kwork=kwork, form=form, status=422 if form.errors else 200)
