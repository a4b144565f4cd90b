from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, RadioField, TextAreaField

from ..domain.extras import MAX_EXTRA_QUANTITY
from ..forms import WholeNumberField
from ..services.deadlines import MAX_EXTENSION_DAYS
from ..services.orders import MAX_QUANTITY
from ..texts import lazy_gettext as _l


class ExtraChoiceForm(Form):
    """One of the kwork's extras at checkout (the view sets the labels: the extra's title and price)."""

    chosen = BooleanField(_l("Add this extra"))
    quantity = WholeNumberField(_l("Quantity"), example="1", default=1, maximum=MAX_EXTRA_QUANTITY,
                                too_big=_l("Enter a quantity from 1 to %(max)s", max=MAX_EXTRA_QUANTITY))  # fmt: skip


class CheckoutForm(FlaskForm):
    tier = RadioField(_l("Package"), validate_choice=False)
    quantity = WholeNumberField(_l("Quantity"), example="1", default=1, description=_l("How many times you want this package, 1 to 10."),
                                maximum=MAX_QUANTITY, too_big=_l("Enter a quantity from 1 to %(max)s", max=MAX_QUANTITY))  # fmt: skip
    requirements = TextAreaField(_l("Your requirements"), description=_l("Answer what the seller asks above. You can attach files."))
    attachments = MultipleFileField(_l("Files"), description=_l("Up to 5 files, each smaller than 5 MB."))
    send_later = BooleanField(
        _l("I’ll send the requirements later"),
        description=_l("The seller can’t start until you send them."),
    )
    # The page sends token_urlsafe(24); anything that could not be one (the column holds 64 characters) is dropped,
    # and the view makes a fresh token, rather than the database refusing the order.
    checkout_token = HiddenField(filters=[lambda token: token if token and len(token) <= 64 else None])
    # One entry per extra of the kwork, in its order (the view sizes the list); "extras-0-chosen", "extras-0-quantity".
    extras = FieldList(FormField(ExtraChoiceForm))


# The order page shows several forms at once: each file field has its own name, so ids stay unique.
class RequirementsForm(FlaskForm):
    requirements = TextAreaField(_l("Your requirements"), description=_l("Answer what the seller asks. You can attach files."))
    requirements_files = MultipleFileField(_l("Files"), description=_l("Up to 5 files, each smaller than 5 MB."))


class DeliveryForm(FlaskForm):
    delivery = TextAreaField(_l("Delivery message"), description=_l("Say what you have done and how to use it."))
    delivery_files = MultipleFileField(_l("Files"), description=_l("Up to 5 files, each smaller than 5 MB."))


class RevisionForm(FlaskForm):
    revision = TextAreaField(_l("What needs to change?"), description=_l("Be specific: the seller works from this list."))


class DeclineRevisionForm(FlaskForm):
    decline = TextAreaField(_l("Why are you declining this extra revision?"))


class MessageForm(FlaskForm):
    message = TextAreaField(_l("Message"))
    message_files = MultipleFileField(_l("Files"), description=_l("Up to 5 files, each smaller than 5 MB."))


class ReviewForm(FlaskForm):
    positive = RadioField(
        _l("How did it go?"),
        choices=[("yes", _l("Positive – I’m happy with the work")), ("no", _l("Negative – something went wrong"))],
        validate_choice=False,
    )
    text = TextAreaField(_l("Your review"), description=_l("A negative review needs at least 30 characters."))


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Your reply"), description=_l("You can reply once; the reply can’t be changed later."))


class CancelForm(FlaskForm):
    reason = RadioField(_l("Why do you want to cancel?"), validate_choice=False)
    comment = TextAreaField(
        _l("Explain what happened"),
        description=_l("At least 20 characters (100 for force majeure). A detailed, polite comment makes agreement more likely."),
    )


class AnswerCancellationForm(FlaskForm):
    accept = RadioField(
        _l("Do you agree to cancel the order?"),
        choices=[("yes", _l("Yes, cancel the order")), ("no", _l("No, continue the order"))],
        validate_choice=False,
    )
    reason_correct = RadioField(
        _l("If you agree: is the stated reason correct?"),
        choices=[("yes", _l("Yes, the reason is correct")), ("no", _l("No, the reason is not correct"))],
        validate_choice=False,
        description=_l("Your answer decides whether the cancellation counts against the seller’s rating."),
    )


class InformationForm(FlaskForm):
    information = TextAreaField(_l("The information the seller asked for"), description=_l("Sending it keeps the order going."))


class ExtensionForm(FlaskForm):
    days = WholeNumberField(_l("How many more days do you need?"), example="3", description=_l("From 1 to 30 days."),
                            maximum=MAX_EXTENSION_DAYS, too_big=_l("Enter a number of days from 1 to %(max)s", max=MAX_EXTENSION_DAYS))  # fmt: skip
    extension_reason = TextAreaField(_l("Why do you need them?"), description=_l("The buyer has two days to answer; no answer means yes."))


class ExtensionAnswerForm(FlaskForm):
    extension_accept = RadioField(
        _l("Do you agree to the extra days?"),
        choices=[("yes", _l("Yes, move the deadline")), ("no", _l("No, keep the deadline"))],
        validate_choice=False,
    )


class PauseForm(FlaskForm):
    pause_reason = TextAreaField(
        _l("What are you waiting for from the buyer?"), description=_l("If the buyer agrees, the deadline clock stops until one of you resumes.")
    )


class PauseAnswerForm(FlaskForm):
    pause_accept = RadioField(
        _l("Do you agree to pause the order?"),
        choices=[("yes", _l("Yes, pause it")), ("no", _l("No, keep the clock running"))],
        validate_choice=False,
    )


class DisputeForm(FlaskForm):
    dispute_comment = TextAreaField(
        _l("What do you disagree with?"),
        description=_l("At least 20 characters. An administrator reads the whole order, its messages and this comment, then decides."),
    )


class ReportReviewForm(FlaskForm):
    report_reason = TextAreaField(
        _l("Which rule does the review break?"),
        description=_l("For example: it contains contact details, insults, or is about another order. The review stays shown until an administrator decides."),
    )


class LateReviewForm(FlaskForm):
    late_positive = RadioField(
        _l("Your late review is"),
        choices=[("yes", _l("Positive – published at once")), ("no", _l("Negative – an administrator checks it first"))],
        validate_choice=False,
    )
    late_review = TextAreaField(
        _l("Your review"),
        description=_l("A negative review needs at least 30 characters."),
    )


class PartialRefundForm(FlaskForm):
    refund = WholeNumberField(_l("How much do you give back to the buyer?"), example="500",
                              description=_l("In whole currency units, less than the order total. If the buyer accepts, the order is completed and you receive the rest, less the commission on it."))  # fmt: skip
    refund_comment = TextAreaField(_l("Message to the buyer (optional)"))


class PartialRefundAnswerForm(FlaskForm):
    refund_accept = RadioField(
        _l("Do you accept the partial refund?"),
        choices=[("yes", _l("Yes, complete the order with this refund")), ("no", _l("No, decline the offer"))],
        validate_choice=False,
    )


class WorkDisputeForm(FlaskForm):
    work_statement = TextAreaField(
        _l("What is wrong with the work?"),
        description=_l("At least 20 characters. The other party answers, then an administrator reads the order, its messages and files and decides: release the payment, refund it, or split it."),
    )
    work_files = MultipleFileField(_l("Files"), description=_l("Up to 5 files, each smaller than 5 MB."))


class WorkAnswerForm(FlaskForm):
    work_answer = TextAreaField(_l("Your side"), description=_l("At least 20 characters. You can answer once."))
    work_answer_files = MultipleFileField(_l("Files"), description=_l("Up to 5 files, each smaller than 5 MB."))


class TipForm(FlaskForm):
    tip = WholeNumberField(_l("Tip amount"), example="200",
                           description=_l("From your balance to the seller, in whole currency units. The platform keeps its usual commission on tips."))  # fmt: skip
