from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from ..domain.tiers import MAX_PRICE
from ..forms import WholeNumberField
from ..services.catalog import SORTS
from ..texts import gettext as _
from ..texts import lazy_gettext as _l


class CatalogFilterForm(FlaskForm):
    """A GET form: bookmarkable, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search kworks"))
    category = SelectField(_l("Category"), validate_choice=False)
    # No kwork costs more than MAX_PRICE, so a bigger bound would filter nothing (and thirty digits would
    # overflow the database's integer comparison).
    price_min = WholeNumberField(
        _l("Minimum price"), validators=[Optional(), NumberRange(min=0, message=_l("Enter a minimum price of 0 or more"))],
        example="500", maximum=MAX_PRICE,
    )  # fmt: skip
    price_max = WholeNumberField(
        _l("Maximum price"), validators=[Optional(), NumberRange(min=0, message=_l("Enter a maximum price of 0 or more"))],
        example="5000", maximum=MAX_PRICE,
    )  # fmt: skip
    sort = SelectField(_l("Sort by"), choices=list(SORTS.items()), default="relevance", validate_choice=False)

    def validate_price_min(self, field):
        # Said on the lowest price, the number the sentence is about; only against a highest price that is itself
        # acceptable (a negative or huge one has its own error).
        highest = self.price_max.data
        if highest is not None and 0 <= highest <= MAX_PRICE and field.data > highest:
            raise ValidationError(_("The minimum price must not be above the maximum price"))
