"""Translated text for Python code: `gettext`, `ngettext` and `lazy_gettext`, as Flask-Babel's, with the catalog of
the current locale found cheaply (`current_translations`; the templates' `_()` reads the same catalog,
i18n.install_template_gettext), and the current locale itself (`current_locale`, for the formatting filters).

Flask-Babel's own `gettext` takes about 11 µs a call on this machine: it finds the domain, the context and the
locale through Flask's context-local proxies several times and names the locale again (`str(locale)`) to key its
cache. A page turns dozens of lazy labels (categories, levels, form fields, states) into text, and every one of
them went that way. These take the same catalog, remembered beside the locale Flask-Babel chose, in about 0.6 µs.
"""
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString


def _chosen_locale_state():
    """(Flask-Babel's per-context namespace, the locale it chose), or (None, None) outside an app context or while
    no locale is chosen yet. The app context is read from Flask's context variable rather than through the `g`
    proxy: this runs a few hundred times a page."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return None, None
    state = app_context.g.__dict__.get("_flask_babel")
    return state, getattr(state, "babel_locale", None)


def current_translations():
    """flask_babel.get_translations(), remembered for the current locale.

    The catalog is kept beside the locale Flask-Babel chose, on Flask-Babel's own per-context namespace of `g`, so
    `force_locale` and `refresh()`, which replace or drop that locale, are seen on the next call. Outside an app
    context, and while no locale is chosen yet, Flask-Babel is asked as before. The catalog is remembered per locale
    only: the app has Flask-Babel's one default domain ("messages"); a second domain made the default during a
    request would need it remembered per domain too.
    """
    state, locale = _chosen_locale_state()
    if locale is None:
        return get_translations()
    cached = getattr(state, "template_translations", None)
    if cached is None or cached[0] is not locale:
        cached = state.template_translations = (locale, get_translations())
    return cached[1]


def current_locale():
    """flask_babel.get_locale(), read straight from where Flask-Babel keeps the locale it chose for this context
    (prices, day counts and times are formatted dozens of times a page); Flask-Babel chooses it when it has not."""
    locale = _chosen_locale_state()[1]
    return locale if locale is not None else get_locale()


def gettext(string: str, **variables) -> str:
    """flask_babel.gettext: the translation, `%`-formatted with the variables when there are any."""
    text = current_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """flask_babel.ngettext: the form for `num`, formatted with the variables and `num`."""
    variables.setdefault("num", num)
    return current_translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext: translated each time it is used as text, in the language of that moment."""
    return LazyString(gettext, string, **variables)
