"""The order page's upgrade forms: the seller's proposal, the buyer's answer, the seller's withdrawal."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField

from ..bounds import optional_id
from ..domain.upgrades import MAX_DAYS
from ..forms import WholeNumberField
from ..texts import lazy_gettext as _l


def _proposal_id(value):
    """The proposal the page showed; anything that could not be a row id is None (the service refuses it)."""
    try:
        return optional_id(value)
    except (TypeError, ValueError):
        return None


class UpgradeForm(FlaskForm):
    # Choices: the kwork's extras, extra revisions, other work (set by upgrade_views.page_context).
    upgrade_item = RadioField(_l("What do you propose?"), validate_choice=False)
    upgrade_quantity = WholeNumberField(_l("Quantity"), example="1", default=1,
                                        description=_l("How many units of the extra, or how many extra revisions."))  # fmt: skip
    upgrade_title = StringField(_l("Describe the extra work"), description=_l("Only for other work: what exactly you will do."))
    upgrade_price = WholeNumberField(_l("Price"), example="1000",
                                     description=_l("In whole currency units, for extra revisions or other work. An extra of your kwork costs what it lists."))  # fmt: skip
    upgrade_days = WholeNumberField(_l("Extra days"), example="2", default=0, maximum=MAX_DAYS,
                                    description=_l("Added to the deadline if the buyer accepts: 0 to 30 (an extra adds its own days)."),
                                    too_big=_l("Enter a number of days from 0 to %(max)s", max=MAX_DAYS))  # fmt: skip
    upgrade_comment = TextAreaField(_l("Message to the buyer (optional)"))


class UpgradeAnswerForm(FlaskForm):
    proposal = HiddenField(filters=[_proposal_id])
    upgrade_answer = RadioField(
        _l("Do you accept the upgrade?"),
        choices=[("yes", _l("Yes, pay for it from my balance")), ("no", _l("No, decline it"))],
        validate_choice=False,
    )


class UpgradeWithdrawForm(FlaskForm):
    proposal = HiddenField(filters=[_proposal_id])
