"""The app's templates run through webapp/template_runtime: every kind of call a template makes must give what
Jinja's own Context gives (ShortCallContext), every import and every escaped output what Jinja's own Template gives
(ShortImportTemplate)."""
import traceback
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment, Template, pass_context, pass_environment, pass_eval_context
from jinja2.runtime import Context, Undefined
from markupsafe import Markup, escape

from webapp.template_runtime import ShortCallContext, ShortImportTemplate, escape_to_text
from webapp.texts import lazy_gettext


@pass_context
def from_context(context, name):
    return f"{name}={context.get(name)}"


@pass_eval_context
def from_eval_context(eval_ctx, text):
    return f"{text}:{eval_ctx.autoescape}"


@pass_environment
def from_environment(environment, text):
    return f"{text}:{environment.trim_blocks}"


def plain(*args, **kwargs):
    return f"{args}{sorted(kwargs.items())}"


def stops():
    raise StopIteration


class Callable:
    @pass_context
    def __call__(self, context, name):
        return f"object {name}={context.get(name)}"


TEMPLATES = {
    "macros.html": (
        "{% macro card(title, price=10, tags=()) %}<b>{{ title }}</b> {{ price }} {{ tags | join(',') }}"
        "{% if caller %}[{{ caller() }}]{% endif %}{% endmacro %}"
        "{% macro loose() %}{{ varargs }}{{ kwargs }}{% endmacro %}"
    ),
    "page.html": (
        '{% from "macros.html" import card, loose %}'
        "{{ card('<a>') }} {{ card(title='t', price=3) }} {{ loose(1, 2, x=3) }}"
        "{% call card('wrapped') %}inside {{ plain(1) }}{% endcall %}"
        "{% for item in items %}{% set shown = item * 2 %}"
        "{{ card(item, tags=[shown]) }} {{ from_context('shown') }} {{ from_context('item') }} {{ plain(item, k=shown) }}"
        " {{ from_eval_context(item) }} {{ from_environment(item) }} {{ callable('shown') }} {{ str(item) }}{% endfor %}"
        "{% block body %}{% set inner = 'b' %}{{ from_context('inner') }} {{ plain(inner) }} {{ card(inner) }}{% endblock %}"
        "{{ stops() is undefined }} {{ dict(a=1) }} {{ range(3) | list }}"
    ),
}


def render(context_class, name="page.html", template_class=Template, **variables):
    environment = Environment(loader=DictLoader(TEMPLATES), autoescape=True, trim_blocks=True)
    environment.context_class = context_class
    environment.template_class = template_class
    environment.globals.update(plain=plain, stops=stops, callable=Callable(), str=str, from_context=from_context,
                               from_eval_context=from_eval_context, from_environment=from_environment)  # fmt: skip
    return environment.get_template(name).render(items=[1, 2], **variables)


def test_every_kind_of_call_gives_what_jinja_gives():
    shown = render(ShortCallContext)
    assert shown == render(Context)
    assert "shown=2" in shown and "shown=4" in shown  # a pass_context function sees the loop's variables
    assert "inner=b" in shown  # and the block's
    assert "&lt;a&gt;" in shown  # a macro's arguments are escaped, its output is not escaped again
    assert "[inside (1,)[]]" in shown  # {% call %} passes the caller


@pytest.mark.parametrize("source", ["{{ card('a', nope=1) }}", "{{ card('a', 1, 2, 3) }}", "{{ card() }}x"])
def test_a_wrong_macro_call_fails_or_renders_as_jinja_does(source):
    TEMPLATES["wrong.html"] = '{% from "macros.html" import card %}' + source
    outcomes = []
    for context_class in (Context, ShortCallContext):
        try:
            outcomes.append(render(context_class, "wrong.html"))
        except TypeError as error:
            outcomes.append(str(error))
    assert outcomes[0] == outcomes[1]


IMPORTS = {
    "shared.html": "{% macro sign() %}{{ site }}/{{ page_only | default('none') }}{% endmacro %}{{ site }}",
    "importer.html": (
        '{% import "shared.html" as shared %}{% from "shared.html" import sign %}'
        "{{ shared.sign() }} {{ sign() }} {{ shared }} {% for i in [1, 2] %}{{ shared.sign() }}{% endfor %}"
    ),
}


@pytest.mark.parametrize("page_globals", [{}, {"page_only": "extra"}])
def test_an_import_gives_what_jinja_gives(page_globals):
    """An imported template sees the environment's globals; a page's own global (`get_template(globals=...)`),
    which the imported template lacks, makes Jinja build the module again with it."""
    shown = []
    for template_class in (Template, ShortImportTemplate):
        environment = Environment(loader=DictLoader(IMPORTS), autoescape=True)
        environment.template_class = template_class
        environment.globals["site"] = "gigsmith"
        page = environment.get_template("importer.html", globals=page_globals)
        shown.append([page.render(), page.render()])
    assert shown[0] == shown[1]
    assert ("gigsmith/extra" in shown[1][0]) == bool(page_globals)


def test_the_app_renders_through_them(app):
    assert app.jinja_env.context_class is ShortCallContext
    assert app.jinja_env.template_class is ShortImportTemplate
    assert app.jinja_env.get_template("layouts/base.html").root_render_func.__globals__["escape"] is escape_to_text


def test_its_frames_stay_out_of_a_template_error_s_traceback():
    """As Jinja's own Context.call and Template._get_default_module: Jinja rewrites a template error's traceback
    without them, so it reads template line by template line."""
    TEMPLATES["broken.html"] = '{% from "macros.html" import card %}{% macro m(x) %}{{ x.a.b }}{% endmacro %}{{ m(none) }}'
    frames = []
    for context_class, template_class in ((Context, Template), (ShortCallContext, ShortImportTemplate)):
        try:
            render(context_class, "broken.html", template_class=template_class)
        except Exception as error:  # noqa: BLE001 - Jinja's UndefinedError, whichever class raised it
            frames.append([(Path(frame.filename).name, frame.name) for frame in traceback.extract_tb(error.__traceback__)
                           if not frame.filename.endswith("test_template_runtime.py")])  # fmt: skip
    assert len(frames) == 2 and frames[0] == frames[1]
    assert not any(name == "template_runtime.py" for name, _ in frames[1])


class Html:
    def __html__(self):
        return "<i>own</i>"


AWKWARD_VALUES = ["", "plain", "<a href='x'>\"Tom\" & Jerry</a>", Markup("<b>safe</b> &amp;"), 42, 3.5, None, True,
                  Html(), Undefined(), ["<li>"], {"k": "<v>"}, b"<bytes>", "\u043f\u0440\u0438\u0432\u0435\u0442 <\u043c\u0438\u0440>"]  # fmt: skip


@pytest.mark.parametrize("value", AWKWARD_VALUES, ids=repr)
def test_escape_to_text_gives_markupsafe_s_characters_as_plain_text(value):
    assert escape_to_text(value) == str(escape(value))
    assert type(escape_to_text(value)) is str


def test_escape_to_text_gives_a_lazy_text_s_markup_as_markupsafe_does(app):
    with app.test_request_context("/"):
        label = lazy_gettext("Sign in")
        assert escape_to_text(label) == str(escape(label))


ESCAPING = {
    "macros.html": "{% macro box(x) %}<div>{{ x }}</div>{% if caller %}{{ caller(x) }}{% endif %}{% endmacro %}",
    "escaping.html": (
        '{% from "macros.html" import box %}'
        "{{ value }}|{{ value ~ '<tail>' }}|{{ value | upper }}|{{ value | safe }}|{{ value | e }}|{{ [value] | join }}"
        "{% set block %}<p>{{ value }}</p>{% endset %}{{ block }}|{{ block | length }}|{{ block | upper }}"
        "{% filter upper %}<em>{{ value }}</em>{% endfilter %}|{{ box(value) }}|{{ box(box(value)) }}"
        "{% call(x) box(value) %}<u>{{ x }}</u>{% endcall %}|{% autoescape false %}{{ value }}{% endautoescape %}"
        "{% autoescape true %}{{ value }}{% endautoescape %}|{{ '<lit>' }}{{ 5 }}|{% for c in chars %}{{ c }}{% endfor %}"
        "{% set ns = namespace(t='') %}{% for c in chars %}{% set ns.t = ns.t ~ c %}{% endfor %}{{ ns.t }}"
    ),
}


@pytest.mark.parametrize("value", AWKWARD_VALUES[:10], ids=repr)
@pytest.mark.parametrize("autoescape", [True, False])
def test_a_template_escapes_its_output_as_jinja_does(value, autoescape):
    """Output, concatenation, filters, {% set %} and {% filter %} blocks, macros called in macros, {% call %},
    autoescape switched off and on inside a template, constants and loops: the same page, and markup stays markup
    where it is handed on (a set block's length counts characters, not entities escaped twice)."""
    shown = []
    for template_class in (Template, ShortImportTemplate):
        environment = Environment(loader=DictLoader(ESCAPING), autoescape=autoescape)
        environment.template_class = template_class
        template = environment.get_template("escaping.html")
        shown.append(template.render(value=value, chars=["<", "&", Markup("&gt;")]))
    assert template.root_render_func.__globals__["escape"] is escape_to_text  # the short path was the one taken
    assert shown[0] == shown[1]
