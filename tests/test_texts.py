"""webapp/texts.py translates and names the locale as Flask-Babel does, in every language, inside and outside a
request, under force_locale and after refresh()."""
import flask_babel
import pytest
from flask_babel import force_locale, refresh

from webapp import texts
from webapp.i18n import LANGUAGES

CASES = [("From", {}), ("Order #%(id)s", {"id": 7}), ("a text no catalog has", {})]
PLURALS = [(1, {}), (3, {}), (25, {"percent": 98})]


def same_as_flask_babel():
    for string, variables in CASES:
        assert texts.gettext(string, **variables) == flask_babel.gettext(string, **variables)
        assert str(texts.lazy_gettext(string, **variables)) == str(flask_babel.lazy_gettext(string, **variables))
    for num, variables in PLURALS:
        assert texts.ngettext("%(num)d review", "%(num)d reviews", num, **variables) == \
            flask_babel.ngettext("%(num)d review", "%(num)d reviews", num, **variables)  # fmt: skip
    assert texts.current_locale() == flask_babel.get_locale()


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_each_language_as_flask_babel_gives_it(app, language):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        same_as_flask_babel()
        assert str(texts.current_locale()) == language
        if language == "ru":
            assert texts.gettext("From") == "От"
            assert texts.ngettext("%(num)d review", "%(num)d reviews", 3) == "3 отзыва"


def test_force_locale_and_refresh_are_seen_on_the_next_call(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert texts.gettext("From") == "From"
        with force_locale("ru"):
            assert texts.gettext("From") == "От"
            assert str(texts.current_locale()) == "ru"
            same_as_flask_babel()
        assert texts.gettext("From") == "From"
        refresh()
        same_as_flask_babel()


def test_a_lazy_text_speaks_the_language_of_the_moment_it_is_read(app):
    label = texts.lazy_gettext("From")
    for language, expected in (("ru", "От"), ("en", "From")):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert str(label) == expected


def test_outside_an_app_context_the_source_text():
    assert texts.gettext("From") == "From"
    assert texts.ngettext("%(num)d review", "%(num)d reviews", 2) == "2 reviews"
    assert texts.current_locale() is None
