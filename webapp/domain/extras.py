"""Paid extras of a kwork and what an order with extras costs and takes.

A seller offers up to MAX_EXTRAS extras ("Express delivery", "Source files"): a title, a price per unit (whole
currency units, like tier prices), the days it adds to delivery, and whether the buyer may choose a quantity (up to
`max_quantity`). At checkout the buyer picks some; `price_order` is the one place the total and the delivery time
of an order with extras are computed, so the summary shown before paying and the amount charged are the same.
Field keys match the editor's input ids ("extras-0-title").
"""
from dataclasses import dataclass

from ..texts import gettext as _
from .errors import FieldIssue

MAX_EXTRAS = 10
MIN_EXTRA_PRICE, MAX_EXTRA_PRICE = 100, 1_000_000
MAX_EXTRA_DAYS = 30
MAX_EXTRA_QUANTITY = 10
TITLE_LIMIT = 60


@dataclass
class ExtraDraft:
    title: str = ""
    price: int | None = None
    days: int | None = 0
    quantity_allowed: bool = False
    max_quantity: int | None = None

    def is_blank(self) -> bool:
        return not self.title.strip() and self.price is None


@dataclass(frozen=True)
class Chosen:
    """One extra as bought: what the order keeps (a snapshot; the kwork's extra may change later)."""

    title: str
    unit_price: int  # minor units
    quantity: int
    days: int  # added once per unit

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Price:
    base: int  # minor units: the package price times the package quantity
    extras: tuple[Chosen, ...]
    delivery_days: int

    @property
    def total(self) -> int:
        return self.base + sum(extra.amount for extra in self.extras)


def price_order(unit_price: int, quantity: int, tier_days: int, extras: tuple[Chosen, ...] | list[Chosen] = ()) -> Price:
    """The total (minor units) and delivery days of a package bought `quantity` times with `extras`.

    Each unit of an extra adds its days (two "extra pages" at 1 day each add 2 days)."""
    extras = tuple(extras)
    return Price(unit_price * quantity, extras, tier_days + sum(extra.days * extra.quantity for extra in extras))


def quantity_problem(quantity: int, *, quantity_allowed: bool, max_quantity: int | None) -> str | None:
    """Why `quantity` units of an extra can't be bought, or None."""
    limit = (max_quantity or 1) if quantity_allowed else 1
    if not 1 <= quantity <= limit:
        return _("Enter a quantity from 1 to %(max)s", max=limit)
    return None


def extras_violations(extras: list[ExtraDraft]) -> list[FieldIssue]:
    """Filled extras that break a rule; a row with neither title nor price is ignored (the editor drops it)."""
    issues = []
    filled = [(index, extra) for index, extra in enumerate(extras) if not extra.is_blank()]
    if len(filled) > MAX_EXTRAS:
        issues.append(FieldIssue("extras", _("A kwork can have at most %(max)s extras", max=MAX_EXTRAS)))
    seen = set()
    for index, extra in filled:
        key, number = f"extras-{index}", index + 1
        title = extra.title.strip()
        if not title:
            issues.append(FieldIssue(f"{key}-title", _("Enter a title for extra %(number)s", number=number)))
        elif len(title) > TITLE_LIMIT:
            issues.append(FieldIssue(f"{key}-title", _("Extra %(number)s title must be %(max)s characters or fewer",
                                                       number=number, max=TITLE_LIMIT)))  # fmt: skip
        elif title.casefold() in seen:
            issues.append(FieldIssue(f"{key}-title", _("Extra %(number)s repeats an earlier extra’s title", number=number)))
        seen.add(title.casefold())
        if extra.price is None:
            issues.append(FieldIssue(f"{key}-price", _("Enter a price for extra %(number)s", number=number)))
        elif not MIN_EXTRA_PRICE <= extra.price <= MAX_EXTRA_PRICE:
            issues.append(FieldIssue(f"{key}-price", _("Extra %(number)s price must be between %(min)s and %(max)s",
                                                       number=number, min=MIN_EXTRA_PRICE, max=MAX_EXTRA_PRICE)))  # fmt: skip
        if extra.days is not None and not 0 <= extra.days <= MAX_EXTRA_DAYS:
            issues.append(FieldIssue(f"{key}-days", _("Extra %(number)s days must be between 0 and %(max)s",
                                                      number=number, max=MAX_EXTRA_DAYS)))  # fmt: skip
        if extra.quantity_allowed and (extra.max_quantity is None or not 2 <= extra.max_quantity <= MAX_EXTRA_QUANTITY):
            issues.append(FieldIssue(f"{key}-max_quantity", _("Extra %(number)s maximum quantity must be between 2 and %(max)s",
                                                              number=number, max=MAX_EXTRA_QUANTITY)))  # fmt: skip
    return issues
