from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import NumberRange, Optional

from ..forms import WholeNumberField
from ..services.catalog import SORTS


class CatalogFilterForm(FlaskForm):
    """A GET form: bookmarkable, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search kworks"))
    category = SelectField(_l("Category"), validate_choice=False)
    price_min = WholeNumberField(
        _l("Minimum price"), validators=[Optional(), NumberRange(min=0, message=_l("Enter a minimum price of 0 or more"))], example="500"
    )
    price_max = WholeNumberField(
        _l("Maximum price"), validators=[Optional(), NumberRange(min=0, message=_l("Enter a maximum price of 0 or more"))], example="5000"
    )
    sort = SelectField(_l("Sort by"), choices=list(SORTS.items()), default="newest", validate_choice=False)

    def validate_price_max(self, field):
        if field.data is not None and self.price_min.data is not None and field.data < self.price_min.data:
            raise ValueError(_("Enter a maximum price that is not lower than the minimum price"))
