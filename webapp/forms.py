"""Form pieces every blueprint uses: the CSRF-only form, whole-number and id fields, and mapping rule errors to
fields."""
from flask_babel import format_number, get_locale
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, IntegerField, SelectField
from wtforms.validators import StopValidation

from .bounds import MAX_INT, optional_id
from .domain.errors import DomainError, FieldIssue, ValidationFailed
from .domain.tiers import TIER_NAMES
from .texts import gettext as _


class EmptyForm(FlaskForm):
    """For button-only POSTs (pause, delete, log out), so they still carry a CSRF token."""


class WholeNumberField(IntegerField):
    """An integer typed as text: accepts "1 500" and "1,500"; says which field was wrong in its own words.

    The check runs at validation, not while parsing, so the message uses the label as finally set
    (the kwork editor names tier fields after the form is built) and the typed text is shown again.
    A number above `maximum` (by default what an `integer` column holds; a form passes its rule's own limit) is
    an error too, `too_big` when given, so thirty digits typed into a price never reach the database; one below
    what a column holds reads as not a number.
    """

    def __init__(self, label=None, validators=None, example="10", maximum=MAX_INT, too_big=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.example = example
        self.maximum = maximum
        self.too_big = too_big
        self.unparsed = False

    def process_formdata(self, valuelist):
        self.data = None
        self.unparsed = False
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].replace(" ", "").replace("\u00a0", "").replace(",", "")
        try:
            self.data = int(text)
        except ValueError:
            self.unparsed = True

    def pre_validate(self, form):
        if self.unparsed or (self.data is not None and self.data < -MAX_INT):
            raise StopValidation(_("Enter the %(name)s as a whole number, like %(example)s", name=self._name(), example=self.example))
        if self.data is not None and self.data > self.maximum:
            raise StopValidation(str(self.too_big) if self.too_big else
                                 _("Enter the %(name)s as a whole number up to %(maximum)s", name=self._name(), maximum=format_number(self.maximum)))  # fmt: skip

    def _name(self) -> str:
        """The label as it reads inside a sentence."""
        name = str(self.label.text)
        locale = get_locale()
        if locale is None or locale.language == "en":
            # English runs the label into the sentence: tier names stay capitalised ("the Economy price"),
            # ordinary words do not ("the minimum price"). Other languages quote the label as it is.
            first, _sep, rest = name.partition(" ")
            first = first if first in TIER_NAMES.values() else first.lower()
            name = f"{first} {rest}".strip()
        return name


class IdSelectField(SelectField):
    """A select whose options are row ids, "" standing for none (None). Anything that could not be a row's id
    (letters, 2**63: only a hand-made request sends them) is the field's `invalid` message instead of reaching a
    query the database cannot run. Choices are not checked here: the service decides what may be chosen."""

    def __init__(self, label=None, validators=None, *, invalid, **kwargs):
        super().__init__(label, validators, coerce=optional_id, validate_choice=False, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            # Field.process shows the message of the ValueError as this field's error.
            raise ValueError(str(self.invalid)) from None


def leaf_fields(form):
    """Every input-level field of a form, in order, looking inside FormField and FieldList."""
    for field in form:
        if isinstance(field, FormField):
            yield from leaf_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from leaf_fields(entry.form) if isinstance(entry, FormField) else [entry]
        else:
            yield field


def _find(form, key: str) -> Field | None:
    """Resolve a rule's field key ("title", "standard-price", "options-2-name") to the bound field."""
    head, _, rest = key.partition("-")
    if head not in form:
        return None
    field = form[head]
    if not rest:
        return field if not isinstance(field, (FormField, FieldList)) else None
    if isinstance(field, FormField):
        return _find(field.form, rest)
    if isinstance(field, FieldList):
        index, _, sub = rest.partition("-")
        if index.isdigit() and int(index) < len(field.entries):
            entry = field.entries[int(index)]
            return _find(entry.form, sub) if isinstance(entry, FormField) else entry
    return None


def apply_issues(form, issues: list[FieldIssue]) -> None:
    """Attach each rule's message to its field; a message for an unknown field becomes a form-level error.

    A field that already failed to parse keeps just that message: "Enter the price" would contradict what was typed.
    """
    already_wrong = {field.id for field in leaf_fields(form) if field.errors}
    for issue in issues:
        field = _find(form, issue.field)
        if field is None:
            form.form_errors.append(issue.message)
        elif field.id not in already_wrong:
            field.errors = [*field.errors, issue.message]


def attempt(form, action):
    """Call the service behind a submitted form: its result, or None when the service refused, with the refusal on
    the form (a rule's issues on their fields, any other refusal as a form-level error) and the transaction rolled
    back, so the page is shown again with what was typed."""
    from .extensions import db  # not at import time: forms are imported by the extensions' users

    try:
        return action()
    except ValidationFailed as error:
        db.session.rollback()
        apply_issues(form, error.issues)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
    return None


def error_items(form) -> list[tuple[str, str]]:
    """(field id, message) pairs for the error summary, in the order the fields appear."""
    items = [("", message) for message in form.form_errors]
    for field in leaf_fields(form):
        items.extend((field.id, message) for message in field.errors)
    return items
