from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.notifications import KINDS
from ..texts import lazy_gettext as _l


class EmailSettingsForm(FlaskForm):
    # One checkbox per kind. Unticked boxes are not submitted: a kind missing from the post is an opt-out.
    kinds = SelectMultipleField(
        _l("Send me an e-mail when"),
        choices=list(KINDS.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
