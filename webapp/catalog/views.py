from functools import wraps

from flask import abort, current_app, request, session
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user

from .. import downloads
from ..htmx import render
from ..services import catalog, kworks, reviews
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
        # A search is ordered by how well kworks match, unless the buyer chose another order.
        form.sort.data = "relevance" if (form.q.data or "").strip() else "newest"
    query = catalog.CatalogQuery(
        text=form.q.data or "",
        category=form.category.data or "",
        price_min=form.price_min.data if valid else None,
        price_max=form.price_max.data if valid else None,
        sort=form.sort.data,
        page=request.args.get("page", 1, type=int),
    )
    results = catalog.search(query, per_page=current_app.config["CATALOG_PAGE_SIZE"])
    return render("catalog/index.html", block="catalog", form=form, results=results, count_cap=format_number(catalog.COUNT_CAP),
                  status=200 if valid else 422)


@bp.get("/kworks/<int:kwork_id>")
@public_page
def kwork(kwork_id: int):
    found = catalog.visible_kwork(kwork_id, current_user)
    if found is None:
        abort(404)
    return render("catalog/kwork.html", kwork=found, reviews=reviews.for_kwork(found.id), reputation=catalog.kwork_reputation(found))


@bp.get("/sellers/<int:user_id>")
@public_page
def seller(user_id: int):
    profile = catalog.seller_profile(user_id)
    if profile is None:
        abort(404)
    seller, cards, portfolio = profile
    return render("catalog/seller.html", seller=seller, cards=cards, portfolio=portfolio, reviews=reviews.for_seller(seller.id))


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
