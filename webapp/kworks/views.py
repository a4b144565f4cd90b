"""The seller's side of kworks: editor, list, pause/activate, delete, portfolio."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..clock import now
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models.storefront import MAX_PICTURES
from ..domain.extras import MAX_EXTRAS
from ..domain.tiers import TIER_LEVELS, KworkDraft, OptionDraft, missing_fields
from ..forms import EmptyForm, apply_issues
from ..htmx import render
from ..services import catalog, pictures
from ..services import kworks as service
from ..texts import gettext as _
from . import bp
from .forms import DeleteKworkForm, KworkForm, PictureAltForm, PictureForm, PortfolioItemForm


@bp.before_request
@login_required
def require_login():
    """Every page here belongs to a logged-in seller; any account may sell."""


def _own_kwork_or_404(kwork_id: int):
    try:
        return service.get_own_kwork(current_user, kwork_id)
    except service.KworkNotFound:
        abort(404)


@bp.get("/")
def index():
    kworks = catalog.own_kworks(current_user)
    ratings = catalog.rating_breakdowns([kwork.id for kwork in kworks if kwork.status in ("active", "paused")])
    return render("kworks/index.html", kworks=kworks, ratings=ratings)


@bp.route("/new", methods=["GET", "POST"])
def new():
    return _editor(kwork=None)


@bp.route("/<int:kwork_id>/edit", methods=["GET", "POST"])
def edit(kwork_id: int):
    return _editor(kwork=_own_kwork_or_404(kwork_id))


def _editor(kwork):
    categories = service.categories()
    if request.method == "GET":
        draft = service.draft_from_kwork(kwork) if kwork else KworkDraft(options=[OptionDraft("")])
        form = KworkForm(data=KworkForm.data_from_draft(draft), categories=categories)
        return _render_editor(form, kwork)

    form = KworkForm(categories=categories)
    action, row = _parse_action(request.form.get("action", "save"))
    if action in ("add_option", "remove_option"):
        return _change_option_rows(form, kwork, action, row)
    if action in ("add_extra", "remove_extra"):
        return _change_extra_rows(form, kwork, action, row)

    submit = action == "submit"
    # validate() here only parses (whole numbers, CSRF); the rules live in the service. When parsing fails,
    # the rules still run so the seller sees every problem at once, not one round trip per mistake.
    if not form.validate():
        apply_issues(form, service.problems(form.to_draft(), kwork=kwork, submit=submit))
    else:
        try:
            kwork = service.save_kwork(current_user, form.to_draft(), kwork=kwork, submit=submit)
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        else:
            if kwork.status == "pending":
                flash(_("Your kwork was sent to moderation. It appears in the catalog once approved."), "success")
                return redirect(url_for("kworks.index"))
            flash(_("Draft saved."), "success")
            return redirect(url_for("kworks.edit", kwork_id=kwork.id))
    return _render_editor(form, kwork, status=422)


def _parse_action(value: str) -> tuple[str, int | None]:
    """The editor's buttons: save, submit, add_option, remove_option-<row>, add_extra, remove_extra-<row>. Anything
    else was not sent by the page (a hand-made or corrupted request), so it gets the "bad request" page rather than a guess."""
    if value in ("save", "submit", "add_option", "add_extra"):
        return value, None
    name, _sep, row = value.partition("-")
    if name in ("remove_option", "remove_extra") and row.isascii() and row.isdigit() and len(row) <= 4:
        return name, int(row)
    abort(400)


def _change_option_rows(form: KworkForm, kwork, action: str, index: int | None):
    """Add or remove an option row without saving: the page (or, with htmx, the grid) comes back with the change.

    The bound form is re-rendered as it is, so whatever the seller typed elsewhere stays in place.
    """
    if action == "add_option":
        form.options.append_entry()
        focus = form.options.entries[-1].form.name.id
        message = _("Option %(number)s added", number=len(form.options.entries))
    else:
        if not index < len(form.options.entries):
            abort(400)  # a row the posted form does not have
        form.options.entries.pop(index)
        focus = "add-option"
        message = _("Option %(number)s removed", number=index + 1)
    return _render_editor(form, kwork, block="options_grid", focus=focus, announce=message)


def _change_extra_rows(form: KworkForm, kwork, action: str, index: int | None):
    """Add (up to MAX_EXTRAS) or remove an extra's fieldset without saving, like the option rows."""
    if action == "add_extra":
        if len(form.extras.entries) >= MAX_EXTRAS:
            focus, message = "add-extra", _("A kwork can have at most %(max)s extras", max=MAX_EXTRAS)
        else:
            form.extras.append_entry()
            focus = form.extras.entries[-1].form.title.id
            message = _("Extra %(number)s added", number=len(form.extras.entries))
    else:
        if not index < len(form.extras.entries):
            abort(400)  # a row the posted form does not have
        form.extras.entries.pop(index)
        focus = "add-extra"
        message = _("Extra %(number)s removed", number=index + 1)
    form.name_extras()  # labels number the extras as they now stand
    return _render_editor(form, kwork, block="extras_editor", focus=focus, announce=message)


def _render_editor(form: KworkForm, kwork, status: int = 200, block: str | None = None, focus=None, announce=None):
    return render(
        "kworks/edit.html",
        block=block,
        status=status,
        form=form,
        kwork=kwork,
        form_action=url_for("kworks.edit", kwork_id=kwork.id) if kwork else url_for("kworks.new"),
        submitted=kwork is not None and kwork.status in service.SUBMITTED_STATUSES,
        levels=TIER_LEVELS if form.packaged else ("economy",),
        missing=[] if form.errors else missing_fields(form.to_draft()),
        focus=focus,
        announce=announce,
    )


@bp.post("/<int:kwork_id>/pause")
def pause(kwork_id: int):
    return _set_paused(kwork_id, paused=True)


@bp.post("/<int:kwork_id>/activate")
def activate(kwork_id: int):
    return _set_paused(kwork_id, paused=False)


def _set_paused(kwork_id: int, paused: bool):
    kwork = _own_kwork_or_404(kwork_id)
    if EmptyForm().validate_on_submit():
        try:
            service.set_paused(current_user, kwork, paused)
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("“%(title)s” is paused.", title=kwork.title) if paused else _("“%(title)s” is active again.", title=kwork.title), "success")
    return redirect(url_for("kworks.index"))


@bp.post("/<int:kwork_id>/agreement")
def set_agreement_only(kwork_id: int):
    """Turn "Order only after agreement" on (value "on") or off (anything else)."""
    kwork = _own_kwork_or_404(kwork_id)
    if EmptyForm().validate_on_submit():
        on = request.form.get("value") == "on"
        service.set_agreement_only(current_user, kwork, on)
        flash(_("“%(title)s” can now be ordered only after agreement.", title=kwork.title) if on else
              _("“%(title)s” can be ordered directly again.", title=kwork.title), "success")  # fmt: skip
    return redirect(url_for("kworks.index"))


@bp.route("/<int:kwork_id>/delete", methods=["GET", "POST"])
def delete(kwork_id: int):
    kwork = _own_kwork_or_404(kwork_id)
    form = DeleteKworkForm()
    if form.validate_on_submit():
        service.delete_kwork(current_user, kwork, keep_portfolio=form.portfolio.data == "keep", now=now())
        flash(_("“%(title)s” has been deleted.", title=kwork.title or _("Untitled kwork")), "success")
        return redirect(url_for("kworks.index"))
    return render("kworks/delete.html", kwork=kwork, form=form, status=422 if form.errors else 200)


@bp.route("/portfolio", methods=["GET", "POST"])
def portfolio():
    kworks = service.seller_kworks(current_user)
    form = PortfolioItemForm()
    form.kwork_id.choices = [("", _("No particular kwork"))] + [(k.id, k.title or _("Untitled kwork")) for k in kworks]
    if form.validate_on_submit():
        kwork = _own_kwork_or_404(form.kwork_id.data) if form.kwork_id.data else None
        upload = form.image.data
        image = upload.read() if upload and upload.filename else None
        try:
            service.add_portfolio_item(
                current_user, title=form.title.data, kwork=kwork, image=image, link_url=form.link_url.data or None
            )
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        else:
            flash(_("Portfolio item added."), "success")
            return redirect(url_for("kworks.portfolio"))
    return render(
        "kworks/portfolio.html",
        form=form,
        items=service.seller_portfolio(current_user),
        status=422 if form.errors else 200,
    )


@bp.post("/portfolio/<int:item_id>/delete")
def delete_portfolio_item(item_id: int):
    if EmptyForm().validate_on_submit():
        try:
            service.delete_portfolio_item(current_user, item_id)
        except DomainError:
            abort(404)
        flash(_("Portfolio item deleted."), "success")
    return redirect(url_for("kworks.portfolio"))


# Pictures ---------------------------------------------------------------------------------------------------------
def _alt_forms(items, bound=None):
    """One alt-text form per picture (ids "p<id>-alt"); `bound` is the one just posted, kept as typed."""
    forms = {}
    for picture in items:
        if bound is not None and bound.picture_id == picture.id:
            forms[picture.id] = bound
        else:
            forms[picture.id] = PictureAltForm(prefix=f"p{picture.id}", formdata=None, data={"alt": picture.alt})
    return forms


def _render_pictures(kwork, form=None, alt_form=None, status=200):
    items = pictures.pictures_of(kwork.id)
    return render(
        "kworks/pictures.html",
        kwork=kwork,
        items=items,
        form=form or PictureForm(formdata=None),
        alt_forms=_alt_forms(items, alt_form),
        max_pictures=MAX_PICTURES,
        status=status,
    )


@bp.route("/<int:kwork_id>/pictures", methods=["GET", "POST"])
def kwork_pictures(kwork_id: int):
    kwork = _own_kwork_or_404(kwork_id)
    if request.method == "GET":
        return _render_pictures(kwork)
    form = PictureForm()
    if form.validate_on_submit():
        upload = form.image.data
        data = upload.read() if upload and getattr(upload, "filename", None) else b""
        try:
            if not data:
                raise ValidationFailed([FieldIssue("image", _("Select a picture to upload"))] + pictures.alt_issues(form.alt.data or ""))
            pictures.add_picture(current_user, kwork.id, data, form.alt.data or "", as_cover=form.cover.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_issues(form, error.issues)
        else:
            flash(_("Picture added."), "success")
            return redirect(url_for("kworks.kwork_pictures", kwork_id=kwork.id))
    return _render_pictures(kwork, form=form, status=422)


def _picture_action(kwork_id: int, picture_id: int, action):
    kwork = _own_kwork_or_404(kwork_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action(kwork)
    except pictures.PictureNotFound:
        abort(404)
    return redirect(url_for("kworks.kwork_pictures", kwork_id=kwork.id))


@bp.post("/<int:kwork_id>/pictures/<int:picture_id>/alt")
def picture_alt(kwork_id: int, picture_id: int):
    kwork = _own_kwork_or_404(kwork_id)
    form = PictureAltForm(prefix=f"p{picture_id}")
    form.picture_id = picture_id
    if form.validate_on_submit():
        try:
            pictures.update_alt(current_user, kwork.id, picture_id, form.alt.data or "")
        except pictures.PictureNotFound:
            abort(404)
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        else:
            flash(_("Alternative text saved."), "success")
            return redirect(url_for("kworks.kwork_pictures", kwork_id=kwork.id))
    if not any(p.id == picture_id for p in pictures.pictures_of(kwork.id)):
        abort(404)
    return _render_pictures(kwork, alt_form=form, status=422)


@bp.post("/<int:kwork_id>/pictures/<int:picture_id>/cover")
def picture_cover(kwork_id: int, picture_id: int):
    def act(kwork):
        pictures.make_cover(current_user, kwork.id, picture_id)
        flash(_("Cover changed."), "success")

    return _picture_action(kwork_id, picture_id, act)


@bp.post("/<int:kwork_id>/pictures/<int:picture_id>/remove")
def picture_remove(kwork_id: int, picture_id: int):
    def act(kwork):
        pictures.remove_picture(current_user, kwork.id, picture_id)
        flash(_("Picture removed."), "success")

    return _picture_action(kwork_id, picture_id, act)
