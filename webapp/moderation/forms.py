from flask_wtf import FlaskForm
from wtforms import RadioField, SearchField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import WholeNumberField
from ..texts import lazy_gettext as _l

REASON_LIMIT = Length(max=1000, message=_l("Reason must be %(max)s characters or fewer", max="1,000"))


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason the seller will see"),
        validators=[DataRequired(_l("Enter the reason the seller will see")), REASON_LIMIT],
        description=_l("Say what to change so the kwork can be approved."),
    )


class ReviewDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("publish", _l("Publish or keep the review")), ("hide", _l("Hide the review: it breaks the rules"))],
        validators=[DataRequired(_l("Select a decision"))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Enter the reason the buyer and the seller will see")), REASON_LIMIT],
        description=_l("The buyer and the seller see it; it is also kept in the audit log."),
    )


class DisputeDecisionForm(FlaskForm):
    decision = RadioField(_l("Your decision"), validate_choice=False, validators=[DataRequired(_l("Select a decision"))])
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Enter the reason both parties will see")), REASON_LIMIT],
        description=_l("Both parties see it; it is also kept in the audit log."),
    )


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField(_l("E-mail or name"))


class AccountActionForm(FlaskForm):
    """Suspend/reinstate or grant/revoke admin: one reason field, a prefix per form keeps the ids apart."""

    reason = TextAreaField(
        _l("Reason for the audit log"),
        validators=[DataRequired(_l("Enter the reason for the audit log")), REASON_LIMIT],
    )


class WorkDecisionForm(FlaskForm):
    decision = RadioField(_l("Your decision"), validate_choice=False, validators=[DataRequired(_l("Select a decision"))])
    amount = WholeNumberField(_l("Refund to the buyer (for a split)"), example="500",
                              description=_l("In whole currency units, less than the order total; the seller receives the rest, less the commission on it."))  # fmt: skip
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Enter the reason both parties will see")), REASON_LIMIT],
        description=_l("Both parties see it; it is also kept in the audit log."),
    )
