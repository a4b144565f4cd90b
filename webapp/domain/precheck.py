"""The automatic pre-check of kwork texts: the seed marketplace forbids contact details and "write to me before
ordering". It only flags; a moderator decides."""
import re
from dataclasses import dataclass

from ..texts import lazy_gettext as _l


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


# Messages between people without an order together: contact details (as above) and paying outside Gigsmith.
_PAYMENT = (_l("Asks to pay outside Gigsmith"), re.compile(
    r"(?:pay\s*pal|western\s+union|bank\s+transfer|wire\s+transfer|pay\s+(?:me\s+)?(?:directly|outside|off)"
    r"|(?:card|карт[уыа])\s*(?:number|номер)?\s*[:№#]?\s*\d{4}[\s-]?\d{4}|crypto|bitcoin|usdt"
    r"|оплат\w*\s+(?:напрямую|на\s+карту|мимо)|переве\w*\s+(?:мне\s+)?на\s+карту|на\s+карту\s+сбер|без\s+(?:биржи|сайта|комиссии))",
    re.I))  # fmt: skip


def check_message(*texts: str) -> list[Flag]:
    """A message's flags: every kwork-text rule but "write before ordering" (in a message, writing is the point),
    and asking to pay outside Gigsmith."""
    flags = [flag for flag in check(*texts) if flag.rule is not _PATTERNS[-1][0]]
    match = _PAYMENT[1].search("\n".join(t for t in texts if t))
    if match:
        flags.append(Flag(_PAYMENT[0], match.group(0).strip()))
    return flags
