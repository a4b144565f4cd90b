"""Upgrades during an order: what a seller may propose, when, and what an accepted upgrade changes.

A seller proposes more work inside a running order (Kwork's "offer an option", Fiverr's "offer more"): one of the
kwork's paid extras at its listed price and days (a quantity of it when the extra allows), extra revisions, or
work described in words, each of the last two for a price and extra days the seller sets. The buyer accepts, paying
from the wallet into the same order's escrow, or declines; the seller may withdraw the proposal until then.

Rules as data:
- PROPOSABLE_STATES: the seller is working (in work, or on a revision): not before work starts (the seller starts
  from the requirements, then sees what more is worth offering), not once delivered (a delivery is judged as it
  is), not when finished. A proposal left open when the order leaves these states (a delivery, a cancellation) lapses.
- MAX_OPEN_PROPOSALS = 1: one question at a time, so the buyer never weighs two prices against one order.
- An open cancellation request or an arbitration of the work freezes the order: no proposal, no answer.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_number

from ..texts import gettext as _
from .errors import FieldIssue
from .extras import MAX_EXTRA_DAYS, MAX_EXTRA_PRICE, MIN_EXTRA_PRICE
from .orders import WORKING_STATES

PROPOSABLE_STATES = WORKING_STATES
MAX_OPEN_PROPOSALS = 1
KINDS = ("extra", "revisions", "custom")
# Prices in whole currency units, as the kwork's extras are priced; days as an extra may add.
MIN_PRICE, MAX_PRICE = MIN_EXTRA_PRICE, MAX_EXTRA_PRICE
MAX_DAYS = MAX_EXTRA_DAYS
MAX_REVISIONS = 10
TITLE_LIMIT = 200
COMMENT_LIMIT = 1000


@dataclass(frozen=True)
class Terms:
    """A proposal as it will be stored: money in minor units."""

    kind: str
    title: str
    quantity: int  # units of the extra, or extra revisions; 1 for described work
    price: int  # minor units, for all of it
    days: int  # in all


def custom_violations(kind: str, *, title: str, quantity: int | None, price: int | None, days: int | None) -> list[FieldIssue]:
    """Problems with extra revisions or described work as the seller typed them (whole currency units).

    Field keys are the proposal form's input ids."""
    issues = []
    if kind == "custom":
        if not title.strip():
            issues.append(FieldIssue("upgrade_title", _("Describe the extra work")))
        elif len(title.strip()) > TITLE_LIMIT:
            issues.append(FieldIssue("upgrade_title", _("Enter %(max)s characters or fewer", max=format_number(TITLE_LIMIT))))
    if kind == "revisions" and (quantity is None or not 1 <= quantity <= MAX_REVISIONS):
        issues.append(FieldIssue("upgrade_quantity", _("Enter a number of revisions from 1 to %(max)s", max=MAX_REVISIONS)))
    if price is None or not MIN_PRICE <= price <= MAX_PRICE:
        issues.append(FieldIssue("upgrade_price", _("Enter a price from %(min)s to %(max)s",
                                                    min=format_number(MIN_PRICE), max=format_number(MAX_PRICE))))  # fmt: skip
    if days is None or not 0 <= days <= MAX_DAYS:
        issues.append(FieldIssue("upgrade_days", _("Enter a number of days from 0 to %(max)s", max=MAX_DAYS)))
    return issues


def deadline_after_upgrade(deadline: datetime | None, days: int) -> datetime | None:
    """The deadline moves by the upgrade's days (an order without one yet keeps none)."""
    return deadline + timedelta(days=days) if deadline is not None else None
