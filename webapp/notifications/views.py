"""The notification centre, e-mail settings, and the small fragments htmx polls for live updates.

Every action is a POST form (CSRF-checked app-wide by Flask-WTF) that works as a full page with a redirect; with
htmx the same templates answer with one block plus out-of-band updates of the bell and the polite live region.
"""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import header_counts
from ..clock import now
from ..htmx import is_htmx, render
from ..services import notifications, orders
from ..texts import gettext as _
from . import bp
from .forms import EmailSettingsForm


@bp.before_request
@login_required
def require_login():
    """Notifications belong to their user."""


# The bell's count, read only by pages that show the bell (a logged-in user's), with the Inbox count.
bp.add_app_template_global(header_counts.unread_notifications)


@bp.app_template_global()
def order_version(order) -> str:
    """The order page renders with this and polls for a different one (see services.notifications.order_version)."""
    return notifications.order_version(order)


def _list(block: str | None = None, **context):
    return render("notifications/index.html", block=block, notifications=notifications.recent(current_user), **context)


@bp.get("/")
def index():
    return _list()


@bp.post("/<int:notification_id>/read")
def mark_read(notification_id: int):
    try:
        notifications.mark_read(current_user, notification_id, now())
    except notifications.NotificationNotFound:
        abort(404)
    if is_htmx():
        # The button goes away once read: focus moves to the notification's own link, which the list renders again.
        return _list("notification_list", announce=_("Marked as read"), focus_id=f"notification-{notification_id}-link")
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
def mark_all_read():
    count = notifications.mark_all_read(current_user, now())
    message = _("All notifications marked as read") if count else _("No unread notifications")
    if is_htmx():
        return _list("notification_list", announce=message, focus_id="notifications-heading")
    flash(message, "success")
    return redirect(url_for("notifications.index"))


@bp.get("/badge")
def badge():
    """Polled by the bell: 204 while the count is the one the page shows, else the bell again (announced if up)."""
    if not is_htmx():
        return redirect(url_for("notifications.index"))
    count = notifications.unread_count(current_user.id)
    seen = request.args.get("count", type=int)
    if count == seen:
        return "", 204
    # The newest text goes with the count: on an order page the summary's own poll may speak at the same moment,
    # and whichever is heard last still says what happened.
    newest = notifications.recent(current_user, limit=1) if seen is not None and count > seen else []
    return render("notifications/index.html", block="bell_update", count=count, newest=newest[0] if newest else None)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = EmailSettingsForm()
    if form.validate_on_submit():
        notifications.set_emailed_kinds(current_user, set(form.kinds.data or ()))  # all unticked: nothing is posted
        flash(_("Your e-mail choices are saved"), "success")
        return redirect(url_for("notifications.settings"))
    if request.method == "GET":
        form.kinds.data = sorted(notifications.emailed_kinds(current_user))
    return render("notifications/settings.html", form=form, status=422 if form.errors else 200)


@bp.get("/orders/<int:order_id>/summary")
def order_summary(order_id: int):
    """Polled by the order page: 204 while nothing changed, else its summary again, announced once."""
    if not is_htmx():
        return redirect(url_for("orders.show", order_id=order_id))
    try:
        order = orders.get_for(current_user, order_id)
    except orders.OrderNotFound:
        abort(404)
    version = notifications.order_version(order)
    if version == request.args.get("version"):
        return "", 204
    moment = now()
    return render("orders/show.html", block="live_summary", order=order, role=order.role_of(current_user), now=moment,
                  late=order.late(moment), live_version=version, changed_from=request.args.get("state"))  # fmt: skip
