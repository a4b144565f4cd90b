from flask_babel import LazyString, format_number
from flask_wtf import FlaskForm

from ..forms import WholeNumberField
from ..services.wallet import MAX_TOPUP, MIN_TOPUP
from ..texts import gettext as _
from ..texts import lazy_gettext as _l


def _limits_hint() -> str:
    """The allowed range, with the numbers written the reader's way ("500,000", "500 000")."""
    return _("Between %(min)s and %(max)s.", min=format_number(MIN_TOPUP), max=format_number(MAX_TOPUP))


def _too_big() -> str:
    # The service's own words for an amount out of range.
    return _("Enter an amount between %(min)s and %(max)s", min=format_number(MIN_TOPUP), max=format_number(MAX_TOPUP))


class TopUpForm(FlaskForm):
    amount = WholeNumberField(_l("Amount"), example="5000", description=LazyString(_limits_hint), maximum=MAX_TOPUP, too_big=LazyString(_too_big))
