"""Languages: no template text escapes translation, every message – every template and every Python message, for
buyers, sellers and admins alike – has its Russian, Portuguese and French translation, the catalogs compile with the
standard tools, and plurals, money, dates and time zones follow the language."""
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from jinja2 import nodes

from webapp.config import PROJECT_ROOT
from webapp.i18n import LANGUAGES, TRANSLATIONS

TEMPLATES = PROJECT_ROOT / "templates"
NOW_UTC = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
# Words that are the same in every language: the brand, and the currency code shown beside amounts.
UNTRANSLATED_OK = {"Gigsmith", "G", "RUB"}
# Attributes people read or hear: their literal values must go through gettext too.
READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|alt|placeholder|aria-valuetext)="([^"{}]*)"')
TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.S)
WORD = re.compile(r"[A-Za-zА-Яа-яЁё]{2,}")
TRANSLATE_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext", "lazy_pgettext"}


def _words(text: str) -> list[str]:
    return [word for word in WORD.findall(text) if word not in UNTRANSLATED_OK]


def _rendered_constants(node):
    """String constants a template outputs directly (`{{ 'Yes' if x else 'No' }}`), not keys or URLs."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        yield node
    elif isinstance(node, nodes.CondExpr):
        yield from _rendered_constants(node.expr1)
        if node.expr2 is not None:
            yield from _rendered_constants(node.expr2)
    elif isinstance(node, (nodes.Concat,)):
        for child in node.nodes:
            yield from _rendered_constants(child)
    elif isinstance(node, nodes.Filter) and node.node is not None:
        yield from _rendered_constants(node.node)


def _blank(match: re.Match) -> str:
    """Blank out a match but keep its newlines, so line numbers stay true."""
    return re.sub(r"[^\n]", " ", match.group())


def untranslated_in(env, path: Path) -> list[str]:
    """Text a person reads or hears in a template that does not go through gettext."""
    source = path.read_text()
    name = path.relative_to(TEMPLATES)
    # Jinja code out (a {% trans %} block is translated as a whole), then the markup; what is left is text.
    static = TRANS_BLOCK.sub(_blank, source)
    static = JINJA.sub(lambda m: "\x00" + _blank(m)[1:], static)
    problems = [f"{name}: attribute text {value!r}" for value in READ_ATTRIBUTES.findall(static) if _words(value)]
    text = TAG.sub(_blank, static)
    for number, line in enumerate(text.splitlines(), 1):
        if words := _words(line):
            problems.append(f"{name}:{number}: text {' '.join(words)[:80]!r}")
    for output in env.parse(source).find_all(nodes.Output):
        for child in output.nodes:
            if isinstance(child, nodes.Call) and isinstance(child.node, nodes.Name) and child.node.name in TRANSLATE_CALLS:
                continue
            for const in _rendered_constants(child):
                # Lower-case single words are values for code (a role, a CSS class, an ARIA role), not prose.
                if _words(const.value) and (" " in const.value.strip() or const.value.strip()[:1].isupper()):
                    problems.append(f"{name}:{const.lineno}: string {const.value!r}")
    return problems


def test_every_template_string_goes_through_gettext(app):
    problems = [problem for path in sorted(TEMPLATES.rglob("*.html")) for problem in untranslated_in(app.jinja_env, path)]
    assert not problems, f"{len(problems)} strings not marked for translation:\n" + "\n".join(problems[:60])


# The keywords of README's `pybabel extract` command; pgettext's first argument is the context.
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
    "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3), "lazy_pgettext": ((1, "c"), 2),
}  # fmt: skip


def _extracted() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, context) → the files it comes from, extracted exactly as `pybabel extract -F babel.cfg` does."""
    method_map = [("webapp/**.py", "python"), ("jobs/**.py", "python"), ("templates/**.html", "jinja2")]
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(PROJECT_ROOT, method_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((msgid, context), []).append(filename)
    return found


def _catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_catalogs_translate_every_message(language):
    catalog = _catalog(language)
    missing = []
    for (msgid, context), files in sorted(_extracted().items(), key=lambda item: (item[0][0], item[0][1] or "")):
        message = catalog.get(msgid, context)
        translated = message is not None and not message.fuzzy and all(message.string if isinstance(message.string, tuple) else [message.string])
        if not translated:
            missing.append(f"{msgid!r}{f' (context {context!r})' if context else ''} ({files[0]})")
    assert not missing, f"{len(missing)} messages without a {language} translation:\n" + "\n".join(missing[:40])


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_catalogs_compile_with_the_standard_tools(language, tmp_path):
    """`pybabel compile` skips a catalog whose header is fuzzy, and GNU msgfmt rejects a broken one: both must pass."""
    po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    catalog = _catalog(language)
    assert not catalog.fuzzy, f"{language}: the catalog header is marked fuzzy, so `pybabel compile` skips it"
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == language and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "VERSION" not in headers["Project-Id-Version"] and "YEAR" not in headers["PO-Revision-Date"]
    assert re.fullmatch(r"nplurals=\d; plural=.+;", headers["Plural-Forms"])  # catalog.check() holds each entry to it
    problems = [f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors]
    assert not problems, "\n".join(problems)
    mo = tmp_path / "messages.mo"
    status = CommandLineInterface().run(["pybabel", "compile", "-i", str(po), "-o", str(mo), "-l", language])
    assert status == 0 and mo.stat().st_size > 1000, f"pybabel compile did not write {language}"


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_catalogs_pass_msgfmt_check(language):
    """GNU gettext's own checks (header, format strings, plural forms); CI installs it, a laptop may not have it."""
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt not installed (apt-get install gettext)")
    po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    result = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr


def test_language_comes_from_the_user_then_the_switcher_then_the_browser(client, make_user, login_as):
    from webapp.extensions import db

    def lang(response) -> str:
        return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)

    assert lang(client.get("/catalog/")) == "en"
    assert lang(client.get("/catalog/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})) == "ru"
    assert lang(client.get("/catalog/", headers={"Accept-Language": "de, pt-BR;q=0.8"})) == "pt"
    response = client.get("/language/fr?next=/catalog/?page=2")
    assert response.status_code == 302 and response.headers["Location"] == "/catalog/?page=2"
    assert lang(client.get("/catalog/", headers={"Accept-Language": "ru"})) == "fr"  # the switcher beats the browser
    assert client.get("/language/fr?next=https://evil.example/").headers["Location"] == "/catalog/"

    user = make_user("Rita")
    login_as(user)
    client.get("/language/ru?next=/account/")
    db.session.refresh(user)
    assert user.language == "ru"
    with client.session_transaction() as session:
        session.pop("language", None)
    assert lang(client.get("/catalog/", headers={"Accept-Language": "fr"})) == "ru"  # the saved choice wins


def test_every_page_links_each_language_with_lang_and_hreflang(client):
    page = client.get("/catalog/").get_data(as_text=True)
    for code, name in LANGUAGES.items():
        assert re.search(rf'<a href="/language/{code}\?next=[^"]*" lang="{code}" hreflang="{code}"[^>]*>{name}</a>', page), code


def test_russian_plurals_money_and_dates(app):
    from flask_babel import force_locale

    from webapp.templating import days, local_time, money, money_minor, time_left

    with app.test_request_context(), force_locale("ru"):
        assert [days(n) for n in (1, 2, 5, 11, 21, 22)] == ["1 день", "2 дня", "5 дней", "11 дней", "21 день", "22 дня"]
        assert money(1500) == "1\u00a0500\u00a0₽"
        assert money_minor(120050) == "1\u00a0200,50\u00a0₽"
        assert "нояб." in local_time(NOW_UTC)
        assert time_left(NOW_UTC.replace(hour=15), NOW_UTC) == "Осталось: 5 часов"
        # "Remaining: 1 day" reads right for every count ("осталось 1 день" would not).
        assert time_left(NOW_UTC.replace(day=25), NOW_UTC) == "Осталось: 1 день"
        assert time_left(NOW_UTC.replace(minute=30), NOW_UTC) == "Осталось меньше часа"
    with app.test_request_context(), force_locale("en"):
        assert (days(1), days(3), money(1500)) == ("1 day", "3 days", "RUB\u00a01,500")





def test_limits_in_messages_are_written_the_languages_way(app):
    """"1,000,000" is English; Russian writes "1 000 000" (a no-break space), Portuguese "1.000.000"."""
    from flask_babel import force_locale

    from webapp.domain.tiers import KworkDraft, TierDraft, rule_violations

    draft = KworkDraft(tiers={"economy": TierDraft("economy", 499, 1, 0, "One concept")}, is_packaged=False)
    with app.test_request_context():
        with force_locale("ru"):
            assert [issue.message for issue in rule_violations(draft)] == ["Цена должна быть от 500 до 1\u00a0000\u00a0000"]
        with force_locale("pt"):
            assert [issue.message for issue in rule_violations(draft)] == ["O preço deve ficar entre 500 e 1.000.000"]


def test_times_are_in_the_users_zone_named_in_their_language(app, make_user):
    """Every time a user reads names their zone the way their language does: no "MSK", no bare "UTC"."""
    from flask_babel import force_locale
    from flask_login import login_user

    from webapp.templating import local_time, user_time

    user = make_user()
    user.timezone = "Europe/Moscow"
    expected = {
        "en": "24 Nov 2026, 13:00 (Moscow Time)",
        "ru": "24 нояб. 2026\u202fг., 13:00 (Москва)",  # CLDR puts a narrow no-break space before "г."
        "pt": "24 de nov. de 2026 13:00 (Horário de Moscou)",
        "fr": "24 nov. 2026, 13:00 (heure de Moscou)",
    }
    with app.test_request_context():
        user.session_token = "formatting-only"  # Flask-Login's id names a session; none is needed to format a time
        login_user(user)
        for language, text in expected.items():
            with force_locale(language):
                assert user_time(NOW_UTC) == text
                assert local_time(NOW_UTC) == f'<time datetime="{NOW_UTC.isoformat()}">{text}</time>'
        with force_locale("ru"):
            assert user_time(NOW_UTC, with_date=False) == "13:00 (Москва)"
        user.timezone = "America/Sao_Paulo"
        with force_locale("pt"):
            assert user_time(NOW_UTC) == "24 de nov. de 2026 07:00 (Horário de Brasília)"
        user.timezone = "Pacific/Bougainville"  # a zone CLDR gives no name: its offset
        with force_locale("fr"):
            assert user_time(NOW_UTC) == "24 nov. 2026, 21:00 (UTC+11)"


def test_pages_speak_russian_including_category_names(client):
    page = client.get("/catalog/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Каталог" in page and "Все категории" in page and "Дизайн" in page and "Programming and IT" not in page


def test_template_gettext_follows_the_locale_as_it_changes_within_a_request(app):
    """Templates remember the catalog per request; force_locale and refresh() must still switch it."""
    from flask import render_template_string, session
    from flask_babel import force_locale, refresh

    page = '{{ _("Catalog") }} {{ ngettext("%(num)d order is past the deadline.", "%(num)d orders are past the deadline.", 5) }} {{ _("%(name)s", name="<b>") }}'
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Catalog 5 orders are past the deadline. &lt;b&gt;"
        with force_locale("ru"):
            assert render_template_string(page).startswith("Каталог 5 заказов")
        assert render_template_string(page).startswith("Catalog 5 orders")
        session["language"] = "fr"
        refresh()
        assert render_template_string(page).startswith("Catalogue")
