"""How the user signs in: their e-mail address (confirmed or not), their password, and the devices signed in."""
from flask import current_app, flash, redirect, url_for
from flask_login import current_user, login_required

from ..auth import signed_in
from ..clock import now
from ..domain.errors import DomainError, ValidationFailed
from ..extensions import limiter
from ..forms import EmptyForm, apply_issues
from ..htmx import render
from ..services import email_verification, passwords, sessions
from ..texts import gettext as _
from . import bp
from .forms import ChangePasswordForm


def _per_user() -> str:
    return f"user:{current_user.id}"


# E-mail address -----------------------------------------------------------------------------------------------


@bp.get("/email")
@login_required
def email():
    return render("account/email.html")


@bp.post("/email/link")
@login_required
@limiter.limit(lambda: current_app.config["EMAIL_LINK_RATE_LIMIT"], key_func=_per_user)
def send_email_link():
    if EmptyForm().validate_on_submit():
        try:
            email_verification.send_link(current_user, now())
        except DomainError as error:
            flash(str(error), "info")
        else:
            flash(_("We sent a new link to %(email)s. It works for 3 days.", email=current_user.email), "success")
    return redirect(url_for("account.email"))


# Password -----------------------------------------------------------------------------------------------------


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_per_user)
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        remember = signed_in.remembered()
        try:
            user = passwords.change(current_user, form.current_password.data, form.password.data, now())
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        else:
            signed_in.sign_in(user, remember=remember)  # every session ended: this browser gets a new one
            flash(_("Your password is changed. Every other device that was logged in is signed out."), "success")
            return redirect(url_for("account.devices"))
    return render("account/password.html", form=form, status=422 if form.errors else 200)


# Signed-in devices --------------------------------------------------------------------------------------------


def device_name(device) -> str:
    """ "Firefox 120 on Ubuntu", or as much of it as the browser told."""
    if device.browser and device.system:
        return _("%(browser)s on %(system)s", browser=device.browser, system=device.system)
    return device.browser or device.system or _("Unknown browser")


@bp.get("/devices")
@login_required
def devices():
    return render("account/devices.html", devices=sessions.signed_in(current_user, now()), current=signed_in.current_token_hash(),
                  device_name=device_name)  # fmt: skip


@bp.post("/devices/<int:session_id>/sign-out")
@login_required
def sign_out_device(session_id: int):
    if EmptyForm().validate_on_submit():
        if session_id == _current_session_id():
            signed_in.sign_out()
            flash(_("You have logged out."), "success")
            return redirect(url_for("auth.login"))
        if sessions.sign_out(current_user, session_id=session_id):
            flash(_("That device is signed out."), "success")
        else:
            flash(_("That device was already signed out."), "info")
    return redirect(url_for("account.devices"))


@bp.post("/devices/sign-out-others")
@login_required
def sign_out_other_devices():
    if EmptyForm().validate_on_submit():
        ended = sessions.sign_out_everywhere(current_user, except_token=current_user.session_token)
        flash(_("Every other device is signed out.") if ended else _("No other device was signed in."), "success")
    return redirect(url_for("account.devices"))


@bp.post("/devices/sign-out-all")
@login_required
def sign_out_all_devices():
    if EmptyForm().validate_on_submit():
        sessions.sign_out_everywhere(current_user)
        signed_in.forget_browser()
        flash(_("You are signed out on every device, this one too."), "success")
        return redirect(url_for("auth.login"))
    return redirect(url_for("account.devices"))


def _current_session_id() -> int | None:
    hashed = signed_in.current_token_hash()
    row = sessions.find(current_user.id, hashed) if hashed else None
    return row.id if row else None
