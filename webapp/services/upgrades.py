"""Upgrades during an order: the seller proposes more work, the buyer accepts (pays into the order's escrow) or
declines, the seller may withdraw. The rules are domain.upgrades'.

Money: an accepted upgrade is one balanced posting, `order-<id>-upgrade-<proposal id>`, buyer's wallet → the
order's escrow, and `order.total` grows by its price in the same transaction. `order.total` is what the order's
escrow holds, so every later exit (release with commission, refund on cancellation, a split) moves exactly what
the buyer paid, upgrades included.

Concurrency: every use case locks the order first (services.locking) and changes a proposal only by a conditional
UPDATE … WHERE status = 'open' RETURNING, so of two answers (accept twice, accept and withdraw) one wins and the
other is refused; a partial unique index keeps at most one proposal open per order.
"""
from datetime import datetime

from flask_babel import format_number
from sqlalchemy import bindparam, select, update

from ..domain import upgrades as rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..domain.extras import quantity_problem
from ..extensions import db
from ..models import KworkExtra, Order, OrderExtra, UpgradeProposal, User
from ..templating import days as days_text
from ..templating import money_minor
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from ..texts import ngettext
from . import ledger, notifications, orders

ITEM_REVISIONS, ITEM_CUSTOM, EXTRA_PREFIX = "revisions", "custom", "extra-"


class ShortOfFunds(ValidationFailed):
    """The buyer's balance can't pay for the upgrade; `short_by` (minor units) is what a top-up must add."""

    def __init__(self, short_by: int):
        self.short_by = short_by
        super().__init__([FieldIssue("upgrade_answer", _("Your balance is %(amount)s short of this upgrade. Top up at least %(amount)s, then accept it again.",
                                                         amount=money_minor(short_by)))])  # fmt: skip


def open_proposal(order: Order) -> UpgradeProposal | None:
    """The proposal waiting for the buyer's answer, if any (one at most: domain.upgrades.MAX_OPEN_PROPOSALS)."""
    if order.state not in rules.PROPOSABLE_STATES:
        return None
    query = select(UpgradeProposal).where(UpgradeProposal.order_id == order.id, UpgradeProposal.status == "open")
    return db.session.scalar(query)


def accepted(order: Order) -> list[UpgradeProposal]:
    """The upgrades the buyer paid for on this order, oldest first."""
    query = select(UpgradeProposal).where(UpgradeProposal.order_id == order.id, UpgradeProposal.status == "accepted")
    return list(db.session.scalars(query.order_by(UpgradeProposal.id)))


_ON_ORDER = (  # built once: every order page runs it (building a SELECT costs about as much as running it)
    select(UpgradeProposal).where(UpgradeProposal.order_id == bindparam("order_id"), UpgradeProposal.status.in_(("open", "accepted")))
    .order_by(UpgradeProposal.id)
)  # fmt: skip


def on_order(order: Order) -> tuple[UpgradeProposal | None, list[UpgradeProposal]]:
    """`open_proposal` and `accepted` in one statement, for the order page."""
    found = list(db.session.scalars(_ON_ORDER, {"order_id": order.id}))
    waiting = next((p for p in found if p.status == "open"), None) if order.state in rules.PROPOSABLE_STATES else None
    return waiting, [p for p in found if p.status == "accepted"]


_EXTRAS_ON_OFFER = (  # built once: the seller's order page runs it while an upgrade may be proposed
    select(KworkExtra).where(KworkExtra.kwork_id == bindparam("kwork_id")).order_by(KworkExtra.position, KworkExtra.id)
)


def extras_on_offer(order: Order) -> list[KworkExtra]:
    """The order's kwork's extras as they are now (price and days per unit), in the editor's order: what the seller
    may propose as an upgrade, besides extra revisions and other work."""
    return list(db.session.scalars(_EXTRAS_ON_OFFER, {"kwork_id": order.kwork_id}))


def frozen_reason(order: Order, under_arbitration: bool | None = None) -> str | None:
    """Why no upgrade may be proposed or accepted on the order right now, or None. `under_arbitration`: whether a
    dispute about the work is open, when the caller knows (the order page has the order's disputes)."""
    if order.state not in rules.PROPOSABLE_STATES:
        return _("Upgrades can be proposed only while the work is going on")
    if order.open_cancellation is not None:
        return _("A cancellation request is open: it has to be answered first")
    if orders.under_arbitration(order) if under_arbitration is None else under_arbitration:
        return _("The work is with arbitration: an administrator decides first")
    return None


def proposal_problem(order: Order, user: User) -> str | None:
    """Why `user` can't propose an upgrade on the order now, or None: the guards `propose` checks under the lock,
    read without it (for the page, and to refuse a form that is not shown)."""
    if user.id != order.seller_id:
        return _("Only the seller can propose an upgrade")
    if reason := frozen_reason(order):
        return reason
    if open_proposal(order) is not None:
        return _("An upgrade proposal is already waiting for the buyer: withdraw it to propose another")
    return None


def describe(proposal: UpgradeProposal) -> str:
    """What the upgrade is, in the reader's language: "Express delivery × 2", "2 extra revisions", the description."""
    if proposal.kind == "revisions":
        return ngettext("%(num)d extra revision", "%(num)d extra revisions", proposal.quantity)
    if proposal.kind == "extra" and proposal.quantity > 1:
        return _("%(extra)s × %(quantity)s", extra=proposal.title, quantity=proposal.quantity)
    return proposal.title


def _terms(order: Order, item: str, *, quantity: int | None, title: str, price_units: int | None, days: int | None) -> rules.Terms:
    """The proposal's terms from what the seller chose. An extra of the kwork comes at its listed price and days
    (times the quantity, when the extra allows one); price and days typed for it are ignored."""
    if item.startswith(EXTRA_PREFIX) and item[len(EXTRA_PREFIX):].isdigit():
        extra = db.session.get(KworkExtra, int(item[len(EXTRA_PREFIX):]))
        if extra is None or extra.kwork_id != order.kwork_id:
            raise ValidationFailed([FieldIssue("upgrade_item", _("Choose what you propose from the list"))])
        quantity = 1 if quantity is None else quantity
        if problem := quantity_problem(quantity, quantity_allowed=extra.quantity_allowed, max_quantity=extra.max_quantity):
            raise ValidationFailed([FieldIssue("upgrade_quantity", problem)])
        return rules.Terms("extra", extra.title, quantity, extra.price * 100 * quantity, extra.days * quantity)
    if item not in (ITEM_REVISIONS, ITEM_CUSTOM):
        raise ValidationFailed([FieldIssue("upgrade_item", _("Choose what you propose from the list"))])
    if issues := rules.custom_violations(item, title=title, quantity=quantity, price=price_units, days=days):
        raise ValidationFailed(issues)
    if item == ITEM_REVISIONS:
        return rules.Terms("revisions", "", quantity, price_units * 100, days)
    return rules.Terms("custom", title.strip(), 1, price_units * 100, days)


def propose(seller: User, order: Order, item: str, *, quantity: int | None, title: str, price_units: int | None,
            days: int | None, comment: str, now: datetime) -> UpgradeProposal:  # fmt: skip
    """The seller proposes an upgrade: `item` is "extra-<kwork extra id>", "revisions" or "custom".

    Guards (on the locked order): its seller; the order in PROPOSABLE_STATES with no open cancellation request or
    arbitration; no proposal already open; the terms as `_terms` and domain.upgrades.custom_violations; comment
    at most 1,000 characters. Effects: an open proposal, an order event, the buyer notified.
    """
    order = orders.lock_for_update(order)
    if order.role_of(seller) is None:
        raise orders.OrderNotFound("Order not found")
    if seller.id != order.seller_id:
        raise DomainError(_("Only the seller can propose an upgrade"))
    if reason := frozen_reason(order):
        raise DomainError(reason)
    if open_proposal(order) is not None:
        raise DomainError(_("An upgrade proposal is already waiting for the buyer: withdraw it to propose another"))
    terms = _terms(order, item or "", quantity=quantity, title=title or "", price_units=price_units, days=days)
    comment = (comment or "").strip()
    if len(comment) > rules.COMMENT_LIMIT:
        raise ValidationFailed([FieldIssue("upgrade_comment", _("Enter %(max)s characters or fewer", max=format_number(rules.COMMENT_LIMIT)))])
    proposal = UpgradeProposal(order_id=order.id, kind=terms.kind, title=terms.title, quantity=terms.quantity, price=terms.price,
                               days=terms.days, comment=comment, created_at=now)  # fmt: skip
    db.session.add(proposal)
    orders.record_event(order, seller, "propose_upgrade", order.state, order.state, _summary(proposal), now)
    notifications.notify_about(order, order.buyer_id, "upgrade",
                               _l("The seller of order #%(id)s proposes an upgrade. Accept it to pay for it from your balance, or decline it."),
                               id=order.id)  # fmt: skip
    db.session.commit()
    return proposal


def _summary(proposal: UpgradeProposal) -> str:
    """The history's line for a proposal: what, for how much, how many more days."""
    if proposal.days:
        return _("%(item)s for %(price)s, %(days)s more", item=describe(proposal), price=money_minor(proposal.price), days=days_text(proposal.days))
    return _("%(item)s for %(price)s", item=describe(proposal), price=money_minor(proposal.price))


def _close(order: Order, proposal_id: int, status: str, now: datetime) -> UpgradeProposal:
    """Move the open proposal `proposal_id` of the (locked) order to `status`: a conditional UPDATE, so a proposal
    already answered or withdrawn is refused, whoever got there first."""
    closed = db.session.execute(
        update(UpgradeProposal)
        .where(UpgradeProposal.id == proposal_id, UpgradeProposal.order_id == order.id, UpgradeProposal.status == "open")
        .values(status=status, answered_at=now)
        .returning(UpgradeProposal.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if closed is None:
        raise DomainError(_("This upgrade proposal is no longer open: it was answered or withdrawn"))
    proposal = db.session.get(UpgradeProposal, closed)
    db.session.refresh(proposal)
    return proposal


def _locked_for(user: User, order: Order, role: str) -> Order:
    order = orders.lock_for_update(order)
    if order.role_of(user) is None:
        raise orders.OrderNotFound("Order not found")
    if order.role_of(user) != role:
        raise DomainError(_("Only the buyer can answer an upgrade proposal") if role == "buyer" else _("Only the seller can withdraw the proposal"))
    return order


def accept(buyer: User, order: Order, proposal_id: int, now: datetime) -> UpgradeProposal:
    """The buyer accepts the proposal they saw (`proposal_id`: a proposal withdrawn and made again is not accepted
    unseen) and pays for it.

    Guards (on the locked order): its buyer; not frozen (`frozen_reason`); the proposal still open; the balance
    covers the price (ShortOfFunds, nothing changed). Effects, in one transaction: one posting wallet → escrow,
    `order.total` and the delivery time grow, the deadline (once work has started) moves by the days; an extra is
    added to the order's extras, extra revisions to those included; an order event; the seller notified.
    """
    order = _locked_for(buyer, order, "buyer")
    if reason := frozen_reason(order):
        raise DomainError(reason)
    proposal = _close(order, proposal_id, "accepted", now)
    price = proposal.price
    try:
        ledger.post(
            f"order-{order.id}-upgrade-{proposal.id}",
            "upgrade_payment",
            [ledger.Movement(ledger.wallet_code(buyer.id), -proposal.price), ledger.Movement(ledger.escrow_code(order.id), proposal.price)],
            memo=_l("Order #%(id)s: upgrade"),
            id=order.id,
        )
    except ledger.InsufficientFunds:
        db.session.rollback()  # the proposal stays open, nothing was charged
        raise ShortOfFunds(max(price - ledger.balance(ledger.wallet_code(buyer.id)), 0)) from None
    order.total += proposal.price
    order.delivery_days += proposal.days
    order.deadline_at = rules.deadline_after_upgrade(order.deadline_at, proposal.days)
    if proposal.kind == "revisions":
        order.revisions_included += proposal.quantity
    elif proposal.kind == "extra":
        order.extras.append(OrderExtra(title=proposal.title[:60], unit_price=proposal.price // proposal.quantity,
                                       quantity=proposal.quantity, days=proposal.days // proposal.quantity))  # fmt: skip
    orders.record_event(order, buyer, "accept_upgrade", order.state, order.state, _summary(proposal), now)
    notifications.notify_about(order, order.seller_id, "upgrade",
                               _l("The buyer accepted and paid for your upgrade on order #%(id)s."), id=order.id)
    db.session.commit()
    return proposal


def decline(buyer: User, order: Order, proposal_id: int, now: datetime) -> UpgradeProposal:
    """The buyer declines the open proposal; nothing else changes. Effects: an order event, the seller notified."""
    order = _locked_for(buyer, order, "buyer")
    proposal = _close(order, proposal_id, "declined", now)
    orders.record_event(order, buyer, "decline_upgrade", order.state, order.state, _summary(proposal), now)
    notifications.notify_about(order, order.seller_id, "upgrade", _l("The buyer declined your upgrade on order #%(id)s."), id=order.id)
    db.session.commit()
    return proposal


def withdraw(seller: User, order: Order, proposal_id: int, now: datetime) -> UpgradeProposal:
    """The seller takes back the open proposal before the buyer answers. Effects: an order event, the buyer notified."""
    order = _locked_for(seller, order, "seller")
    proposal = _close(order, proposal_id, "withdrawn", now)
    orders.record_event(order, seller, "withdraw_upgrade", order.state, order.state, _summary(proposal), now)
    notifications.notify_about(order, order.buyer_id, "upgrade", _l("The seller withdrew the upgrade proposed on order #%(id)s."), id=order.id)
    db.session.commit()
    return proposal
