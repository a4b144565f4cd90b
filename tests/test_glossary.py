"""The glossary (webapp/translations/GLOSSARY.md) is the rule book for product terms: no catalog may use a word it
forbids, and every word it prescribes is still in use (a glossary that no catalog follows would be fiction)."""
import re
from dataclasses import dataclass, field

import pytest
from babel.messages.pofile import read_po

from webapp.i18n import LANGUAGES, TRANSLATIONS

GLOSSARY = TRANSLATIONS / "GLOSSARY.md"
TRANSLATED = sorted(set(LANGUAGES) - {"en"})
ROW = re.compile(r"^\|\s*(?P<lang>[a-z]{2})\s*\|(?P<use>.*)\|(?P<never>.*)\|\s*$")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


@dataclass
class Term:
    name: str
    scope: list[str] = field(default_factory=list)  # English words the Never list is limited to; empty: everywhere
    use: dict[str, list[str]] = field(default_factory=dict)
    never: dict[str, list[str]] = field(default_factory=dict)


def _pattern(word: str) -> re.Pattern:
    """`спор*` → any word starting with спор; otherwise the exact word or phrase, case-insensitive."""
    body = r"\w*".join(re.escape(part) for part in word.split("*"))
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def parse_glossary(text: str) -> list[Term]:
    terms: list[Term] = []
    for line in text.splitlines():
        if line.startswith("## "):
            terms.append(Term(line[3:].strip()))
        elif not terms:
            continue
        elif line.startswith("Scope:"):
            terms[-1].scope = re.findall(r"`([^`]+)`", line)
        elif row := ROW.match(line):
            terms[-1].use[row["lang"]] = re.findall(r"\*\*([^*]+)\*\*", row["use"])
            terms[-1].never[row["lang"]] = re.findall(r"`([^`]+)`", row["never"])
    return terms


TERMS = parse_glossary(GLOSSARY.read_text(encoding="utf-8"))


def _messages(language: str) -> list[tuple[str, str]]:
    """(English, translation) for every message, each plural form on its own."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        english = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(english, string) for string in strings if string]
    return pairs


def test_the_glossary_names_every_product_term_in_every_language():
    names = " ".join(term.name for term in TERMS)
    for required in ("kwork", "package", "order", "request", "buyer", "seller", "requirements", "revision", "delivery",
                     "in work", "delivered", "completed", "cancelled", "arbitration", "escrow", "balance", "top-up",
                     "withdrawal", "payout details", "review", "rating", "responsibility", "completion rate", "block",
                     "suspend", "moderation", "notification", "extension", "pause"):  # fmt: skip
        assert required in names, f"the glossary has no section for {required!r}"
    for term in TERMS:
        assert set(term.use) == set(TRANSLATED), f"{term.name}: a row for each of {TRANSLATED}"
        assert all(term.use.values()), f"{term.name}: each language marks its word in bold"


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_catalog_uses_a_word_the_glossary_forbids(language):
    messages = _messages(language)
    problems = []
    for term in TERMS:
        scope = [_pattern(word) for word in term.scope]
        for word in term.never.get(language, []):
            forbidden = _pattern(word)
            for english, string in messages:
                if scope and not any(pattern.search(PLACEHOLDER.sub("", english)) for pattern in scope):
                    continue
                if forbidden.search(string):
                    problems.append(f"{term.name}: {word!r} in {string!r} (for {english!r})")
    assert not problems, f"{len(problems)} forbidden words in the {language} catalog:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_word_the_glossary_prescribes_is_in_its_catalog(language):
    text = "\n".join(string for _english, string in _messages(language))
    missing = [f"{term.name}: {word!r}" for term in TERMS for word in term.use.get(language, []) if not _pattern(word).search(text)]
    assert not missing, f"the glossary prescribes words the {language} catalog never uses:\n" + "\n".join(missing)


def test_the_checker_finds_forbidden_words_and_respects_scopes():
    terms = parse_glossary(
        "## dispute\n| | Use | Never |\n|---|---|---|\n| ru | **арбитраж** | `спор*` |\n"
        "## suspend\nScope: `suspen*`\n| | Use | Never |\n|---|---|---|\n| ru | **приостановлен** | `заблокир*` |\n"
    )
    assert [(t.name, t.scope, t.never) for t in terms] == [("dispute", [], {"ru": ["спор*"]}), ("suspend", ["suspen*"], {"ru": ["заблокир*"]})]
    assert _pattern("спор*").search("Открытые споры") and not _pattern("спор*").search("причина оспорена")
    assert _pattern("gig").search("um gig") and not _pattern("gig").search("Gigsmith")
    assert _pattern("учётн* запис*").search("с этой учётной записью")
