from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import StringField, TextAreaField

from ..domain.tiers import MAX_PRICE, MIN_PRICE
from ..forms import IdSelectField, WholeNumberField
from ..texts import lazy_gettext as _l


class ConversationMessageForm(FlaskForm):
    message = TextAreaField(_l("Message"))
    message_files = MultipleFileField(_l("Files"), description=_l("Up to 5 files, each smaller than 5 MB."))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Search by name"))


class ReportMessageForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with this message?"),
                           description=_l("For example: insults, spam, or asking to pay outside Gigsmith."))  # fmt: skip


class CloseReportsForm(FlaskForm):
    note = TextAreaField(_l("Note for the audit log (optional)"))


class OfferForm(FlaskForm):
    description = TextAreaField(_l("What you will do"), description=_l("The buyer sees this, and the order keeps it with the conversation."))
    price = WholeNumberField(_l("Price"), example="3000",
                             description=_l("From %(min)s to %(max)s.", min=f"{MIN_PRICE:,}", max=f"{MAX_PRICE:,}"))  # fmt: skip
    delivery_days = WholeNumberField(_l("Delivery time in days"), example="3")
    revisions = WholeNumberField(_l("Revisions included"), example="2")
    expires_in_days = WholeNumberField(_l("The offer is valid for (days)"), example="3", default=3,
                                       description=_l("After this many days the buyer can no longer accept it."))  # fmt: skip
    kwork_id = IdSelectField(_l("Based on your kwork"), invalid=_l("Select one of your active kworks"),
                             description=_l("The order is shown under this kwork."))  # fmt: skip


class DeclineOfferForm(FlaskForm):
    reason = TextAreaField(_l("Why are you declining?"), description=_l("The seller sees this and can make a better offer."))
