"""Tier rules, without Flask or a database."""
import pytest

from webapp.domain.tiers import KworkDraft, OptionDraft, TierDraft, missing_fields, problems_for_submission, rule_violations


def complete(**changes) -> KworkDraft:
    draft = KworkDraft(
        title="I will design a logo",
        category_id=1,
        description="Three concepts.",
        buyer_instructions="Your company name.",
        tiers={
            "economy": TierDraft("economy", 500, 1, 0, "One concept"),
            "standard": TierDraft("standard", 1000, 2, 1, "Two concepts"),
            "business": TierDraft("business", 2000, 2, 3, "Three concepts"),
        },
    )
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


def fields(issues) -> list[str]:
    return [issue.field for issue in issues]


def test_complete_packaged_draft_has_no_problems():
    assert problems_for_submission(complete()) == []


def test_empty_draft_lists_every_required_field_per_tier():
    assert fields(missing_fields(KworkDraft())) == [
        "title", "category_id", "description", "buyer_instructions",
        "economy-price", "economy-delivery_days", "economy-revisions", "economy-description",
        "standard-price", "standard-delivery_days", "standard-revisions", "standard-description",
        "business-price", "business-delivery_days", "business-revisions", "business-description",
    ]  # fmt: skip


def test_missing_messages_name_the_tier():
    messages = [issue.message for issue in missing_fields(KworkDraft())]
    assert "Enter the Standard price" in messages
    assert "Enter a short description of the Business package" in messages


def test_single_tier_needs_only_the_economy_tier_and_no_description():
    draft = KworkDraft(is_packaged=False)
    tier_fields = [f for f in fields(missing_fields(draft)) if "-" in f]
    assert tier_fields == ["economy-price", "economy-delivery_days", "economy-revisions"]
    assert "Enter the price" in [i.message for i in missing_fields(draft)]


def test_single_tier_ignores_other_tiers_values():
    draft = complete(is_packaged=False)
    draft.tiers["standard"] = TierDraft("standard", 1, 99, 99, "x" * 500)
    assert problems_for_submission(draft) == []


@pytest.mark.parametrize(
    "level, attribute, value, field, message",
    [
        ("economy", "price", 499, "economy-price", "Economy price must be between 500 and 1,000,000"),
        ("business", "price", 1_000_001, "business-price", "Business price must be between 500 and 1,000,000"),
        ("standard", "price", 500, "standard-price", "Standard price must be higher than the Economy price"),
        ("business", "price", 1000, "business-price", "Business price must be higher than the Standard price"),
        ("economy", "delivery_days", 0, "economy-delivery_days", "Economy delivery time must be between 1 and 30 days"),
        ("business", "delivery_days", 31, "business-delivery_days", "Business delivery time must be between 1 and 30 days"),
        ("standard", "delivery_days", 3, "business-delivery_days",
         "Business delivery time can't be shorter than the Standard delivery time"),
        ("economy", "revisions", -1, "economy-revisions", "Economy revisions must be between 0 and 20"),
        ("economy", "revisions", 21, "economy-revisions", "Economy revisions must be between 0 and 20"),
    ],
)  # fmt: skip
def test_tier_rules(level, attribute, value, field, message):
    draft = complete()
    setattr(draft.tiers[level], attribute, value)
    issues = rule_violations(draft)
    assert (field, message) in [(i.field, i.message) for i in issues]


def test_boundaries_are_allowed():
    draft = complete()
    draft.tiers["economy"].price, draft.tiers["business"].price = 500, 1_000_000
    draft.tiers["economy"].delivery_days = draft.tiers["standard"].delivery_days = 1
    draft.tiers["business"].delivery_days = 30
    draft.tiers["business"].revisions = 20
    assert rule_violations(draft) == []


def test_equal_delivery_days_across_tiers_are_allowed_but_equal_prices_are_not():
    draft = complete()
    for tier in draft.tiers.values():
        tier.delivery_days = 5
    assert rule_violations(draft) == []
    draft.tiers["standard"].price = draft.tiers["economy"].price
    assert fields(rule_violations(draft)) == ["standard-price"]


def test_rules_skip_empty_values_so_drafts_can_be_partial():
    draft = KworkDraft()
    draft.tiers["standard"].price = 900
    assert rule_violations(draft) == []


def test_text_limits():
    draft = complete(title="x" * 81, description="d" * 5001, buyer_instructions="b" * 2001)
    draft.tiers["economy"].description = "e" * 201
    assert fields(rule_violations(draft)) == ["title", "description", "buyer_instructions", "economy-description"]


def test_option_rules():
    draft = complete(
        options=[
            OptionDraft("Server setup", frozenset({"economy"})),
            OptionDraft("", frozenset({"standard"})),
            OptionDraft("server setup", frozenset()),
            OptionDraft("", frozenset()),  # an empty row is ignored, not an error
            OptionDraft("o" * 61, frozenset()),
        ]
    )
    issues = rule_violations(draft)
    assert [(i.field, i.message) for i in issues] == [
        ("options-1-name", "Enter a name for option 2, or untick its packages"),
        ("options-2-name", "Option 3 repeats an earlier option’s name"),
        ("options-4-name", "Option 5 name must be 60 characters or fewer"),
    ]


def test_too_many_options():
    draft = complete(options=[OptionDraft(f"Option {n}") for n in range(21)])
    assert fields(rule_violations(draft)) == ["options"]
