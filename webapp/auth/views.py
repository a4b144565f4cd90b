from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from ..domain.errors import ValidationFailed
from ..extensions import db, limiter, login_manager
from ..forms import EmptyForm, apply_issues
from ..htmx import render
from ..models import User
from ..services import accounts
from ..urls import safe_local_path
from . import bp
from .forms import LoginForm, RegisterForm

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log in to continue.")
login_manager.localize_callback = str  # the flash is kept in the session: store it in the reader's language
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    # A suspension ends every session the user already has, not just future logins.
    return user if user is not None and user.is_active else None


def _safe_next(target: str | None) -> str:
    return safe_local_path(target) or url_for("account.dashboard")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("account.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.display_name.data, form.password.data)
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        else:
            login_user(user)
            flash(_("Your account is ready. Browse the catalog, or switch to selling to publish a kwork."), "success")
            return redirect(url_for("account.dashboard"))
    return render("auth/register.html", form=form, status=422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
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
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        else:
            # One message for both cases, so the form does not reveal which e-mails have accounts.
            form.email.errors = [_("Enter a correct email address and password")]
    return render("auth/login.html", form=form, status=422 if form.errors else 200)


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("You have logged out."), "success")
    return redirect(url_for("catalog.index"))
