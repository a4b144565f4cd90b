"""Upgrades during an order, on the order page: the seller proposes, the buyer answers, the seller withdraws.

Kept apart from views.py: the order page includes templates/orders/_upgrades.html, and `page_context` gives it
what it shows. Each POST redirects to the order page with a flash message, or shows the page again (422) with the
errors on the fields and what was typed.
"""
from flask import flash, redirect, url_for
from flask_login import current_user

from ..clock import now
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..forms import apply_issues
from ..services import upgrades, wallet
from ..templating import days, money
from ..texts import gettext as _
from . import bp
from . import views
from .upgrade_forms import UpgradeAnswerForm, UpgradeForm, UpgradeWithdrawForm


def _item_choices(order) -> list[tuple[str, str]]:
    """The kwork's extras as they are now (price per unit, days per unit), then extra revisions and other work."""
    choices = [
        (f"{upgrades.EXTRA_PREFIX}{extra.id}",
         _("%(extra)s: %(price)s, adds %(days)s", extra=extra.title, price=money(extra.price), days=days(extra.days))
         if extra.days else _("%(extra)s: %(price)s", extra=extra.title, price=money(extra.price)))
        for extra in upgrades.extras_on_offer(order)
    ]  # fmt: skip
    return choices + [(upgrades.ITEM_REVISIONS, _("Extra revisions")), (upgrades.ITEM_CUSTOM, _("Other work, described below"))]


def page_context(order, role: str | None, forms: dict, work_disputes: list | None = None) -> dict:
    """What templates/orders/_upgrades.html needs, with only the forms this viewer can use now (as the rest of the
    order page); a form passed in `forms` (a failed POST) is shown as it was. `work_disputes`: the order's, when the
    page has them (so arbitration is not asked about again)."""
    proposal, bought = upgrades.on_order(order)
    arbitration = None if work_disputes is None else any(d.status == "open" for d in work_disputes)
    can_propose = role == "seller" and proposal is None and upgrades.frozen_reason(order, arbitration) is None
    context = {
        "upgrade": proposal,
        "can_propose_upgrade": can_propose,
        "upgrades_bought": bought,
        "describe_upgrade": upgrades.describe,
        "upgrade_balance": wallet.balance(current_user) if proposal is not None and role == "buyer" else None,
    }
    if can_propose:
        form = forms.get("upgrade_form") or UpgradeForm(formdata=None)
        form.upgrade_item.choices = _item_choices(order)
        context["upgrade_form"] = form
    if proposal is not None and role == "buyer":
        context["upgrade_answer_form"] = forms.get("upgrade_answer_form") or UpgradeAnswerForm(formdata=None)
    if proposal is not None and role == "seller":
        context["upgrade_withdraw_form"] = forms.get("upgrade_withdraw_form") or UpgradeWithdrawForm(formdata=None)
    return context


def _refuse(order, reason: str):
    """A form the order page does not show right now (the proposal was answered, the work delivered): its errors
    would have nowhere to appear, so the reason is flashed on the order page instead."""
    flash(reason, "error")
    return redirect(url_for("orders.show", order_id=order.id, _anchor="upgrades"))


def _run(order, form_name: str, form, action, success: str):
    """Call the service behind a posted upgrade form: on success the order page with `success` flashed; a rule's
    refusal of a field, the page again (422) with it; any other refusal (the proposal was answered meanwhile), the
    order page with it flashed."""
    if form.validate_on_submit():
        try:
            action()
        except ValidationFailed as error:
            db.session.rollback()
            apply_issues(form, error.issues)
            form.short_by = getattr(error, "short_by", None)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("orders.show", order_id=order.id, _anchor="upgrades"))
        else:
            flash(success, "success")
            return redirect(url_for("orders.show", order_id=order.id, _anchor="upgrades"))
    return views._page(order, status=422, **{form_name: form})


@bp.post("/<int:order_id>/upgrades")
def propose_upgrade(order_id: int):
    order = views._order_or_404(order_id)
    if problem := upgrades.proposal_problem(order, current_user):
        return _refuse(order, problem)
    form = UpgradeForm()
    form.upgrade_item.choices = _item_choices(order)
    return _run(order, "upgrade_form", form, lambda: upgrades.propose(
        current_user, order, form.upgrade_item.data or "", quantity=form.upgrade_quantity.data, title=form.upgrade_title.data or "",
        price_units=form.upgrade_price.data, days=form.upgrade_days.data, comment=form.upgrade_comment.data or "", now=now(),
    ), _("Upgrade proposed. The buyer has been told and can accept or decline it."))  # fmt: skip


@bp.post("/<int:order_id>/upgrades/answer")
def answer_upgrade(order_id: int):
    order = views._order_or_404(order_id)
    if order.role_of(current_user) != "buyer" or upgrades.open_proposal(order) is None:
        return _refuse(order, _("There is no upgrade proposal for you to answer on this order."))
    form = UpgradeAnswerForm()
    answer = views._yes_no(form.upgrade_answer.data)

    def act():
        if answer is None:
            raise ValidationFailed([FieldIssue("upgrade_answer", _("Select whether you accept the upgrade"))])
        return (upgrades.accept if answer else upgrades.decline)(current_user, order, form.proposal.data, now())

    success = _("Upgrade accepted and paid. The deadline has moved by its extra days.") if answer else _("Upgrade declined. The seller has been told.")
    return _run(order, "upgrade_answer_form", form, act, success)


@bp.post("/<int:order_id>/upgrades/withdraw")
def withdraw_upgrade(order_id: int):
    order = views._order_or_404(order_id)
    if order.role_of(current_user) != "seller" or upgrades.open_proposal(order) is None:
        return _refuse(order, _("There is no upgrade proposal for you to withdraw on this order."))
    form = UpgradeWithdrawForm()
    return _run(order, "upgrade_withdraw_form", form, lambda: upgrades.withdraw(current_user, order, form.proposal.data, now()),
                _("Upgrade proposal withdrawn. The buyer has been told."))  # fmt: skip
