"""Checkout, the order page and its actions, and the buyer's and seller's order lists."""
import secrets

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import downloads
from ..clock import now
from ..domain import orders as rules
from ..domain.arbitration import WORK_DECISIONS
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..domain.tiers import TIER_NAMES
from ..extensions import db
from ..forms import EmptyForm, apply_issues, attempt, error_items
from ..htmx import is_htmx, render
from ..templating import days, money, user_time
from ..models import Attachment, Kwork, OrderMessage
from ..services import cancellations, checkout_drafts, deadlines, disputes, ledger, notifications, orders, resolutions, reviews, timers, tips, wallet, work_disputes
from ..texts import gettext as _
from . import bp
from .upgrade_views import page_context as upgrade_context
from .forms import (
    AnswerCancellationForm,
    CancelForm,
    CheckoutForm,
    ExtensionAnswerForm,
    ExtensionForm,
    DeclineRevisionForm,
    DeliveryForm,
    DisputeForm,
    LateReviewForm,
    MessageForm,
    ReplyForm,
    ReportReviewForm,
    RequirementsForm,
    InformationForm,
    PartialRefundAnswerForm,
    PartialRefundForm,
    PauseAnswerForm,
    PauseForm,
    ReviewForm,
    RevisionForm,
    TipForm,
    WorkAnswerForm,
    WorkDisputeForm,
)


@bp.before_request
@login_required
def require_login():
    """Orders belong to their parties."""


def _uploads(field) -> list[orders.Upload]:
    return [orders.Upload(f.filename, f.read()) for f in (field.data or []) if f and f.filename]


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _order_or_404(order_id: int, load=orders.get_for):
    try:
        return load(current_user, order_id)
    except orders.OrderNotFound:
        abort(404)


def _tier_name(kwork, level: str) -> str:
    return TIER_NAMES[level] if kwork.is_packaged else _("Package")


# Checkout ---------------------------------------------------------------------------------------------------


def _extra_entries(form: CheckoutForm, kwork) -> None:
    """One checkout entry per extra of the kwork, at its position ("extras-0-…"); entries posted for positions the
    kwork doesn't have are dropped. Labels name the extra, its price and the days it adds."""
    # Built here rather than by the FieldList, which renumbers what was posted (a lone "extras-1" would become 0).
    formdata = request.form if request.method == "POST" else None
    form.extras.entries, form.extras.last_index = [], -1
    for extra in kwork.extras:
        entry = form.extras.append_entry()
        if formdata is not None:
            entry.process(formdata)
        fields = form.extras.entries[-1].form
        fields.chosen.label.text = _("%(extra)s: %(price)s, adds %(days)s", extra=extra.title, price=money(extra.price), days=days(extra.days)) \
            if extra.days else _("%(extra)s: %(price)s", extra=extra.title, price=money(extra.price))  # fmt: skip
        fields.quantity.label.text = _("Quantity of “%(extra)s”", extra=extra.title)
        fields.quantity.description = _("1 to %(max)s", max=extra.max_quantity)


def _wanted_extras(form: CheckoutForm, kwork) -> dict[int, int]:
    """{extra id: quantity} of the extras ticked; an extra without a quantity choice is bought once."""
    return {
        extra.id: (entry.form.quantity.data or 0) if extra.quantity_allowed else 1
        for extra, entry in zip(kwork.extras, form.extras.entries)
        if entry.form.chosen.data
    }


@bp.route("/checkout/<int:kwork_id>", methods=["GET", "POST"])
def checkout(kwork_id: int):
    kwork = db.session.get(Kwork, kwork_id)
    if kwork is None or kwork.deleted_at is not None or kwork.status != "active":
        abort(404)
    repeat_of = None
    if request.args.get("repeat", type=int):
        repeat_of = _order_or_404(request.args.get("repeat", type=int))
    form = CheckoutForm()
    form.tier.choices = [
        (t.level, _("%(package)s – %(price)s, %(days)s", package=_tier_name(kwork, t.level), price=money(t.price), days=days(t.delivery_days)))
        for t in kwork.offered_tiers
    ]
    _extra_entries(form, kwork)
    if request.method == "GET":
        asked = kwork.tier(request.args.get("tier", ""))
        form.tier.data = asked.level if asked in kwork.offered_tiers else kwork.offered_tiers[0].level
        form.checkout_token.data = secrets.token_urlsafe(24)
        # Back from a top-up: what the buyer typed before is waiting for them.
        if draft := checkout_drafts.take(current_user, kwork, now()):
            form.tier.data, form.quantity.data = draft.tier, draft.quantity
            form.requirements.data, form.send_later.data = draft.requirements, draft.send_later
            for extra, entry in zip(kwork.extras, form.extras.entries):
                if extra.id in draft.extras:
                    entry.form.chosen.data, entry.form.quantity.data = True, draft.extras[extra.id]
    problem = orders.checkout_problem(current_user, kwork)
    short_by = None
    # "Update the total" shows the summary for what is chosen without paying (no-JS and keyboard friendly).
    previewing = request.form.get("action") == "preview"
    valid = form.validate_on_submit()
    summary = None
    if not form.errors:
        try:
            summary = orders.quote(kwork, form.tier.data or "", quantity=form.quantity.data or 0, extras=_wanted_extras(form, kwork))
        except ValidationFailed as error:
            if request.method == "POST":
                apply_issues(form, error.issues)
    if valid and summary is not None and problem is None and not previewing:
        wanted = _wanted_extras(form, kwork)
        try:
            order = orders.place_order(
                current_user,
                kwork,
                form.tier.data,
                quantity=form.quantity.data or 0,
                requirements=None if form.send_later.data else (form.requirements.data or ""),
                files=_uploads(form.attachments),
                checkout_token=form.checkout_token.data or secrets.token_urlsafe(24),
                now=now(),
                repeat_of=repeat_of,
                extras=wanted,
            )
        except ledger.InsufficientFunds:
            short_by = summary.total - wallet.balance(current_user)
            draft = checkout_drafts.Draft(form.tier.data, form.quantity.data, form.requirements.data or "", bool(form.send_later.data), wanted)
            checkout_drafts.keep(current_user, kwork, draft, now())
            form.form_errors.append(_("Your balance is too low for this order. Nothing has been charged."))
        except ValidationFailed as error:
            apply_issues(form, error.issues)
        except DomainError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Order placed. The payment is held safely until you accept the work."), "success")
            return redirect(url_for("orders.show", order_id=order.id))
    chosen_tier = kwork.tier(form.tier.data or "")
    # With htmx, changing the package, the quantity or the extras asks for a preview: only the summary comes back
    # (with the pay button naming the new total); without JavaScript "Update the total" reloads the page.
    return render(
        "orders/checkout.html",
        block="checkout_summary" if previewing else None,
        included=[option.name for option in kwork.options if chosen_tier in option.tiers] if chosen_tier else [],
        form=form,
        kwork=kwork,
        problem=problem,
        balance=wallet.balance(current_user),
        short_by=short_by,
        summary=summary,
        tier_name=_tier_name(kwork, form.tier.data) if chosen_tier else "",
        status=422 if error_items(form) or short_by or (problem and request.method == "POST") else 200,
    )




# Lists and the order page ---------------------------------------------------------------------------------


@bp.get("/")
def index():
    role = request.args.get("role") if request.args.get("role") in ("buyer", "seller") else current_user.active_role
    state = request.args.get("state") if request.args.get("state") in rules.STATES else None
    found, counts = orders.list_for(current_user, role, state)
    return render("orders/index.html", orders=found, counts=counts, role=role, state=state, now=now())


def _page(order, status: int = 200, **forms):
    """The order page with only the forms this viewer can use in this state; `forms` are the ones just posted."""
    role = order.role_of(current_user)
    moment = now()
    actions = rules.available_actions(order.state, role, revision_is_extra=order.revision_is_extra) if role else []
    on_order = work_disputes.for_order(order)
    flags = {
        "can_review": role == "buyer" and reviews.can_review(order, moment),
        "can_review_via_support": role == "buyer" and reviews.can_review_via_support(order, moment),
        "escalatable": disputes.escalatable(order, current_user, moment),
        "refund_offer": resolutions.open_offer(order),
        "can_open_work_dispute": bool(role) and work_disputes.can_open(order, current_user, on_order),
        "tip": tips.for_order(order) if order.state == rules.COMPLETED else None,
        "can_tip": role == "buyer" and tips.can_tip(order, current_user),
    }
    reasons = cancellations.reasons(order, current_user, moment) if role else []
    built = {name: make() for name, make in _offered_forms(order, role, actions, flags, on_order, reasons) if name not in forms}
    built.update(forms)  # what was just posted comes back with its errors and what was typed
    built.update(upgrade_context(order, role, forms, on_order))  # templates/orders/_upgrades.html
    # The layout prefixes the title with "Error: " when `form` has errors: point it at the form that failed.
    failed = [form for form in forms.values() if form.errors]
    if failed:
        built["form"] = failed[0]
    if "cancel_form" in built:
        built["cancel_form"].reason.choices = [(r.code, r.label) for r in reasons]
    history = orders.history(order.id)
    return render(
        "orders/show.html",
        status=status,
        order=order,
        thread=orders.thread(order.id),
        history=history,
        live_version=notifications.loaded_order_version(order, history[-1].id if history else None),
        role=role,
        actions=actions,
        now=moment,
        late=order.late(moment),
        disputes=disputes.for_order(order),
        review_deadline=reviews.review_deadline(order),
        running_timers=timers.running(order),
        cancellation=order.open_cancellation or order.applied_cancellation,
        work_disputes=on_order,
        work_decisions=WORK_DECISIONS,
        commission_percent=current_app.config["COMMISSION_PERCENT"],
        **flags,
        **built,
    )


def _offered_forms(order, role, actions, flags, on_order, reasons):
    """(template name, builder) of each form the viewer can use now – the same conditions the services check, so
    the page offers nothing that would be refused, and builds nothing it doesn't show."""
    blank = lambda form_class: lambda: form_class(formdata=None)  # noqa: E731
    review = order.review
    shown_review = review is not None and review.status not in ("hidden", "pending")
    cancellation = order.open_cancellation
    answering_cancellation = bool(role) and cancellation is not None and cancellation.initiator_id != current_user.id
    extension = order.open_extension
    seller_working = role == "seller" and order.state in (rules.IN_WORK, rules.REVISION) and cancellation is None \
        and not (extension and order.pause_requested_at)  # fmt: skip
    offered = {
        "requirements_form": ("send_requirements" in actions, blank(RequirementsForm)),
        "delivery_form": ("deliver" in actions, blank(DeliveryForm)),
        "revision_form": ("request_revision" in actions, blank(RevisionForm)),
        "decline_form": ("decline_revision" in actions, blank(DeclineRevisionForm)),
        "message_form": (bool(role), blank(MessageForm)),
        "review_form": (flags["can_review"], lambda: _review_form(order)),
        "late_review_form": (not flags["can_review"] and flags["can_review_via_support"], lambda: _late_review_form(order)),
        "reply_form": (role == "seller" and shown_review and review.reply is None, blank(ReplyForm)),
        "report_form": (role == "seller" and shown_review and review.reported_at is None, blank(ReportReviewForm)),
        "cancel_form": (bool(reasons), blank(CancelForm)),
        "answer_form": (answering_cancellation, blank(AnswerCancellationForm)),
        "information_form": (answering_cancellation and role == "buyer" and cancellation.reason == "no_information", blank(InformationForm)),
        "extension_form": (seller_working and extension is None, blank(ExtensionForm)),
        "pause_form": (seller_working and order.state == rules.IN_WORK and not order.pause_requested_at, blank(PauseForm)),
        "extension_answer_form": (role == "buyer" and extension is not None, blank(ExtensionAnswerForm)),
        "pause_answer_form": (role == "buyer" and bool(order.pause_requested_at) and not order.paused_at, blank(PauseAnswerForm)),
        "dispute_form": (bool(flags["escalatable"]), blank(DisputeForm)),
        "partial_refund_form": (role == "seller" and order.state == rules.DELIVERED and cancellation is None and not flags["refund_offer"],
                                blank(PartialRefundForm)),
        "partial_refund_answer_form": (role == "buyer" and bool(flags["refund_offer"]), blank(PartialRefundAnswerForm)),
        "work_dispute_form": (flags["can_open_work_dispute"], blank(WorkDisputeForm)),
        "work_answer_form": (bool(role) and any(d.status == "open" and d.opened_role != role and not d.answer for d in on_order),
                             blank(WorkAnswerForm)),
        "tip_form": (flags["can_tip"] and not flags["tip"], blank(TipForm)),
    }
    return [(name, make) for name, (wanted, make) in offered.items() if wanted]


def _late_review_form(order) -> LateReviewForm:
    form = LateReviewForm(formdata=None)
    if order.state == rules.CANCELLED:  # a cancelled order can only get a negative review, late or not
        form.late_positive.choices = [("no", _("Negative – an administrator checks it first"))]
    return form


def _review_form(order) -> ReviewForm:
    form = ReviewForm(formdata=None)
    if order.state == "cancelled":
        form.positive.choices = [("no", _("Negative – something went wrong"))]
    if order.review is not None:
        form.positive.data = "yes" if order.review.positive else "no"
        form.text.data = order.review.text
    return form


@bp.get("/<int:order_id>")
def show(order_id: int):
    return _page(_order_or_404(order_id, load=orders.page_for))


def _act(order, form_name: str, form, action, done):
    """Run one order action from a posted form. On success: back to the order page with `done` – a sentence, or a
    function of the order as the action left it – as the flash the page titles itself with and focuses; on a
    refusal, the page with the form's errors."""
    if form.validate_on_submit():
        try:
            action()
        except ValidationFailed as error:
            db.session.rollback()
            apply_issues(form, error.issues)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("orders.show", order_id=order.id))
        else:
            flash(done(order) if callable(done) else done, "success")
            return redirect(url_for("orders.show", order_id=order.id))
    return _page(order, status=422, **{form_name: form})


@bp.post("/<int:order_id>/requirements")
def send_requirements(order_id: int):
    order = _order_or_404(order_id)
    form = RequirementsForm()
    return _act(order, "requirements_form", form,
                lambda: orders.send_requirements(current_user, order, form.requirements.data, _uploads(form.requirements_files), now()),
                lambda _order: _("Requirements sent. The seller will read them and start work."))  # fmt: skip


@bp.post("/<int:order_id>/start")
def start(order_id: int):
    order = _order_or_404(order_id)
    return _act(order, "start_form", EmptyForm(), lambda: orders.start_work(current_user, order, now()),
                lambda started: _("Work started. Deliver it by %(deadline)s.", deadline=user_time(started.deadline_at)))


@bp.post("/<int:order_id>/deliver")
def deliver(order_id: int):
    order = _order_or_404(order_id)
    form = DeliveryForm()
    return _act(order, "delivery_form", form,
                lambda: orders.deliver(current_user, order, form.delivery.data, _uploads(form.delivery_files), now()),
                lambda _order: _("Work delivered. The buyer has %(days)s to accept it or ask for a revision.", days=days(orders.AUTO_COMPLETE_AFTER.days)))  # fmt: skip


@bp.post("/<int:order_id>/accept")
def accept(order_id: int):
    order = _order_or_404(order_id)
    return _act(order, "accept_form", EmptyForm(), lambda: orders.accept(current_user, order, now()),
                lambda _order: _("Work accepted. The order is completed and the payment has gone to the seller."))  # fmt: skip


@bp.post("/<int:order_id>/revision")
def request_revision(order_id: int):
    order = _order_or_404(order_id)
    form = RevisionForm()
    return _act(order, "revision_form", form, lambda: orders.request_revision(current_user, order, form.revision.data, now()),
                lambda _order: _("Revision requested. The seller will deliver the work again."))  # fmt: skip


@bp.post("/<int:order_id>/decline-revision")
def decline_revision(order_id: int):
    order = _order_or_404(order_id)
    form = DeclineRevisionForm()
    return _act(order, "decline_form", form, lambda: orders.decline_revision(current_user, order, form.decline.data, now()),
                lambda _order: _("Revision declined. Your previous delivery stands for the buyer to accept."))  # fmt: skip


@bp.post("/<int:order_id>/review")
def review(order_id: int):
    order = _order_or_404(order_id)
    form = ReviewForm()
    positive = _yes_no(form.positive.data)
    return _act(order, "review_form", form,
                lambda: reviews.save_review(current_user, order, positive=positive, text=form.text.data, now=now()),
                _("Review saved. Thank you.") if order.review else _("Review published. Thank you."))  # fmt: skip


@bp.post("/<int:order_id>/review/reply")
def reply(order_id: int):
    order = _order_or_404(order_id)
    if order.review is None:
        abort(404)
    form = ReplyForm()
    return _act(order, "reply_form", form, lambda: reviews.reply(current_user, order.review, form.reply.data, now()),
                _("Reply published under the review."))


@bp.post("/<int:order_id>/review/report")
def report_review(order_id: int):
    order = _order_or_404(order_id)
    if order.review is None:
        abort(404)
    form = ReportReviewForm()
    return _act(order, "report_form", form, lambda: reviews.report(current_user, order.review, form.report_reason.data, now()),
                _("Review reported. An administrator will decide."))


@bp.post("/<int:order_id>/review/late")
def late_review(order_id: int):
    order = _order_or_404(order_id)
    form = LateReviewForm()
    positive = _yes_no(form.late_positive.data)
    return _act(order, "late_review_form", form,
                lambda: reviews.submit_via_support(current_user, order, form.late_review.data, now(), positive=positive),
                _("Late review sent. An administrator checks it before it is published."))  # fmt: skip


@bp.post("/<int:order_id>/dispute")
def escalate(order_id: int):
    order = _order_or_404(order_id)
    form = DisputeForm()
    return _act(order, "dispute_form", form, lambda: disputes.escalate(current_user, order, form.dispute_comment.data, now()),
                _("Taken to arbitration. An administrator will decide, and you will get a notification."))


def _cancellation_done(order) -> str:
    """A cancellation either applied at once (or by agreement), or waits for the other side's answer."""
    if order.state == rules.CANCELLED:
        return _("Order cancelled. The payment is back on the buyer’s balance.")
    return _("Cancellation requested. The other side has 48 hours to answer; without an answer it applies.")


@bp.post("/<int:order_id>/cancel")
def request_cancellation(order_id: int):
    order = _order_or_404(order_id)
    form = CancelForm()
    return _act(order, "cancel_form", form,
                lambda: cancellations.request(current_user, order, form.reason.data or "", form.comment.data, now()),
                _cancellation_done)  # fmt: skip


@bp.post("/<int:order_id>/cancel/answer")
def answer_cancellation(order_id: int):
    order = _order_or_404(order_id)
    if order.open_cancellation is None:
        flash(_("There is no open cancellation request on this order."), "error")
        return redirect(url_for("orders.show", order_id=order.id))
    form = AnswerCancellationForm()
    return _act(order, "answer_form", form, lambda: cancellations.answer(
        current_user, order.open_cancellation, accept=_yes_no(form.accept.data), reason_correct=_yes_no(form.reason_correct.data), now=now()
    ), lambda answered: _cancellation_done(answered) if answered.state == rules.CANCELLED else _("Cancellation declined. The order goes on."))  # fmt: skip


@bp.post("/<int:order_id>/cancel/information")
def send_information(order_id: int):
    order = _order_or_404(order_id)
    if order.open_cancellation is None:
        abort(404)
    form = InformationForm()
    return _act(order, "information_form", form,
                lambda: cancellations.provide_information(current_user, order.open_cancellation, form.information.data, now()),
                _("Information sent. The cancellation request is withdrawn and the order goes on."))  # fmt: skip


@bp.post("/<int:order_id>/extension")
def request_extension(order_id: int):
    order = _order_or_404(order_id)
    form = ExtensionForm()
    return _act(order, "extension_form", form,
                lambda: deadlines.request_extension(current_user, order, form.days.data, form.extension_reason.data, now()),
                _("More time requested. Without an answer from the buyer in two days, the extra days are granted."))  # fmt: skip


@bp.post("/<int:order_id>/extension/answer")
def answer_extension(order_id: int):
    order = _order_or_404(order_id)
    if order.open_extension is None:
        flash(_("There is no extension request to answer."), "error")
        return redirect(url_for("orders.show", order_id=order.id))
    form = ExtensionAnswerForm()
    return _act(order, "extension_answer_form", form,
                lambda: deadlines.answer_extension(current_user, order.open_extension, _yes_no(form.extension_accept.data), now()),
                lambda answered: _("Extra days granted. The new deadline is %(deadline)s.", deadline=user_time(answered.deadline_at))
                if form.extension_accept.data == "yes" else _("Extra days refused. The deadline stays as it was."))  # fmt: skip


@bp.post("/<int:order_id>/pause")
def request_pause(order_id: int):
    order = _order_or_404(order_id)
    form = PauseForm()
    return _act(order, "pause_form", form, lambda: deadlines.request_pause(current_user, order, form.pause_reason.data, now()),
                _("Pause requested. The clock stops when the buyer agrees."))


@bp.post("/<int:order_id>/pause/answer")
def answer_pause(order_id: int):
    order = _order_or_404(order_id)
    form = PauseAnswerForm()
    return _act(order, "pause_answer_form", form,
                lambda: deadlines.answer_pause(current_user, order, _yes_no(form.pause_accept.data), now()),
                lambda answered: _("Order paused. The deadline clock is stopped until the order is resumed.")
                if answered.paused_at else _("Pause refused. The seller goes on with the work."))  # fmt: skip


@bp.post("/<int:order_id>/resume")
def resume(order_id: int):
    order = _order_or_404(order_id)
    return _act(order, "resume_form", EmptyForm(), lambda: deadlines.resume(current_user, order, now()),
                lambda resumed: _("Order resumed. The new deadline is %(deadline)s.", deadline=user_time(resumed.deadline_at)))  # fmt: skip


@bp.post("/<int:order_id>/partial-refund")
def offer_partial_refund(order_id: int):
    order = _order_or_404(order_id)
    form = PartialRefundForm()
    return _act(order, "partial_refund_form", form,
                lambda: resolutions.offer(current_user, order, form.refund.data, form.refund_comment.data, now()),
                _("Partial refund offered. If the buyer accepts, the order is completed."))  # fmt: skip


@bp.post("/<int:order_id>/partial-refund/answer")
def answer_partial_refund(order_id: int):
    order = _order_or_404(order_id)
    form = PartialRefundAnswerForm()

    def answer():
        accept = _yes_no(form.refund_accept.data)
        if accept is None:
            raise ValidationFailed([FieldIssue("refund_accept", _("Select whether you accept the partial refund"))])
        return (resolutions.accept if accept else resolutions.decline)(current_user, order, now())

    return _act(order, "partial_refund_answer_form", form, answer,
                lambda answered: _("Partial refund accepted. The order is completed and the refund is on your balance.")
                if answered.state == rules.COMPLETED else _("Partial refund declined. The work is still waiting for you to accept it."))  # fmt: skip


@bp.post("/<int:order_id>/work-dispute")
def open_work_dispute(order_id: int):
    order = _order_or_404(order_id)
    form = WorkDisputeForm()
    return _act(order, "work_dispute_form", form,
                lambda: work_disputes.open_dispute(current_user, order, form.work_statement.data, _uploads(form.work_files), now()),
                _("The work is taken to arbitration. An administrator will judge it, and you will get a notification."))  # fmt: skip


@bp.post("/<int:order_id>/work-dispute/answer")
def answer_work_dispute(order_id: int):
    order = _order_or_404(order_id)
    form = WorkAnswerForm()
    return _act(order, "work_answer_form", form,
                lambda: work_disputes.answer(current_user, order, form.work_answer.data, _uploads(form.work_answer_files), now()),
                _("Your side is sent. The administrator reads it before deciding."))  # fmt: skip


@bp.post("/<int:order_id>/tip")
def tip(order_id: int):
    order = _order_or_404(order_id)
    form = TipForm()
    return _act(order, "tip_form", form, lambda: tips.tip(current_user, order, form.tip.data, now()),
                _("Tip sent. The seller will be glad of it."))


@bp.post("/<int:order_id>/messages")
def post_message(order_id: int):
    """With htmx: the new message joins the log and the form comes back empty; without: the page again.

    An admin may read any order but is not one of its parties: the page shows them no message form, and a post
    from them is refused (403) before the service, which would not know them."""
    order = _order_or_404(order_id)
    if order.role_of(current_user) is None:
        abort(403)
    form = MessageForm()
    message = None
    if form.validate_on_submit():
        message = attempt(form, lambda: orders.post_message(current_user, order, form.message.data, _uploads(form.message_files), now()))
    if not is_htmx():
        if message is not None:
            flash(_("Message sent."), "success")
            return redirect(url_for("orders.show", order_id=order.id, _anchor=f"message-{message.id}"))
        return _page(order, status=422, message_form=form)
    fresh = MessageForm(formdata=None) if message is not None else form
    return render("orders/show.html", block="message_form", status=200 if message else 422,
                  order=order, message_form=fresh, new_message=message)  # fmt: skip


@bp.get("/<int:order_id>/attachments/<int:attachment_id>")
def attachment(order_id: int, attachment_id: int):
    order = _order_or_404(order_id)
    found = db.session.get(Attachment, attachment_id)
    if found is None or db.session.get(OrderMessage, found.message_id).order_id != order.id:
        abort(404)
    return downloads.attachment(found.stored_name, found.original_name)
