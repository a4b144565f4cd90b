from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import sandboxes
from ..clock import now
from ..domain.errors import DomainError, ValidationFailed
from ..forms import EmptyForm, apply_issues
from ..htmx import render
from ..services import ledger, voice_codes, wallet
from ..texts import gettext as _
from ..urls import safe_local_path
from . import bp
from .forms import TopUpForm


@bp.before_request
@login_required
def require_login():
    """A wallet is always somebody's."""


@bp.route("/", methods=["GET", "POST"])
def index():
    form = TopUpForm()
    if form.validate_on_submit():
        back = safe_local_path(request.args.get("next"))
        try:
            topup = wallet.start_topup(current_user, form.amount.data)
            url = wallet.open_checkout(topup, email=current_user.email, locale=voice_codes.page_language(), return_to=back)
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        except DomainError as error:  # the provider could not be reached: nothing was charged
            flash(str(error), "error")
            return redirect(url_for("wallet.index", next=back))
        else:
            return redirect(url, code=303)
    if request.method == "GET" and request.args.get("amount", type=int):
        form.amount.data = request.args.get("amount", type=int)
    return render(
        "wallet/index.html",
        form=form,
        balance=wallet.balance(current_user),
        refundable=wallet.refundable_topups(current_user),
        history=ledger.wallet_history(current_user.id),
        status=422 if form.errors else 200,
    )


@bp.get("/return/<reference>/<any(paid, cancelled):outcome>")
def returned(reference: str, outcome: str):
    """Where the payment provider's page sends the buyer back. It says what happened but decides nothing: only the
    provider's signed webhook credits or declines (anyone can open this address)."""
    try:
        topup = wallet.pending_topup(current_user, reference)
    except DomainError:
        abort(404)
    if topup.status == "paid":
        flash(_("Payment received. Your balance has been topped up."), "success")
    elif outcome == "paid" and topup.status == "pending":
        flash(_("Payment made. Your balance is topped up as soon as the payment service confirms it, usually within a minute."), "success")
    else:
        flash(_("The payment was not completed. Nothing was charged."), "error")
    return redirect(safe_local_path(request.args.get("next")) or url_for("wallet.index"))


@bp.post("/topups/<int:topup_id>/refund")
def refund(topup_id: int):
    """Send what is left of a top-up back to the card it came from (the page asks to confirm first)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        topup = wallet.refund_topup(current_user, topup_id, now())
    except DomainError as error:
        flash(str(error), "error")
    else:
        flash(_("%(amount)s is on its way back to your card. Banks take 5–10 days to show it.", amount=_money(topup.refunded_amount)), "success")
    return redirect(url_for("wallet.index"))


def _money(amount: int) -> str:
    from ..templating import money_minor

    return money_minor(amount)


@bp.route("/sandbox/<reference>", methods=["GET", "POST"])
@sandboxes.only
def sandbox_payment(reference: str):
    """The sandbox provider's payment page: no real money; the user confirms or declines the payment."""
    try:
        topup = wallet.pending_topup(current_user, reference)
    except DomainError:
        abort(404)
    if topup.provider != "sandbox":
        abort(404)  # a real provider's top-up is answered by that provider only
    if request.method == "POST" and EmptyForm().validate_on_submit():
        try:
            if request.form.get("outcome") == "pay":
                wallet.confirm_topup(topup)
                flash(_("Payment received. Your balance has been topped up."), "success")
            else:
                wallet.decline_topup(topup)
                flash(_("The payment was declined. Nothing was charged."), "error")
        except DomainError as error:  # answered already, e.g. from another tab
            flash(str(error), "error")
        return redirect(safe_local_path(request.args.get("next")) or url_for("wallet.index"))
    return render("wallet/sandbox.html", topup=topup)
