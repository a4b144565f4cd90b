"""components/forms.html renders text areas, plain, number and file inputs and selects through `render_field` (webapp/templating.py)
instead of WTForms' widgets: for every field of every form in the app, empty and filled with awkward text, with the
attributes the macros pass, it must give exactly the markup WTForms gives."""
import importlib
import inspect
import pkgutil

import pytest
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields import FieldList, FormField
from wtforms.widgets import FileInput, Input, NumberInput, Select, TextArea

import webapp
from webapp.templating import render_field

ATTRIBUTE_SETS = [
    {},
    {"class_": "textarea input--error", "aria-describedby": "x-hint x-error", "rows": 4, "autofocus": False},
    {"class_": "input input--width-10", "type": "text", "inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    {"class_": "input", "type": "email", "autofocus": True, "data_role": "a \"quoted\" <value>", "multiple": True},
    {"placeholder": Markup('Say "hello" <b>'), "aria_label": Markup("it's"), "maxlength": 30, "hidden": False},
]
AWKWARD = 'Tom & Jerry <script>"quoted"\n second line'


def _form_classes():
    found = {}
    for module_info in pkgutil.walk_packages(webapp.__path__, "webapp."):
        if not module_info.name.endswith("forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Form) and value not in (Form, FlaskForm) and value.__module__ == module.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def _fields(form):
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field:
                yield from (_fields(entry.form) if isinstance(entry, FormField) else [entry])
        else:
            yield field


def test_render_field_writes_what_wtforms_writes_for_every_field_of_every_form(app):
    checked, fast, numbers, files = 0, 0, 0, 0
    with app.test_request_context("/"):
        for name, form_class in sorted(_form_classes().items()):
            for data in (None, MultiDict()):
                try:
                    form = form_class(formdata=data, meta={"csrf": False}) if issubclass(form_class, FlaskForm) else form_class(formdata=data)
                except TypeError:
                    continue  # a form that needs arguments of its own (its choices): its fields are the same kinds
                for field in _fields(form):
                    if field.type in ("CSRFTokenField",):
                        continue
                    if data is not None and isinstance(field.widget, (Input, TextArea)) and field.type not in ("FileField", "MultipleFileField"):
                        field.raw_data = [AWKWARD]
                        field.data = AWKWARD if field.type in ("StringField", "TextAreaField", "EmailField", "URLField", "SearchField", "TelField", "HiddenField") else field.data
                    for attrs in ATTRIBUTE_SETS:
                        assert str(render_field(field, **attrs)) == str(field(**attrs)), f"{name}.{field.name} with {attrs}"
                        checked += 1
                    fast += type(field.widget).__call__ in (Input.__call__, TextArea.__call__)
                    numbers += type(field.widget).__call__ is NumberInput.__call__
                    files += type(field.widget).__call__ is FileInput.__call__
    assert numbers and files, (numbers, files)  # the two written by hand besides Input's own
    assert fast >= 100 and checked >= 1000, (fast, checked)  # the forms were found (124 fast fields and 1,184 renderings today)


AWKWARD_CHOICES = [("", "Any"), ("a&b", 'Tom & "Jerry" <x>'), (True, "Yes"), ("c", ""), ("d", "Dee", {"disabled": True, "data_x": '"q"'})]


def test_render_field_writes_every_select_as_wtforms_does(app):
    """Every select of every form, with its own choices where it has them and with awkward ones (markup in labels
    and values, a boolean value, an empty label, an option's own attributes), nothing, one or several selected."""
    checked = 0
    with app.test_request_context("/"):
        for name, form_class in sorted(_form_classes().items()):
            try:
                form = form_class(formdata=None, meta={"csrf": False}) if issubclass(form_class, FlaskForm) else form_class(formdata=None)
            except TypeError:
                continue
            for field in _fields(form):
                if type(field.widget).__call__ is not Select.__call__:
                    continue
                own = [field.choices] if field.choices is not None else []
                for choices in own + [AWKWARD_CHOICES]:
                    field.choices = choices
                    for data in (None, "a&b", True, ["a&b", "c"]):
                        field.data = data
                        for attrs in ATTRIBUTE_SETS:
                            try:
                                expected = str(field(**attrs))
                            except ValueError:  # the field's coerce refuses these choices: so must render_field
                                with pytest.raises(ValueError):
                                    render_field(field, **attrs)
                                continue
                            assert str(render_field(field, **attrs)) == expected, f"{name}.{field.name} with {attrs}, {data!r}"
                            checked += 1
    assert checked >= 100, checked  # the selects were found


def test_render_field_writes_number_and_file_inputs_with_their_own_attributes_as_wtforms_does(app):
    """The widgets' own attributes, which no form of the app sets today: a number's step, min and max (under the
    caller's, over the NumberRange flags), a range input, a single file picker and one allowing several, each with
    render_kw under the caller's attributes and a caller's value that a file input drops."""
    from wtforms import FileField, IntegerField, MultipleFileField
    from wtforms.validators import InputRequired, NumberRange
    from wtforms.widgets import RangeInput

    class Widgets(Form):
        amount = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=99)], widget=NumberInput(step=5, min=0),
                              render_kw={"class": "input", "max": 50})  # fmt: skip
        plain_amount = IntegerField(validators=[NumberRange(min=1, max=99)])
        share = IntegerField(widget=RangeInput(step=10))
        picture = FileField(render_kw={"accept": "image/*"})
        files = MultipleFileField(validators=[InputRequired()])

    extra = [{"min": 3, "value": "7"}, {"step": "any", "max": False}, {"value": "c:/secret.txt", "multiple": False}]
    with app.test_request_context("/"):
        for data in (None, MultiDict({"amount": '12 & "x"', "share": "30"})):
            form = Widgets(formdata=data)
            for field in form:
                for attrs in ATTRIBUTE_SETS + extra:
                    assert str(render_field(field, **attrs)) == str(field(**attrs)), f"{field.name} with {attrs}"
