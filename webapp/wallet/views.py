from urllib.parse import urlencode

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..adapters import payments
from ..domain.errors import DomainError, ValidationFailed
from ..forms import EmptyForm, apply_issues
from ..htmx import render
from ..services import ledger, wallet
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
        try:
            topup = wallet.start_topup(current_user, form.amount.data)
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        else:
            url = payments.provider().payment_page_url(topup.reference, topup.amount)
            back = safe_local_path(request.args.get("next"))
            return redirect(url + (f"?{urlencode({'next': back})}" if back else ""))
    if request.method == "GET" and request.args.get("amount", type=int):
        form.amount.data = request.args.get("amount", type=int)
    return render(
        "wallet/index.html",
        form=form,
        balance=wallet.balance(current_user),
        history=ledger.wallet_history(current_user.id),
        status=422 if form.errors else 200,
    )


@bp.route("/sandbox/<reference>", methods=["GET", "POST"])
def sandbox_payment(reference: str):
    """The sandbox provider's payment page: no real money; the user confirms or declines the payment."""
    try:
        topup = wallet.pending_topup(current_user, reference)
    except DomainError:
        abort(404)
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
