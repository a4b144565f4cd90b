"""The automatic pre-check of kwork texts: the seed marketplace forbids contact details and "write to me before
ordering". It only flags; a moderator decides."""
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Flag:
    rule: str
    excerpt: str


_PATTERNS = [
    (_l("An e-mail address"), re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]{2,}", re.I)),
    # Seven or more digits, allowing spaces, dashes, dots and brackets between them: a phone number.
    (_l("A phone number"), re.compile(r"(?<!\w)\+?\d(?:[\s().-]*\d){6,}")),
    (_l("A messenger handle or link"), re.compile(
        r"(?:t\.me/|telegram|телеграм|whats\s?app|ватсап|вотсап|viber|вайбер|skype|скайп|discord|signal\b|(?<![\w.])@[a-z]\w{3,})", re.I)),
    (_l("Asks buyers to write before ordering"), re.compile(
        r"(?:(?:write|message|contact|text)\s+(?:me\s+)?(?:first|before)|before\s+order\w*,?\s+(?:write|message|contact)"
        r"|пишите\s+(?:мне\s+)?(?:до|перед)\s+заказ|(?:до|перед)\s+заказом\s+(?:пишите|напишите|свяжитесь)"
        r"|напишите\s+мне\s+(?:в\s+личку|в\s+личные|заранее))", re.I)),
]  # fmt: skip


def check(*texts: str) -> list[Flag]:
    """Every rule the texts seem to break, each with the words that triggered it."""
    flags = []
    joined = "\n".join(t for t in texts if t)
    for rule, pattern in _PATTERNS:
        match = pattern.search(joined)
        if match:
            flags.append(Flag(rule, match.group(0).strip()))
    return flags
