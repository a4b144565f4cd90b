from functools import wraps

from flask import abort, current_app, request, send_from_directory
from flask_babel import gettext as _
from flask_login import current_user

from ..htmx import render
from ..page_cache import for_visitors
from ..services import catalog, kworks, reviews
from . import bp
from .forms import CatalogFilterForm


def public_page(view):
    """An anonymous visitor's page is the same for everyone: served from the page cache (webapp.page_cache) and
    tagged, so a browser revalidating it gets a 304 Not Modified. Logged-in pages carry per-user parts (account
    bar, CSRF tokens) and are built every time."""
    cached_view = for_visitors(view)

    @wraps(view)
    def tagged(*args, **kwargs):
        response = cached_view(*args, **kwargs)
        if response.status_code == 200 and not current_user.is_authenticated:
            response.cache_control.no_cache = True  # revalidate every time: new kworks and reviews show at once
            response.add_etag()
            response.make_conditional(request)
        return response

    return tagged


@bp.get("/")
@public_page
def index():
    form = CatalogFilterForm(request.args)
    form.category.choices = [("", _("All categories"))] + [(c.slug, c.label) for c in kworks.categories()]
    valid = form.validate()
    query = catalog.CatalogQuery(
        text=form.q.data or "",
        category=form.category.data or "",
        price_min=form.price_min.data if valid else None,
        price_max=form.price_max.data if valid else None,
        sort=form.sort.data if form.sort.data in catalog.SORTS else "newest",
        page=request.args.get("page", 1, type=int),
    )
    results = catalog.search(query, per_page=current_app.config["CATALOG_PAGE_SIZE"])
    return render("catalog/index.html", block="catalog", form=form, results=results, status=200 if valid else 422)


@bp.get("/kworks/<int:kwork_id>")
@public_page
def kwork(kwork_id: int):
    found = catalog.visible_kwork(kwork_id, current_user)
    if found is None:
        abort(404)
    return render("catalog/kwork.html", kwork=found, reviews=reviews.for_kwork(found.id))


@bp.get("/sellers/<int:user_id>")
@public_page
def seller(user_id: int):
    profile = catalog.seller_profile(user_id)
    if profile is None:
        abort(404)
    seller, seller_kworks, portfolio = profile
    return render("catalog/seller.html", seller=seller, kworks=seller_kworks, portfolio=portfolio, reviews=reviews.for_seller(seller.id))


@bp.get("/images/<name>")
def image(name: str):
    """Portfolio images. Names are random and `send_from_directory` refuses paths outside the folder."""
    response = send_from_directory(current_app.config["UPLOAD_DIR"], name, max_age=31536000)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
