from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..htmx import render
from ..clock import now
from ..services import accounts, kworks, orders, ratings, wallet
from . import bp
from .forms import ProfileForm, RoleForm


@bp.get("/")
@login_required
def dashboard():
    role = "seller" if current_user.is_selling else "buyer"
    recent, counts = orders.list_for(current_user, role, None)
    moment = now()
    context = {
        "recent": recent[:5],
        "counts": counts,
        "late": sum(1 for o in recent if o.late(moment)),
        "now": moment,
    }
    if current_user.is_selling:
        return render(
            "account/seller_dashboard.html",
            kworks=kworks.seller_kworks(current_user),
            ratings=ratings.for_seller(current_user.id),
            **context,
        )
    return render("account/buyer_dashboard.html", balance=wallet.balance(current_user), **context)


@bp.post("/role")
@login_required
def switch_role():
    form = RoleForm()
    if form.validate_on_submit():
        accounts.switch_role(current_user, form.role.data)
        flash("You are now selling." if current_user.is_selling else "You are now buying.", "success")
    return redirect(url_for("account.dashboard"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        form.not_accepting.data = not current_user.accepting_orders
    if form.validate_on_submit():
        accounts.update_profile(
            current_user,
            display_name=form.display_name.data,
            about=form.about.data,
            working_hours=form.working_hours.data,
            accepting_orders=not form.not_accepting.data,
            timezone=form.timezone.data,
        )
        flash("Your profile has been saved.", "success")
        return redirect(url_for("account.profile"))
    return render("account/profile.html", form=form, status=422 if form.errors else 200)


@bp.get("/ratings")
@login_required
def seller_ratings():
    """The seller's own metrics, with every cancellation that moved them and why."""
    return render("account/ratings.html", ratings=ratings.for_seller(current_user.id))
