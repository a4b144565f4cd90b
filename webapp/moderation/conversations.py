"""Reported and flagged conversations: an admin reads the thread and closes its reports (admins only, as the whole
blueprint: its before_request guard covers these routes too)."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from ..clock import now
from ..extensions import db
from ..htmx import render
from ..models import Conversation, User
from ..services import conversations
from . import bp
from .views import _attempt
from ..inbox.forms import CloseReportsForm
from ..texts import gettext as _


@bp.app_template_global()
def reported_conversations() -> int:
    """The moderation tab's count: conversations with open reports."""
    return conversations.open_reports_count()


@bp.get("/conversations")
def conversation_reports():
    return render("moderation/conversations.html", reported=conversations.reported(), flagged=conversations.flagged())


@bp.route("/conversations/<int:conversation_id>", methods=["GET", "POST"])
def conversation(conversation_id: int):
    found = db.session.get(Conversation, conversation_id)
    if found is None:
        abort(404)
    form = CloseReportsForm()
    if form.validate_on_submit():
        done = _("Reports closed for this conversation.")
        fallback = url_for("moderation.conversation", conversation_id=found.id)
        response = _attempt(form, lambda: conversations.close_reports(current_user, found.id, form.note.data, now()), done, fallback)
        if response is not None:
            return response
    messages, _older = conversations.page(found, limit=500)
    return render("moderation/conversation.html", status=422 if form.errors else 200, conversation=found, messages=messages,
                  people={user.id: user for user in db.session.query(User).filter(User.id.in_([found.user_low_id, found.user_high_id]))},
                  reports=conversations.reports_in(found), form=form)  # fmt: skip
