"""What makes a kwork and its package tiers complete and consistent.

A kwork is edited as a `KworkDraft`. Drafts may have empty fields (the editor lists them as hints), but every
filled value must respect the rules below, and a kwork is submitted for moderation only with nothing missing.
Field keys match the editor's input ids ("standard-price", "options-2-name") so a message can link to its input.
"""
from dataclasses import dataclass, field

from babel.numbers import format_decimal
from flask_babel import get_locale

from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from .errors import FieldIssue
from .extras import ExtraDraft, extras_violations

TIER_LEVELS = ("economy", "standard", "business")
# Shown in the viewer's language; stored data (the approved snapshot) uses the English names, see services.kworks.
TIER_NAMES = {"economy": _l("Economy"), "standard": _l("Standard"), "business": _l("Business")}

MIN_PRICE = 500
MAX_PRICE = 1_000_000
MIN_DAYS, MAX_DAYS = 1, 30
MAX_REVISIONS = 20
MAX_OPTIONS = 20
LIMITS = {  # maximum characters per text field
    "title": 80,
    "description": 5000,
    "buyer_instructions": 2000,
    "tier_description": 200,
    "option_name": 60,
}


@dataclass
class TierDraft:
    level: str
    price: int | None = None
    delivery_days: int | None = None
    revisions: int | None = None
    description: str = ""


@dataclass
class OptionDraft:
    name: str
    levels: frozenset[str] = frozenset()


@dataclass
class KworkDraft:
    title: str = ""
    category_id: int | None = None
    description: str = ""
    buyer_instructions: str = ""
    is_packaged: bool = True
    tiers: dict[str, TierDraft] = field(default_factory=lambda: {lvl: TierDraft(lvl) for lvl in TIER_LEVELS})
    options: list[OptionDraft] = field(default_factory=list)
    extras: list[ExtraDraft] = field(default_factory=list)

    def offered_levels(self) -> tuple[str, ...]:
        return TIER_LEVELS if self.is_packaged else ("economy",)


def missing_fields(draft: KworkDraft) -> list[FieldIssue]:
    """Every required field that is still empty, in the editor's order."""
    issues = []
    if not draft.title.strip():
        issues.append(FieldIssue("title", _("Enter a title")))
    if draft.category_id is None:
        issues.append(FieldIssue("category_id", _("Select a category")))
    if not draft.description.strip():
        issues.append(FieldIssue("description", _("Enter a description")))
    if not draft.buyer_instructions.strip():
        issues.append(FieldIssue("buyer_instructions", _("Enter what you need from the buyer to start")))
    for level in draft.offered_levels():
        tier = draft.tiers[level]
        # "Enter the Economy price" in a packaged kwork, "Enter the price" in a single-tier one.
        if draft.is_packaged:
            name = TIER_NAMES[level]
            if tier.price is None:
                issues.append(FieldIssue(f"{level}-price", _("Enter the %(tier)s price", tier=name)))
            if tier.delivery_days is None:
                issues.append(FieldIssue(f"{level}-delivery_days", _("Enter the %(tier)s delivery time in days", tier=name)))
            if tier.revisions is None:
                issues.append(FieldIssue(f"{level}-revisions", _("Enter the %(tier)s number of revisions", tier=name)))
            if not tier.description.strip():
                issues.append(FieldIssue(f"{level}-description", _("Enter a short description of the %(tier)s package", tier=name)))
        else:
            if tier.price is None:
                issues.append(FieldIssue(f"{level}-price", _("Enter the price")))
            if tier.delivery_days is None:
                issues.append(FieldIssue(f"{level}-delivery_days", _("Enter the delivery time in days")))
            if tier.revisions is None:
                issues.append(FieldIssue(f"{level}-revisions", _("Enter the number of revisions")))
    return issues


def rule_violations(draft: KworkDraft) -> list[FieldIssue]:
    """Filled values that break a rule. Empty values are left to `missing_fields`."""
    issues = []

    def too_long(value: str, limit_key: str) -> bool:
        return len(value) > LIMITS[limit_key]

    if too_long(draft.title, "title"):
        issues.append(FieldIssue("title", _("Title must be %(max)s characters or fewer", max=LIMITS["title"])))
    if too_long(draft.description, "description"):
        issues.append(FieldIssue("description", _("Description must be %(max)s characters or fewer", max=LIMITS["description"])))
    if too_long(draft.buyer_instructions, "buyer_instructions"):
        issues.append(FieldIssue("buyer_instructions", _("What you need from the buyer must be %(max)s characters or fewer",
                                                         max=LIMITS["buyer_instructions"])))  # fmt: skip

    previous: TierDraft | None = None
    for level in draft.offered_levels():
        tier = draft.tiers[level]
        # Each message has a packaged form ("Economy price must be…") and a single-package one ("The price must be…").
        packaged, name = draft.is_packaged, TIER_NAMES[level]
        if tier.price is not None and not MIN_PRICE <= tier.price <= MAX_PRICE:
            # In the reader's language ("1,000,000", "1 000 000"); English where no request chose one.
            low, high = (format_decimal(limit, locale=get_locale() or "en") for limit in (MIN_PRICE, MAX_PRICE))
            issues.append(FieldIssue(f"{level}-price", _("%(tier)s price must be between %(min)s and %(max)s", tier=name, min=low, max=high)
                                     if packaged else _("The price must be between %(min)s and %(max)s", min=low, max=high)))  # fmt: skip
        if tier.delivery_days is not None and not MIN_DAYS <= tier.delivery_days <= MAX_DAYS:
            issues.append(FieldIssue(f"{level}-delivery_days",
                                     _("%(tier)s delivery time must be between %(min)s and %(max)s days", tier=name, min=MIN_DAYS, max=MAX_DAYS)
                                     if packaged else
                                     _("The delivery time must be between %(min)s and %(max)s days", min=MIN_DAYS, max=MAX_DAYS)))  # fmt: skip
        if tier.revisions is not None and not 0 <= tier.revisions <= MAX_REVISIONS:
            issues.append(FieldIssue(f"{level}-revisions", _("%(tier)s revisions must be between 0 and %(max)s", tier=name, max=MAX_REVISIONS)
                                     if packaged else _("The revisions must be between 0 and %(max)s", max=MAX_REVISIONS)))  # fmt: skip
        if packaged and too_long(tier.description, "tier_description"):
            issues.append(FieldIssue(f"{level}-description", _("%(tier)s description must be %(max)s characters or fewer",
                                                               tier=name, max=LIMITS["tier_description"])))  # fmt: skip
        if previous is not None:  # only packaged kworks have a previous tier
            prev_name = TIER_NAMES[previous.level]
            if tier.price is not None and previous.price is not None and tier.price <= previous.price:
                issues.append(FieldIssue(f"{level}-price", _("%(tier)s price must be higher than the %(previous)s price",
                                                             tier=name, previous=prev_name)))  # fmt: skip
            if (
                tier.delivery_days is not None
                and previous.delivery_days is not None
                and tier.delivery_days < previous.delivery_days
            ):
                issues.append(
                    FieldIssue(
                        f"{level}-delivery_days",
                        _("%(tier)s delivery time can't be shorter than the %(previous)s delivery time", tier=name, previous=prev_name),
                    )
                )
        previous = tier

    if len(draft.options) > MAX_OPTIONS:
        issues.append(FieldIssue("options", _("A kwork can have at most %(max)s options", max=MAX_OPTIONS)))
    seen = set()
    for index, option in enumerate(draft.options):
        key = f"options-{index}-name"
        name = option.name.strip()
        if not name and option.levels:
            issues.append(FieldIssue(key, _("Enter a name for option %(number)s, or untick its packages", number=index + 1)))
        if too_long(name, "option_name"):
            issues.append(FieldIssue(key, _("Option %(number)s name must be %(max)s characters or fewer",
                                            number=index + 1, max=LIMITS["option_name"])))  # fmt: skip
        if name and name.casefold() in seen:
            issues.append(FieldIssue(key, _("Option %(number)s repeats an earlier option’s name", number=index + 1)))
        seen.add(name.casefold())
    return issues + extras_violations(draft.extras)


def problems_for_submission(draft: KworkDraft) -> list[FieldIssue]:
    """Everything that stops a kwork going to moderation, missing fields first."""
    return missing_fields(draft) + rule_violations(draft)
