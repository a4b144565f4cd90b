"""Signing up, logging in and out, and the links e-mailed about an account (confirm the address, reset the
password). Answers never reveal whether an address has an account."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..clock import now
from ..domain.errors import ValidationFailed
from ..extensions import limiter, login_manager
from ..forms import EmptyForm, apply_issues
from ..htmx import render
from ..i18n import select_locale
from ..services import accounts, email_verification, passwords, tokens
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from ..urls import safe_local_path
from . import bp, signed_in  # signed_in registers Flask-Login's user loader
from .forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log in to continue.")
login_manager.localize_callback = str  # the flash is kept in the session: store it in the reader's language
login_manager.login_message_category = "info"


def _safe_next(target: str | None) -> str:
    return safe_local_path(target) or url_for("account.dashboard")


def _config(name: str):
    return lambda: current_app.config[name]


def _typed_email() -> str:
    return (request.form.get("email") or "").strip().lower()


def _email_domain() -> str:
    """Registrations are also counted per e-mail domain, so one throwaway domain can't mint accounts by the hundred."""
    return "email-domain:" + _typed_email().rpartition("@")[2]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_config("REGISTER_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_config("REGISTER_DOMAIN_RATE_LIMIT"), methods=["POST"], key_func=_email_domain,
               deduct_when=lambda response: response.status_code == 302)  # fmt: skip
def register():
    if current_user.is_authenticated:
        return redirect(url_for("account.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            accounts.sign_up(form.email.data, form.display_name.data, form.password.data, now(), language=select_locale())
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        else:
            # The same answer whether the address was new or already had an account (its owner got an e-mail).
            flash(_("We sent an email to %(email)s. Open the link in it to confirm your address.", email=accounts.normalise_email(form.email.data)), "success")
            return redirect(url_for("auth.check_email", about="account"))
    return render("auth/register.html", form=form, status=422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_config("LOGIN_RATE_LIMIT"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("account.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None and not user.is_active:
            # Said only after the right password, so it reveals nothing to someone guessing.
            form.email.errors = [_("This account is suspended. Write to support if you think this is a mistake.")]
        elif user is not None:
            signed_in.sign_in(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        else:
            # One message for both cases, so the form does not reveal which e-mails have accounts.
            form.email.errors = [_("Enter a correct email address and password")]
    return render("auth/login.html", form=form, status=422 if form.errors else 200)


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        signed_in.sign_out()
        flash(_("You have logged out."), "success")
    return redirect(url_for("catalog.index"))


@bp.get("/check-email")
def check_email():
    """Where signing up and "Forgotten your password?" land: the same page whatever the address was."""
    about = request.args.get("about")
    if about not in ("account", "password"):
        abort(404)
    return render("auth/check_email.html", about=about)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_config("PASSWORD_RESET_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_config("PASSWORD_RESET_EMAIL_RATE_LIMIT"), methods=["POST"], key_func=lambda: "reset-email:" + _typed_email())
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        passwords.request_reset(form.email.data, now())
        flash(_("If an account exists for %(email)s, we sent a link to reset its password. The link works for one hour.",
                email=accounts.normalise_email(form.email.data)), "success")  # fmt: skip
        return redirect(url_for("auth.check_email", about="password"))
    return render("auth/forgot_password.html", form=form, status=422 if form.errors else 200)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_config("LOGIN_RATE_LIMIT"), methods=["POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        passwords.reset_link_user(token)
        if form.validate_on_submit():
            user = passwords.reset(token, form.password.data, now())
            if current_user.is_authenticated and current_user.id == user.id:
                signed_in.forget_browser()  # its session ended with all the others
            flash(_("Your password is changed, and every device that was logged in is signed out. Log in with your new password."), "success")
            return redirect(url_for("auth.login"))
    except tokens.InvalidLink as error:
        return render("auth/link_invalid.html", reason=str(error), purpose="password")
    except ValidationFailed as error:
        apply_issues(form, error.issues)
    return render("auth/reset_password.html", form=form, token=token, status=422 if form.errors else 200)


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    """The link e-mailed at sign-up: opening it confirms the address (a link checker opening it first proves the
    same: it could only find it in that mailbox)."""
    try:
        user = email_verification.confirm(token, now())
    except tokens.InvalidLink as error:
        return render("auth/link_invalid.html", reason=str(error), purpose="email")
    return render("auth/email_confirmed.html", email=user.email)
