"""What makes a kwork and its package tiers complete and consistent.

A kwork is edited as a `KworkDraft`. Drafts may have empty fields (the editor lists them as hints), but every
filled value must respect the rules below, and a kwork is submitted for moderation only with nothing missing.
Field keys match the editor's input ids ("standard-price", "options-2-name") so a message can link to its input.
"""
from dataclasses import dataclass, field

from .errors import FieldIssue

TIER_LEVELS = ("economy", "standard", "business")
TIER_NAMES = {"economy": "Economy", "standard": "Standard", "business": "Business"}

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

    def offered_levels(self) -> tuple[str, ...]:
        return TIER_LEVELS if self.is_packaged else ("economy",)


def missing_fields(draft: KworkDraft) -> list[FieldIssue]:
    """Every required field that is still empty, in the editor's order."""
    issues = []
    if not draft.title.strip():
        issues.append(FieldIssue("title", "Enter a title"))
    if draft.category_id is None:
        issues.append(FieldIssue("category_id", "Select a category"))
    if not draft.description.strip():
        issues.append(FieldIssue("description", "Enter a description"))
    if not draft.buyer_instructions.strip():
        issues.append(FieldIssue("buyer_instructions", "Enter what you need from the buyer to start"))
    for level in draft.offered_levels():
        tier = draft.tiers[level]
        # "Enter the Economy price" in a packaged kwork, "Enter the price" in a single-tier one.
        the = f"the {TIER_NAMES[level]}" if draft.is_packaged else "the"
        if tier.price is None:
            issues.append(FieldIssue(f"{level}-price", f"Enter {the} price"))
        if tier.delivery_days is None:
            issues.append(FieldIssue(f"{level}-delivery_days", f"Enter {the} delivery time in days"))
        if tier.revisions is None:
            issues.append(FieldIssue(f"{level}-revisions", f"Enter {the} number of revisions"))
        if draft.is_packaged and not tier.description.strip():
            issues.append(FieldIssue(f"{level}-description", f"Enter a short description of {the} package"))
    return issues


def rule_violations(draft: KworkDraft) -> list[FieldIssue]:
    """Filled values that break a rule. Empty values are left to `missing_fields`."""
    issues = []

    def too_long(key: str, value: str, limit_key: str, label: str) -> None:
        if len(value) > LIMITS[limit_key]:
            issues.append(FieldIssue(key, f"{label} must be {LIMITS[limit_key]} characters or fewer"))

    too_long("title", draft.title, "title", "Title")
    too_long("description", draft.description, "description", "Description")
    too_long("buyer_instructions", draft.buyer_instructions, "buyer_instructions", "What you need from the buyer")

    previous: TierDraft | None = None
    for level in draft.offered_levels():
        tier = draft.tiers[level]
        name = TIER_NAMES[level] if draft.is_packaged else "The"
        if tier.price is not None and not MIN_PRICE <= tier.price <= MAX_PRICE:
            issues.append(FieldIssue(f"{level}-price", f"{name} price must be between {MIN_PRICE:,} and {MAX_PRICE:,}"))
        if tier.delivery_days is not None and not MIN_DAYS <= tier.delivery_days <= MAX_DAYS:
            issues.append(
                FieldIssue(f"{level}-delivery_days", f"{name} delivery time must be between {MIN_DAYS} and {MAX_DAYS} days")
            )
        if tier.revisions is not None and not 0 <= tier.revisions <= MAX_REVISIONS:
            issues.append(FieldIssue(f"{level}-revisions", f"{name} revisions must be between 0 and {MAX_REVISIONS}"))
        if draft.is_packaged:
            too_long(f"{level}-description", tier.description, "tier_description", f"{name} description")
        if previous is not None:
            prev_name = TIER_NAMES[previous.level]
            if tier.price is not None and previous.price is not None and tier.price <= previous.price:
                issues.append(FieldIssue(f"{level}-price", f"{name} price must be higher than the {prev_name} price"))
            if (
                tier.delivery_days is not None
                and previous.delivery_days is not None
                and tier.delivery_days < previous.delivery_days
            ):
                issues.append(
                    FieldIssue(
                        f"{level}-delivery_days",
                        f"{name} delivery time can't be shorter than the {prev_name} delivery time",
                    )
                )
        previous = tier

    if len(draft.options) > MAX_OPTIONS:
        issues.append(FieldIssue("options", f"A kwork can have at most {MAX_OPTIONS} options"))
    seen = set()
    for index, option in enumerate(draft.options):
        key = f"options-{index}-name"
        name = option.name.strip()
        if not name and option.levels:
            issues.append(FieldIssue(key, f"Enter a name for option {index + 1}, or untick its packages"))
        too_long(key, name, "option_name", f"Option {index + 1} name")
        if name and name.casefold() in seen:
            issues.append(FieldIssue(key, f"Option {index + 1} repeats an earlier option’s name"))
        seen.add(name.casefold())
    return issues


def problems_for_submission(draft: KworkDraft) -> list[FieldIssue]:
    """Everything that stops a kwork going to moderation, missing fields first."""
    return missing_fields(draft) + rule_violations(draft)
