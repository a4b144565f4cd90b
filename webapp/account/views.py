from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..clock import now
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..domain.orders import COMPLETED
from ..extensions import db
from ..forms import EmptyForm, apply_issues, attempt
from ..htmx import is_htmx, render
from ..models import User
from ..services import accounts, availability, blocking, email_verification, kworks, levels, orders, payouts, pictures, ratings, voice_codes, wallet
from ..templating import user_time
from ..texts import gettext as _
from . import bp
from .forms import AvatarForm, AwayForm, BlockForm, CardForm, CodeForm, EWalletForm, PhoneForm, ProfileForm, RoleForm, WithdrawForm


@bp.get("/")
@login_required
def dashboard():
    role = "seller" if current_user.is_selling else "buyer"
    moment = now()
    summary = orders.summary_for(current_user, role, moment)
    context = {"recent": summary.recent, "counts": summary.counts, "late": summary.late, "now": moment}
    if current_user.is_selling:
        rates = ratings.figures(current_user.id, completed=summary.counts.get(COMPLETED, 0))
        own = kworks.tally(current_user)
        return render(
            "account/seller_dashboard.html",
            kwork_counts=own.by_status,
            ratings=rates,
            level=seller_level(current_user, moment, rates, own.rating),
            **context,
        )
    return render("account/buyer_dashboard.html", balance=wallet.balance(current_user), **context)


def seller_level(user: User, moment, rates, kwork_rating) -> dict:
    """The dashboard's level panel: the level held (as the daily job stored it), the figures as of now, and what
    is missing for the next level, one sentence per criterion."""
    from ..domain import levels as rules

    figures = levels.figures_for(user, moment, rates, kwork_rating)
    following = rules.next_level(user.level)
    return {"held": rules.BY_CODE[user.level], "figures": figures, "next": following,
            "missing": levels.missing(figures, following) if following else []}  # fmt: skip


@bp.post("/role")
@login_required
def switch_role():
    form = RoleForm()
    if form.validate_on_submit():
        try:
            accounts.switch_role(current_user, form.role.data)
        except email_verification.EmailNotVerified as error:
            flash(str(error), "error")
            return redirect(url_for("account.email"))
        flash(_("You are now selling.") if current_user.is_selling else _("You are now buying."), "success")
    return redirect(url_for("account.dashboard"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if request.method == "POST" and form.validate_on_submit():
        accounts.update_profile(
            current_user,
            display_name=form.display_name.data,
            about=form.about.data,
            working_hours=form.working_hours.data,
            timezone=form.timezone.data,
        )
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("account.profile"))
    return render("account/profile.html", form=form, avatar_form=AvatarForm(formdata=None), status=422 if form.errors else 200)


@bp.route("/away", methods=["GET", "POST"])
@login_required
def away():
    """The seller's away period: while it lasts their kworks say when they are back and can't be ordered."""
    form = AwayForm()
    moment = now()
    if request.method == "GET" and current_user.away_until is not None:
        zone = current_user.timezone
        form.away_from.data = user_day(current_user.away_from, zone)
        form.away_until.data = user_day(current_user.away_until, zone)
        form.away_message.data = current_user.away_message
    if request.method == "POST" and form.validate_on_submit():
        try:
            availability.set_away(current_user, form.away_from.data, form.away_until.data, form.away_message.data, moment)
        except ValidationFailed as error:
            db.session.rollback()
            apply_issues(form, error.issues)
        else:
            flash(_("Your away period has been saved: buyers can’t order your kworks until you are back."), "success")
            return redirect(url_for("account.away"))
    return render("account/away.html", form=form, away_now=availability.is_away(current_user, moment),
                  status=422 if form.errors else 200)  # fmt: skip


@bp.post("/away/end")
@login_required
def end_away():
    if EmptyForm().validate_on_submit():
        availability.end_away(current_user)
        flash(_("Welcome back: buyers can order your kworks again."), "success")
    return redirect(url_for("account.away"))


def user_day(moment, zone: str):
    """The day a stored instant falls on in the seller's time zone (what the form shows)."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).date() if moment else None


@bp.post("/avatar")
@login_required
def avatar():
    """Upload a profile picture (cropped square); errors come back on the profile page, next to the file input."""
    form = AvatarForm()
    if form.validate_on_submit():
        upload = form.avatar.data
        data = upload.read() if upload and getattr(upload, "filename", None) else b""
        try:
            if not data:
                raise ValidationFailed([FieldIssue("avatar", _("Select a picture to upload"))])
            pictures.set_avatar(current_user, data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_issues(form, error.issues)
        else:
            flash(_("Your profile picture has been saved."), "success")
            return redirect(url_for("account.profile"))
    profile_form = ProfileForm(obj=current_user)
    return render("account/profile.html", form=profile_form, avatar_form=form, status=422)


@bp.post("/avatar/remove")
@login_required
def remove_avatar():
    if EmptyForm().validate_on_submit():
        pictures.remove_avatar(current_user)
        flash(_("Your profile picture has been removed; your initials are shown instead."), "success")
    return redirect(url_for("account.profile"))


@bp.get("/ratings")
@login_required
def seller_ratings():
    """The seller's own metrics, with every cancellation that moved them and why."""
    return render("account/ratings.html", ratings=ratings.for_seller(current_user.id))


# Phone and voice codes -------------------------------------------------------------------------------------


def _phone_page(status: int = 200, **forms):
    code = voice_codes.latest(current_user, "phone")
    moment = now()
    context = {"phone_form": PhoneForm(formdata=None), "code_form": CodeForm(formdata=None)}
    context.update(forms)
    failed = [form for form in forms.values() if form.errors]
    return render(
        "account/phone.html",
        status=status,
        code=code,
        waiting=code is not None and code.status in voice_codes.ACTIVE,
        next_call_at=voice_codes.next_call_allowed_at(current_user, code.phone, moment) if code else None,
        display_phone=voice_codes.display_phone,
        now=moment,
        form=failed[0] if failed else None,
        **context,
    )


@bp.get("/phone")
@login_required
def phone():
    return _phone_page()


@bp.post("/phone")
@login_required
def add_phone():
    form = PhoneForm()
    if form.validate_on_submit():
        try:
            voice_codes.add_phone(current_user, form.phone.data, voice_codes.page_language(), now())
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        except voice_codes.CallLimited as error:
            form.phone.errors = [_("You can request a new call a little later – after %(time)s", time=user_time(error.until, with_date=False))]
        else:
            return redirect(url_for("account.phone"))
    return _phone_page(status=422, phone_form=form)


@bp.post("/calls/<any(phone, payout):purpose>/again")
@login_required
def call_again(purpose: str):
    """Another code call: to the number being confirmed, or to the confirmed phone for a pending payout change."""
    if purpose == "phone":
        code = voice_codes.latest(current_user, "phone")
        back = url_for("account.phone")
        call = (lambda: voice_codes.request_call(current_user, code.phone, "phone", voice_codes.page_language(), now())) if code else None
    else:
        back = url_for("account.payout_details")
        call = (lambda: payouts.request_code_call(current_user, now())) if payouts.pending_change(current_user) else None
    if call is not None and EmptyForm().validate_on_submit():
        try:
            call()
        except voice_codes.CallLimited as error:
            flash(_("You can request a new call a little later – after %(time)s.", time=user_time(error.until, with_date=False)), "error")
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
    return redirect(back)


@bp.post("/phone/verify")
@login_required
def verify_phone():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            voice_codes.verify(current_user, "phone", form.code.data, now())
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        else:
            flash(_("Your phone number is confirmed."), "success")
            return redirect(url_for("account.phone"))
    return _phone_page(status=422, code_form=form)


@bp.get("/calls/<any(phone, payout):purpose>/status")
@login_required
def call_status(purpose: str):
    """Polled by htmx while a code call is under way; announces a change of status once. Opened as an address
    (without htmx) it is the page the status belongs to."""
    if not is_htmx():
        return redirect(url_for("account.phone" if purpose == "phone" else "account.payout_details"))
    code = voice_codes.latest(current_user, purpose)
    announce = code is not None and request.args.get("seen") != code.status
    template = "account/phone.html" if purpose == "phone" else "account/payouts.html"
    return render(template, block="call_status", code=code, announce=announce)


@bp.get("/security")
@login_required
def security():
    return render("account/security.html", events=voice_codes.security_activity(current_user))


# Payout details and withdrawals ----------------------------------------------------------------------------


def _payouts_page(status: int = 200, **forms):
    moment = now()
    details = payouts.active_details(current_user)
    context = {
        "card_form": CardForm(formdata=None),
        "ewallet_form": EWalletForm(formdata=None),
        "code_form": CodeForm(formdata=None),
        "withdraw_form": WithdrawForm(formdata=None),
    }
    context.update(forms)
    context["withdraw_form"].detail_id.choices = [("", _("Select a payout detail"))] + [(d.id, payouts.detail_label(d)) for d in details]
    failed = [form for form in forms.values() if form.errors]
    code = voice_codes.latest(current_user, "payout")
    return render(
        "account/payouts.html",
        status=status,
        details=details,
        change=payouts.pending_change(current_user),
        code=code,
        next_call_at=voice_codes.next_call_allowed_at(current_user, current_user.phone, moment) if current_user.phone else None,
        balance=wallet.balance(current_user),
        withdrawals=payouts.withdrawals(current_user),
        held=current_user.payouts_held_until is not None and moment < current_user.payouts_held_until,
        detail_label=payouts.detail_label,
        now=moment,
        form=failed[0] if failed else None,
        **context,
    )


def _payout_action(form_name: str, form, action):
    if form.validate_on_submit():
        try:
            action(form)
        except ValidationFailed as error:
            db.session.rollback()
            apply_issues(form, error.issues)
        except payouts.HeldUntil as error:
            db.session.rollback()
            form.form_errors.append(_("Withdrawals are on hold for 24 hours after a change to your payout details. You can withdraw after %(time)s.",
                                      time=user_time(error.until)))
        except voice_codes.CallLimited as error:
            flash(_("Your change is saved; you can request a new call a little later – after %(time)s.", time=user_time(error.until, with_date=False)), "error")
            return redirect(url_for("account.payout_details"))
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            return redirect(url_for("account.payout_details"))
    return _payouts_page(status=422, **{form_name: form})


@bp.get("/payouts")
@login_required
def payout_details():
    return _payouts_page()


@bp.post("/payouts/card")
@login_required
def add_card():
    return _payout_action("card_form", CardForm(), lambda f: payouts.add_card(current_user, f.card_number.data, now()))


@bp.post("/payouts/ewallet")
@login_required
def add_ewallet():
    return _payout_action("ewallet_form", EWalletForm(),
                          lambda f: payouts.add_ewallet(current_user, f.provider.data, f.account_id.data, now()))  # fmt: skip


@bp.post("/payouts/<int:detail_id>/remove")
@login_required
def remove_payout_detail(detail_id: int):
    return _payout_action("code_form", CodeForm(), lambda f: payouts.remove(current_user, detail_id, now()))


@bp.post("/payouts/confirm")
@login_required
def confirm_payout_change():
    def confirm(form):
        payouts.confirm(current_user, form.code.data, now())
        flash(_("Your payout details are updated. Withdrawals are on hold for 24 hours."), "success")

    return _payout_action("code_form", CodeForm(), confirm)



@bp.post("/payouts/withdraw")
@login_required
def withdraw():
    def request_withdrawal(form):
        payouts.withdraw(current_user, form.detail_id.data, form.amount.data, now())
        flash(_("Withdrawal requested."), "success")

    return _payout_action("withdraw_form", WithdrawForm(), request_withdrawal)


# Blocking ---------------------------------------------------------------------------------------------------


@bp.route("/blocks/<int:buyer_id>", methods=["GET", "POST"])
@login_required
def block_buyer(buyer_id: int):
    """Block a buyer (reached from their profile or an order's messages), after choosing a reason."""
    buyer = db.session.get(User, buyer_id)
    if buyer is None or buyer.id == current_user.id:
        abort(404)
    form = BlockForm()
    form.reason.choices = list(blocking.REASONS.items())
    if form.validate_on_submit():
        if attempt(form, lambda: blocking.block(current_user, buyer, form.reason.data, now())) is not None:
            flash(_("%(name)s is blocked: they can’t order your kworks or message you.", name=buyer.display_name), "success")
            return redirect(url_for("account.blocks"))
    return render("account/block.html", buyer=buyer, form=form, status=422 if form.errors else 200)


@bp.get("/blocks")
@login_required
def blocks():
    return render("account/blocks.html", blocks=blocking.blocked_buyers(current_user))


@bp.post("/blocks/<int:buyer_id>/unblock")
@login_required
def unblock_buyer(buyer_id: int):
    if EmptyForm().validate_on_submit():
        blocking.unblock(current_user, buyer_id)
        flash(_("Unblocked."), "success")
    return redirect(url_for("account.blocks"))
