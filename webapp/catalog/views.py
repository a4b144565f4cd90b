from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_number
from flask_login import current_user, login_required

from .. import downloads
from ..htmx import is_htmx, render
from ..clock import now
from ..forms import EmptyForm
from ..services import catalog, favourites, kworks, reviews
from ..texts import gettext as _
from ..urls import safe_local_path
from . import bp
from .forms import CatalogFilterForm


# How long a shared cache (a reverse proxy in front of several web hosts) may serve a visitor's page without asking:
# a new kwork or review reaches visitors at most this late; logged-in users always see the page as built now.
SHARED_MAX_AGE = 30


def public_page(view):
    """A visitor's catalog, kwork or seller page is the same for everyone who speaks that language: it is built on
    every request, tagged so a browser revalidating it gets 304 Not Modified, and marked so a reverse proxy may keep
    it for SHARED_MAX_AGE seconds (varying on the cookie, the language and htmx, see htmx.render). A logged-in
    user's page carries their account bar and form tokens, and a response that sets a cookie is that visitor's own:
    both stay private."""

    @wraps(view)
    def tagged(*args, **kwargs):
        response = view(*args, **kwargs)
        if response.status_code == 200 and not current_user.is_authenticated:
            response.add_etag()
            response.make_conditional(request)
            if session.modified:
                response.cache_control.private = True
                response.cache_control.no_cache = True
            else:
                response.cache_control.public = True
                response.cache_control.max_age = 0  # browsers revalidate every time, with the ETag
                response.cache_control.s_maxage = SHARED_MAX_AGE
        return response

    return tagged


@bp.get("/")
@public_page
def index():
    form = CatalogFilterForm(request.args)
    form.category.choices = [("", _("All categories"))] + [(c.slug, c.label) for c in kworks.categories()]
    valid = form.validate()
    if form.sort.data not in catalog.SORTS or "sort" not in request.args:
        # Best match unless the buyer chose another order: how well kworks match a search, then the seller's
        # reputation (level, completion rate, rating), so sellers who cancel are shown less (services/catalog).
        form.sort.data = "relevance"
    query = catalog.CatalogQuery(
        text=form.q.data or "",
        category=form.category.data or "",
        price_min=form.price_min.data if valid else None,
        price_max=form.price_max.data if valid else None,
        sort=form.sort.data,
        page=request.args.get("page", 1, type=int),
    )
    results = catalog.search(query, per_page=current_app.config["CATALOG_PAGE_SIZE"])
    saved = favourites.ids_among(current_user, [card.kwork.id for card in results.cards])
    return render("catalog/index.html", block="catalog", form=form, results=results, saved=saved, count_cap=format_number(catalog.COUNT_CAP),
                  status=200 if valid else 422)


@bp.get("/kworks/<int:kwork_id>")
@public_page
def kwork(kwork_id: int):
    found = catalog.kwork_page(kwork_id, current_user)
    if found is None:
        abort(404)
    kwork, reputation = found
    return render("catalog/kwork.html", kwork=kwork, reviews=reviews.for_kwork(kwork.id), reputation=reputation,
                  saved=favourites.ids_among(current_user, [kwork.id]))  # fmt: skip


@bp.get("/sellers/<int:user_id>")
@public_page
def seller(user_id: int):
    profile = catalog.seller_profile(user_id)
    if profile is None:
        abort(404)
    seller, cards, portfolio = profile
    saved = favourites.ids_among(current_user, [card.kwork.id for card in cards])
    return render("catalog/seller.html", seller=seller, cards=cards, saved=saved, portfolio=portfolio, reviews=reviews.for_seller(seller.id))


@bp.get("/images/<name>")
def image(name: str):
    """Portfolio images, from whichever storage keeps them; cached for a year (names are random, never reused)."""
    return downloads.image(name)


@bp.get("/pictures/<name>")
def picture(name: str):
    """A kwork picture in one width and format, from whichever storage keeps it."""
    return downloads.picture(f"pictures/{name}")


@bp.get("/avatars/<name>")
def avatar(name: str):
    """A user's avatar in one size and format."""
    return downloads.picture(f"avatars/{name}")


@bp.get("/favourites")
@login_required
def favourites_page():
    cards = catalog.favourite_cards(current_user)
    return render("catalog/favourites.html", cards=cards, saved={card.kwork.id for card in cards})


@bp.post("/kworks/<int:kwork_id>/favourite")
@login_required
def favourite(kwork_id: int):
    """The heart: favourite=1 keeps the kwork, 0 takes it off. With htmx the button comes back in its new state and
    the status region says so; without, the page it was pressed on comes back with the same message."""
    if not EmptyForm().validate_on_submit() or request.form.get("favourite") not in ("0", "1"):
        abort(400)
    wanted = request.form["favourite"] == "1"
    try:
        state = favourites.set_favourite(current_user, kwork_id, wanted, now=now())
    except favourites.KworkNotAvailable:
        abort(404)
    message = _("Saved to your favourites.") if state else _("Removed from your favourites.")
    if is_htmx():
        where = "page" if request.form.get("where") == "page" else "card"
        kwork = catalog.visible_kwork(kwork_id, current_user)
        if kwork is None:  # taken off the list after it left the catalog: nothing to draw a heart for
            return render_template("catalog/_favourite_gone.html", message=message)
        return render_template("catalog/_favourite_swap.html", kwork=kwork, is_favourite=state, where=where, message=message)
    flash(message, "success")
    return redirect(safe_local_path(request.form.get("next")) or url_for("catalog.kwork", kwork_id=kwork_id))
