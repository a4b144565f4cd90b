from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import NumberRange, Optional

from ..forms import WholeNumberField
from ..services.catalog import SORTS


class CatalogFilterForm(FlaskForm):
    """A GET form: bookmarkable, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    q = SearchField("Search kworks")
    category = SelectField("Category", validate_choice=False)
    price_min = WholeNumberField(
        "Minimum price", validators=[Optional(), NumberRange(min=0, message="Enter a minimum price of 0 or more")], example="500"
    )
    price_max = WholeNumberField(
        "Maximum price", validators=[Optional(), NumberRange(min=0, message="Enter a maximum price of 0 or more")], example="5000"
    )
    sort = SelectField("Sort by", choices=list(SORTS.items()), default="newest", validate_choice=False)

    def validate_price_max(self, field):
        if field.data is not None and self.price_min.data is not None and field.data < self.price_min.data:
            raise ValueError("Enter a maximum price that is not lower than the minimum price")
