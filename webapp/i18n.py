"""Languages: which one a page speaks, the switcher's endpoint, and compiling the message catalogs.

The catalogs (webapp/translations/<lang>/LC_MESSAGES/messages.po) are under version control; their compiled .mo
files are not: `compile_catalogs()` writes them at install and test time, like the vendored htmx.
"""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, has_request_context, redirect, request, session, url_for
from flask_babel import Babel, refresh
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from .extensions import db
from .texts import current_translations
from .urls import safe_local_path

# Language code → its own name (a switcher lists each language in that language).
LANGUAGES = {"en": "English", "ru": "Русский", "pt": "Português", "fr": "Français"}
DEFAULT = "en"
TRANSLATIONS = Path(__file__).parent / "translations"

bp = Blueprint("language", __name__)


def select_locale() -> str:
    """The user's saved language, else the one picked from the switcher this session, else the browser's.

    Outside a request (RQ jobs, CLI) there is no user to ask: English, unless the caller uses force_locale.
    """
    if not has_request_context():
        return DEFAULT
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    if session.get("language") in LANGUAGES:
        return session["language"]
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def select_timezone() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


babel = Babel()


def install_template_gettext(app: Flask) -> None:
    """Replace Flask-Babel's template gettext callables with ones that find the catalog cheaply (webapp/texts.py).

    They behave as Jinja's newstyle wrappers do – autoescaping, `%` formatting even without variables, plural `num`
    – but call the catalog directly and take only the evaluation context: Jinja's own wrappers go through
    `Context.call` three times per `_()` (the `_` alias, the wrapper, the function), which made a page's hundred
    translated strings cost as much as the rest of its template.
    """

    def formatted(eval_ctx, text: str, variables: dict) -> str:
        if eval_ctx.autoescape:
            text = Markup(text)
        if not variables and "%" not in text:
            return text  # what `text % {}` would give, without the formatting pass
        return text % variables  # always a format string ("%%" is "%"), as in Jinja's newstyle gettext

    @pass_eval_context
    def gettext(eval_ctx, string: str, /, **variables) -> str:
        return formatted(eval_ctx, current_translations().ugettext(string), variables)

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables) -> str:
        variables.setdefault("num", num)
        return formatted(eval_ctx, current_translations().ungettext(singular, plural, num), variables)

    @pass_eval_context
    def pgettext(eval_ctx, context: str, string: str, /, **variables) -> str:
        variables.setdefault("context", context)
        return formatted(eval_ctx, current_translations().upgettext(context, string), variables)

    @pass_eval_context
    def npgettext(eval_ctx, context: str, singular: str, plural: str, num: int, /, **variables) -> str:
        variables.setdefault("context", context)
        variables.setdefault("num", num)
        return formatted(eval_ctx, current_translations().unpgettext(context, singular, plural, num), variables)

    app.jinja_env.newstyle_gettext = True  # {% trans %} passes its variables as keywords, as these expect
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext)


@bp.before_app_request
def forget_cached_locale():
    """Flask-Babel caches the locale on `g`; when an app context spans several requests (tests, a shell), the next
    request must choose again rather than inherit the last one's language."""
    refresh()


@bp.get("/language/<code>")
def choose(code: str):
    """A plain link (so it works without JavaScript and from every page): remember the choice, go back."""
    if code in LANGUAGES:
        session["language"] = code
        if current_user.is_authenticated and current_user.language != code:
            current_user.language = code
            db.session.commit()
    return redirect(safe_local_path(request.args.get("next")) or url_for("catalog.index"))


def compile_catalogs() -> list[str]:
    """Write each catalog's .mo next to its .po when missing or older; returns the languages compiled."""
    compiled = []
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        compiled.append(po_path.parent.parent.name)
    return compiled
