"""The inbox: conversations between two users, "Contact the seller", the thread page with its polling, files and
reports. Every action is a plain form post that redirects; with htmx the same template answers with one block."""
import math

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from .. import downloads, header_counts
from ..auth import signed_in
from ..bounds import optional_id
from ..clock import now
from ..domain import offers as offer_rules
from ..domain.errors import DomainError, ValidationFailed
from ..extensions import db
from ..forms import EmptyForm, apply_issues, attempt
from ..htmx import is_htmx, render
from ..models import Kwork, User
from ..services import conversations, ledger, offers, wallet
from ..texts import gettext as _
from ..texts import ngettext
from . import bp
from .forms import ConversationMessageForm, DeclineOfferForm, OfferForm, ReportMessageForm, SearchForm


@bp.before_request
def require_login():
    """Conversations belong to their two people. The header's count answers signed-out browsers itself (a login
    page swapped into the header would be worse than no count)."""
    if request.endpoint != "inbox.unread_count":
        return login_required(lambda: None)()
    return None


bp.add_app_template_global(offer_rules.STATE_LABELS, "OFFER_STATES")


@bp.app_template_global()
def response_time_text(user_id: int) -> str:
    """"Usually replies within 2 hours": the median first reply of the last 30 days, rounded up; "" without one."""
    median = conversations.response_time(user_id, now())
    if median is None:
        return ""
    hours = math.ceil(median.total_seconds() / 3600)
    if hours <= 1:
        return _("Usually replies within an hour")
    if hours < 48:
        return ngettext("Usually replies within %(num)d hour", "Usually replies within %(num)d hours", hours)
    return ngettext("Usually replies within %(num)d day", "Usually replies within %(num)d days", math.ceil(hours / 24))


# The header's Inbox count, read with the bell's.
bp.add_app_template_global(header_counts.unread_messages)


def _inbox_count() -> int | None:
    """The Inbox count alone (the header's poll); None when the database can't answer."""
    try:
        return conversations.unread_total(current_user.id)
    except SQLAlchemyError:
        return None


@bp.get("/unread")
@signed_in.passive
def unread_count():
    """The header's Inbox count, asked for by htmx every 60 s: one statement, and it does not count as using the
    session (an open tab must not keep a session alive past its idle limit). Signed out: 286, which makes htmx
    remove the count and stop asking."""
    if not current_user.is_authenticated:
        return "", 286
    if not is_htmx():  # opened as an address: the inbox itself
        return redirect(url_for("inbox.index"))
    unread, shown = _inbox_count(), _id_arg("shown") or 0
    if unread is None or unread == shown:
        return "", 204  # unchanged (or unknown): nothing to swap, nothing to say
    return render("components/inbox_count.html", block="count", unread=unread, announce=unread > shown)


def _uploads(field) -> list[conversations.Upload]:
    return [conversations.Upload(f.filename, f.read()) for f in (field.data or []) if f and f.filename]


def _conversation_or_404(conversation_id: int):
    try:
        return conversations.get_for(current_user, conversation_id)
    except conversations.ConversationNotFound:
        abort(404)


def _id_arg(name: str) -> int | None:
    try:
        return optional_id(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/")
def index():
    form = SearchForm(request.args)
    search = (form.q.data or "").strip()[:60]
    older = conversations.InboxCursor.parse(request.args.get("older"))
    threads, next_page = conversations.inbox_page(current_user, search or None, older)
    # htmx's "Older conversations" gets the next threads to append; an address opened directly gets a whole page.
    return render("inbox/index.html", block="more_threads" if older else None, form=form, threads=threads, search=search,
                  older=older, next_page=next_page)  # fmt: skip


def _page(conversation, status: int = 200, message_form=None):
    conversations.mark_read(current_user, conversation)  # first: its commit would expire what is loaded before it
    before = _id_arg("before")
    messages, older = conversations.page(conversation, before=before)
    other = db.session.get(User, conversation.other_id(current_user))
    return render(
        "inbox/show.html",
        status=status,
        conversation=conversation,
        other=other,
        messages=messages,
        older=older,
        before=before,
        newest_id=conversation.last_message_id or 0,
        problem=conversations.write_problem(current_user, other),
        message_form=message_form or ConversationMessageForm(formdata=None),
        form=message_form,
        now=now(),
        live=request.args.get("live") != "off",
    )


@bp.get("/<int:conversation_id>")
def show(conversation_id: int):
    conversation = _conversation_or_404(conversation_id)
    if is_htmx() and _id_arg("before") is not None:
        messages, older = conversations.page(conversation, before=_id_arg("before"))
        return render("inbox/show.html", block="older_messages", conversation=conversation, messages=messages, older=older, now=now())
    return _page(conversation)


@bp.get("/<int:conversation_id>/poll")
def poll(conversation_id: int):
    """htmx asks every 10 seconds for messages after the newest it has: 204 until there are some."""
    conversation = _conversation_or_404(conversation_id)
    if not is_htmx():  # opened as an address: the thread itself
        return redirect(url_for("inbox.show", conversation_id=conversation.id))
    after = _id_arg("after") or 0
    messages, _older = conversations.page(conversation, after=after)
    if not messages:
        return "", 204
    conversations.mark_read(current_user, conversation)
    messages, _older = conversations.page(conversation, after=after)  # read again: the commit expired them
    theirs = [m for m in messages if m.author_id != current_user.id]
    announce = ngettext("%(num)d new message from %(name)s", "%(num)d new messages from %(name)s", len(theirs),
                        name=theirs[-1].author.display_name) if theirs else ""  # fmt: skip
    return render("inbox/show.html", block="poll", conversation=conversation, messages=messages, newest_id=messages[-1].id, announce=announce,
                  now=now())  # fmt: skip


@bp.post("/<int:conversation_id>/messages")
def post_message(conversation_id: int):
    """With htmx: the new message joins the log and the form comes back empty; without: the page again."""
    conversation = _conversation_or_404(conversation_id)
    form = ConversationMessageForm()
    message = None
    if form.validate_on_submit():
        message = attempt(form, lambda: conversations.post(current_user, conversation, form.message.data, _uploads(form.message_files), now()))
    if not is_htmx():
        if message is not None:
            flash(_("Message sent"), "success")
            return redirect(url_for("inbox.show", conversation_id=conversation.id, _anchor=f"message-{message.id}"))
        return _page(conversation, status=422, message_form=form)
    fresh = ConversationMessageForm(formdata=None) if message is not None else form
    return render("inbox/show.html", block="message_form", status=200 if message else 422, conversation=conversation,
                  message_form=fresh, new_message=message, newest_id=message.id if message else None,
                  problem=None, now=now())  # fmt: skip


@bp.route("/with/<int:user_id>", methods=["GET", "POST"])
def contact(user_id: int):
    """"Contact the seller": the conversation the two already have, or a first message that starts one."""
    other = db.session.get(User, user_id)
    if other is None or other.id == current_user.id:
        abort(404)
    kwork = db.session.get(Kwork, _id_arg("kwork")) if _id_arg("kwork") else None
    if kwork is not None and (kwork.seller_id != other.id or kwork.deleted_at is not None):
        kwork = None
    asking = request.args.get("ask") == "1"  # "Ask for an offer" / "Describe your task": the message is a brief
    existing = conversations.between(current_user, other.id)
    if existing is not None and request.method == "GET" and not asking:
        return redirect(url_for("inbox.show", conversation_id=existing.id, _anchor="message-form"))
    form = ConversationMessageForm()
    problem = conversations.write_problem(current_user, other)
    if form.validate_on_submit() and problem is None:
        message = attempt(form, lambda: conversations.start(current_user, other, kwork, form.message.data, _uploads(form.message_files),
                                                            now(), asks_for_offer=asking))  # fmt: skip
        if message is not None:
            flash(_("Message sent to %(name)s", name=other.display_name), "success")
            return redirect(url_for("inbox.show", conversation_id=message.conversation_id, _anchor=f"message-{message.id}"))
    status = 422 if request.method == "POST" else 200
    return render("inbox/contact.html", status=status, other=other, kwork=kwork, form=form, problem=problem, asking=asking)


@bp.get("/<int:conversation_id>/attachments/<int:attachment_id>")
def attachment(conversation_id: int, attachment_id: int):
    conversation = _conversation_or_404(conversation_id)
    found = conversations.attachment_for(current_user, conversation, attachment_id)
    if found is None:
        abort(404)
    return downloads.attachment(found.stored_name, found.original_name)


@bp.route("/<int:conversation_id>/messages/<int:message_id>/report", methods=["GET", "POST"])
def report(conversation_id: int, message_id: int):
    conversation = _conversation_or_404(conversation_id)
    message = db.session.get(conversations.ConversationMessage, message_id)
    if message is None or message.conversation_id != conversation.id or message.author_id == current_user.id:
        abort(404)
    form = ReportMessageForm()
    if form.validate_on_submit():
        try:
            conversations.report(current_user, conversation, message.id, form.reason.data, now())
        except ValidationFailed as error:
            db.session.rollback()
            apply_issues(form, error.issues)
        except conversations.ConversationNotFound:
            abort(404)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("inbox.show", conversation_id=conversation.id))
        else:
            flash(_("Thank you: the message was reported to the moderators."), "success")
            return redirect(url_for("inbox.show", conversation_id=conversation.id, _anchor=f"message-{message.id}"))
    status = 422 if request.method == "POST" else 200
    return render("inbox/report.html", status=status, conversation=conversation, message=message, form=form)


# Individual offers -------------------------------------------------------------------------------------------


def _offer_or_404(conversation, offer_id: int):
    try:
        offer = offers.get_for(current_user, offer_id)
    except offers.OfferNotFound:
        abort(404)
    if offer.conversation_id != conversation.id:
        abort(404)
    return offer


@bp.route("/<int:conversation_id>/offers/new", methods=["GET", "POST"])
def new_offer(conversation_id: int):
    conversation = _conversation_or_404(conversation_id)
    other = db.session.get(User, conversation.other_id(current_user))
    form = OfferForm()
    mine = offers.seller_kworks(current_user)
    form.kwork_id.choices = [("", _("The kwork the conversation started from, or your newest"))] + [(k.id, k.title) for k in mine]
    if form.validate_on_submit():
        terms = offers.Terms(form.description.data, form.price.data, form.delivery_days.data, form.revisions.data,
                             form.expires_in_days.data, form.kwork_id.data)  # fmt: skip
        offer = attempt(form, lambda: offers.make(current_user, conversation, terms, now()))
        if offer is not None:
            flash(_("Offer sent to %(name)s", name=other.display_name), "success")
            return redirect(url_for("inbox.show", conversation_id=conversation.id, _anchor=f"offer-{offer.id}"))
    status = 422 if request.method == "POST" else 200
    return render("inbox/offer.html", status=status, conversation=conversation, other=other, form=form, has_kworks=bool(mine))


@bp.post("/<int:conversation_id>/offers/<int:offer_id>/accept")
def accept_offer(conversation_id: int, offer_id: int):
    conversation = _conversation_or_404(conversation_id)
    offer = _offer_or_404(conversation, offer_id)
    back = url_for("inbox.show", conversation_id=conversation.id, _anchor=f"offer-{offer.id}")
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        order = offers.accept(current_user, offer.id, now())
    except ledger.InsufficientFunds:
        db.session.rollback()
        short_by = offer.price * 100 - wallet.balance(current_user)
        flash(_("Your balance is too low to accept this offer. Nothing has been charged and the offer is still open: "
                "top up, then accept it again."), "error")  # fmt: skip
        return redirect(url_for("wallet.index", amount=-(-short_by // 100), next=back))
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    flash(_("Offer accepted. Order placed: the payment is held safely until you accept the work."), "success")
    return redirect(url_for("orders.show", order_id=order.id))


@bp.route("/<int:conversation_id>/offers/<int:offer_id>/decline", methods=["GET", "POST"])
def decline_offer(conversation_id: int, offer_id: int):
    conversation = _conversation_or_404(conversation_id)
    offer = _offer_or_404(conversation, offer_id)
    if offer.buyer_id != current_user.id:
        abort(404)
    form = DeclineOfferForm()
    if form.validate_on_submit():
        try:
            offers.decline(current_user, offer.id, form.reason.data, now())
        except ValidationFailed as error:
            db.session.rollback()
            apply_issues(form, error.issues)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("inbox.show", conversation_id=conversation.id))
        else:
            flash(_("Offer declined"), "success")
            return redirect(url_for("inbox.show", conversation_id=conversation.id, _anchor=f"offer-{offer.id}"))
    status = 422 if request.method == "POST" else 200
    return render("inbox/decline.html", status=status, conversation=conversation, offer=offer, form=form, now=now())


@bp.post("/<int:conversation_id>/offers/<int:offer_id>/withdraw")
def withdraw_offer(conversation_id: int, offer_id: int):
    conversation = _conversation_or_404(conversation_id)
    offer = _offer_or_404(conversation, offer_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        offers.withdraw(current_user, offer.id, now())
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(_("Offer withdrawn"), "success")
    return redirect(url_for("inbox.show", conversation_id=conversation.id, _anchor=f"offer-{offer.id}"))
