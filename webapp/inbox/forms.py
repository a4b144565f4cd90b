from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import StringField, TextAreaField


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
