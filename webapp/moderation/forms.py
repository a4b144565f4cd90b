from flask_wtf import FlaskForm
from wtforms import RadioField, SearchField, TextAreaField
from wtforms.validators import DataRequired, Length

REASON_LIMIT = Length(max=1000, message="Reason must be 1,000 characters or fewer")


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason the seller will see",
        validators=[DataRequired("Enter the reason the seller will see"), REASON_LIMIT],
        description="Say what to change so the kwork can be approved.",
    )


class ReviewDecisionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[("publish", "Publish or keep the review"), ("hide", "Hide the review: it breaks the rules")],
        validators=[DataRequired("Select a decision")],
    )
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Enter the reason the buyer and the seller will see"), REASON_LIMIT],
        description="The buyer and the seller see it; it is also kept in the audit log.",
    )


class DisputeDecisionForm(FlaskForm):
    decision = RadioField("Your decision", validate_choice=False)
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Enter the reason both parties will see"), REASON_LIMIT],
        description="Both parties see it; it is also kept in the audit log.",
    )


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField("E-mail or name")


class AccountActionForm(FlaskForm):
    """Suspend/reinstate or grant/revoke admin: one reason field, a prefix per form keeps the ids apart."""

    reason = TextAreaField(
        "Reason for the audit log",
        validators=[DataRequired("Enter the reason for the audit log"), REASON_LIMIT],
    )
