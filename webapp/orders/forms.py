from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField

from ..forms import WholeNumberField


class CheckoutForm(FlaskForm):
    tier = RadioField("Package", validate_choice=False)
    quantity = WholeNumberField("Quantity", example="1", default=1, description="How many times you want this package, 1 to 10.")
    requirements = TextAreaField("Your requirements", description="Answer what the seller asks above. You can attach files.")
    attachments = MultipleFileField("Files", description="Up to 5 files, each smaller than 5 MB.")
    send_later = BooleanField(
        "I’ll send the requirements later",
        description="The seller can’t start until you send them.",
    )
    checkout_token = HiddenField()


# The order page shows several forms at once: each file field has its own name, so ids stay unique.
class RequirementsForm(FlaskForm):
    requirements = TextAreaField("Your requirements", description="Answer what the seller asks. You can attach files.")
    requirements_files = MultipleFileField("Files", description="Up to 5 files, each smaller than 5 MB.")


class DeliveryForm(FlaskForm):
    delivery = TextAreaField("Delivery message", description="Say what you have done and how to use it.")
    delivery_files = MultipleFileField("Files", description="Up to 5 files, each smaller than 5 MB.")


class RevisionForm(FlaskForm):
    revision = TextAreaField("What needs to change?", description="Be specific: the seller works from this list.")


class DeclineRevisionForm(FlaskForm):
    decline = TextAreaField("Why are you declining this extra revision?")


class MessageForm(FlaskForm):
    message = TextAreaField("Message")
    message_files = MultipleFileField("Files", description="Up to 5 files, each smaller than 5 MB.")


class ReviewForm(FlaskForm):
    positive = RadioField(
        "How did it go?",
        choices=[("yes", "Positive – I’m happy with the work"), ("no", "Negative – something went wrong")],
        validate_choice=False,
    )
    text = TextAreaField("Your review", description="A negative review needs at least 30 characters.")


class ReplyForm(FlaskForm):
    reply = TextAreaField("Your reply", description="You can reply once; the reply can’t be changed later.")


class CancelForm(FlaskForm):
    reason = RadioField("Why do you want to cancel?", validate_choice=False)
    comment = TextAreaField(
        "Explain what happened",
        description="At least 20 characters (100 for force majeure). A detailed, polite comment makes agreement more likely.",
    )


class AnswerCancellationForm(FlaskForm):
    accept = RadioField(
        "Do you agree to cancel the order?",
        choices=[("yes", "Yes, cancel the order"), ("no", "No, continue the order")],
        validate_choice=False,
    )
    reason_correct = RadioField(
        "If you agree: is the stated reason correct?",
        choices=[("yes", "Yes, the reason is correct"), ("no", "No, the reason is not correct")],
        validate_choice=False,
        description="Your answer decides whether the cancellation counts against the seller’s rating.",
    )


class InformationForm(FlaskForm):
    information = TextAreaField("The information the seller asked for", description="Sending it keeps the order going.")


class ExtensionForm(FlaskForm):
    days = WholeNumberField("How many more days do you need?", example="3", description="From 1 to 30 days.")
    extension_reason = TextAreaField("Why do you need them?", description="The buyer has two days to answer; no answer means yes.")


class ExtensionAnswerForm(FlaskForm):
    extension_accept = RadioField(
        "Do you agree to the extra days?",
        choices=[("yes", "Yes, move the deadline"), ("no", "No, keep the deadline")],
        validate_choice=False,
    )


class PauseForm(FlaskForm):
    pause_reason = TextAreaField(
        "What are you waiting for from the buyer?", description="If the buyer agrees, the deadline clock stops until one of you resumes."
    )


class PauseAnswerForm(FlaskForm):
    pause_accept = RadioField(
        "Do you agree to pause the order?",
        choices=[("yes", "Yes, pause it"), ("no", "No, keep the clock running")],
        validate_choice=False,
    )


class DisputeForm(FlaskForm):
    dispute_comment = TextAreaField(
        "What do you disagree with?",
        description="At least 20 characters. An administrator reads the whole order, its messages and this comment, then decides.",
    )


class ReportReviewForm(FlaskForm):
    report_reason = TextAreaField(
        "Which rule does the review break?",
        description="For example: it contains contact details, insults, or is about another order. The review stays shown until an administrator decides.",
    )


class LateReviewForm(FlaskForm):
    late_review = TextAreaField(
        "Your negative review",
        description="At least 30 characters. An administrator checks it before it is published.",
    )
