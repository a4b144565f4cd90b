"""Orders: checkout into escrow, the state machine's use cases, messages, and completion or refund.

Every change of state goes through `_move`, which locks the order row, asks the domain table whether the
action is allowed, and writes an OrderEvent. Money moves through the ledger in the same transaction.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import format_number
from sqlalchemy import and_, bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, load_only

from ..domain import orders as rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..domain.extras import Chosen, Price, price_order, quantity_problem
from ..domain.upgrades import PROPOSABLE_STATES
from ..extensions import db
from ..models import Attachment, Kwork, Order, OrderEvent, OrderExtra, OrderMessage, Review, UpgradeProposal, User, WorkDispute
from .. import clock
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import availability, begin_write, blocking, bulk, ledger, locking, notifications, reviews, timers, uploads

MAX_QUANTITY = 10
MAX_FILES = 5
MAX_TEXT = 5000


class OrderNotFound(DomainError):
    """No such order for this user (also for orders they are not a party to, so they stay private)."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def get_for(user: User, order_id: int) -> Order:
    """An order its buyer, its seller or an admin may see."""
    return _visible_to(user, db.session.get(Order, order_id))


def _visible_to(user: User, order: Order | None) -> Order:
    if order is None or not (user.is_admin or order.role_of(user)):
        raise OrderNotFound("Order not found")
    return order


def page_for(user: User, order_id: int) -> Order:
    """An order as its page shows it (the same guard as get_for), with its review, cancellation and extension
    requests and extras loaded up front rather than on first use by the template; its messages and history are
    read apart, as plain rows (`thread`, `history`).

    One statement: each of these is a handful of rows at most, so joining them to the order (rows multiply, few)
    costs less than a selectin load each, which cost more than the statement itself."""
    order = db.session.scalars(_ORDER_PAGE, {"order_id": order_id}).unique().one_or_none()
    return _visible_to(user, order)


# The order page's statements, built once and run with the order's id: building a SELECT costs SQLAlchemy about as
# much CPU as running it (see services/sessions._USER_WITH_SESSION).
_ORDER_PAGE = select(Order).where(Order.id == bindparam("order_id")).options(
    joinedload(Order.cancellation_requests),
    joinedload(Order.extension_requests),
    # The review's buyer, joined by default, is the order's: the page never reads it through the review, and an
    # outer join chaining an inner one is a nested join SQLite may build for every review.
    joinedload(Order.review).lazyload(Review.buyer),
    joinedload(Order.extras),
)


class Party:
    """Who wrote a message or made a move, as the order page names them."""

    __slots__ = ("display_name",)

    def __init__(self, display_name: str):
        self.display_name = display_name


class ThreadFile:
    """A message's attachment, as the order page links it."""

    __slots__ = ("id", "original_name", "size")

    def __init__(self, id: int, original_name: str, size: int):
        self.id, self.original_name, self.size = id, original_name, size


class ThreadMessage:
    """A message of an order's thread with what the page shows of it: the same attributes the template reads from an
    OrderMessage (`author.display_name`, `attachments`), so one macro renders both."""

    __slots__ = ("id", "order_id", "kind", "body", "created_at", "author", "attachments")

    def __init__(self, id, order_id, kind, body, created_at, author, attachments):
        self.id, self.order_id, self.kind, self.body, self.created_at = id, order_id, kind, body, created_at
        self.author, self.attachments = author, attachments


class HistoryLine:
    """A line of an order's history, with the same attributes the page reads from an OrderEvent (`actor` is None
    for the system)."""

    __slots__ = ("id", "created_at", "actor", "action", "to_state", "comment")

    def __init__(self, id, created_at, actor, action, to_state, comment):
        self.id, self.created_at, self.actor, self.action, self.to_state, self.comment = id, created_at, actor, action, to_state, comment


def thread(order_id: int) -> list[ThreadMessage]:
    """An order's messages, oldest first, with their authors' names and their attachments: one statement of plain
    rows (the page only reads them, and a long thread built as ORM objects cost more than rendering it)."""
    rows = db.session.execute(_THREAD, {"order_id": order_id}).all()
    messages: list[ThreadMessage] = []
    authors: dict[str, Party] = {}
    for message_id, kind, body, created_at, name, file_id, file_name, size in rows:
        if not messages or messages[-1].id != message_id:
            author = authors.get(name) or authors.setdefault(name, Party(name))
            messages.append(ThreadMessage(message_id, order_id, kind, body, created_at, author, []))
        if file_id is not None:
            messages[-1].attachments.append(ThreadFile(file_id, file_name, size))
    return messages


_THREAD = (
    select(OrderMessage.id, OrderMessage.kind, OrderMessage.body, OrderMessage.created_at, User.display_name,
           Attachment.id, Attachment.original_name, Attachment.size)
    .join(User, User.id == OrderMessage.author_id)
    .outerjoin(Attachment, Attachment.message_id == OrderMessage.id)
    .where(OrderMessage.order_id == bindparam("order_id"))
    .order_by(OrderMessage.id, Attachment.id)
)  # fmt: skip
_HISTORY = (
    select(OrderEvent.id, OrderEvent.created_at, User.display_name, OrderEvent.action, OrderEvent.to_state, OrderEvent.comment)
    .outerjoin(User, User.id == OrderEvent.actor_id)
    .where(OrderEvent.order_id == bindparam("order_id"))
    .order_by(OrderEvent.id)
)  # fmt: skip


def history(order_id: int) -> list[HistoryLine]:
    """An order's history, oldest first, with who made each move (None: the system): one statement of plain rows."""
    rows = db.session.execute(_HISTORY, {"order_id": order_id}).all()
    actors: dict[str, Party] = {}
    return [HistoryLine(event_id, created_at, None if name is None else actors.get(name) or actors.setdefault(name, Party(name)),
                        action, to_state, comment)
            for event_id, created_at, name, action, to_state, comment in rows]  # fmt: skip


def _text(field: str, value: str | None, *, required=None, minimum: int = 1) -> str:
    """`required`: the (lazily translated) message shown when the text is missing."""
    value = (value or "").strip()
    if required is not None and len(value) < minimum:
        raise ValidationFailed([FieldIssue(field, str(required))])
    if len(value) > MAX_TEXT:
        raise ValidationFailed([FieldIssue(field, _("Enter %(max)s characters or fewer", max=format_number(MAX_TEXT)))])
    return value


def _check_files(files: list[Upload], field: str) -> list[Upload]:
    """Refuse too many or too large files before anything changes."""
    files = [f for f in files if f.filename]
    if len(files) > MAX_FILES:
        raise ValidationFailed([FieldIssue(field, _("Attach at most %(max)s files", max=MAX_FILES))])
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    if any(len(f.data) > limit for f in files):
        raise ValidationFailed([FieldIssue(field, _("Each file must be smaller than %(size)s MB", size=limit // (1024 * 1024)))])
    return files


def _attach(message: OrderMessage, files: list[Upload]) -> None:
    for upload in files:
        stored = uploads.store_file(upload.data)
        message.attachments.append(Attachment(original_name=upload.filename[:200], stored_name=stored, size=len(upload.data)))


def _message(order: Order, author: User, kind: str, body: str, files: list[Upload], now: datetime) -> OrderMessage:
    message = OrderMessage(order=order, author_id=author.id, kind=kind, body=body, created_at=now)
    db.session.add(message)
    _attach(message, files)
    return message


def checkout_problem(buyer: User, kwork: Kwork, now: datetime | None = None) -> str | None:
    """Why this buyer can't order this kwork at all right now (`now`: the clock's when not given), or None."""
    if kwork.status != "active" or kwork.deleted_at is not None or kwork.seller.is_suspended:
        return _("This kwork is not available to order")
    if kwork.seller_id == buyer.id:
        return _("You can’t order your own kwork")
    if availability.is_away(kwork.seller, now or clock.now()):
        return _("The seller is away and not taking new orders until they are back")
    if blocking.is_blocked(kwork.seller_id, buyer.id):
        return _("This seller does not take orders from you")
    if kwork.agreement_only:
        return _("This kwork is ordered only after agreement: describe your task to the seller, who answers with an individual offer")
    return None


def chosen_extras(kwork: Kwork, wanted: dict[int, int]) -> tuple[Chosen, ...]:
    """The kwork's extras in `wanted` ({extra id: quantity}), as bought, in the kwork's order.

    Raises ValidationFailed when an id is not one of the kwork's extras ("extras") or a quantity is outside what
    the extra allows (on "extras-<position>-quantity", the checkout's field for it)."""
    by_id = {extra.id: extra for extra in kwork.extras}
    issues = [FieldIssue("extras", _("Choose extras from the list")) for extra_id in wanted if extra_id not in by_id][:1]
    chosen = []
    for position, extra in enumerate(kwork.extras):
        if extra.id not in wanted:
            continue
        quantity = wanted[extra.id]
        if problem := quantity_problem(quantity, quantity_allowed=extra.quantity_allowed, max_quantity=extra.max_quantity):
            issues.append(FieldIssue(f"extras-{position}-quantity", problem))
            continue
        chosen.append(Chosen(extra.title, extra.price * 100, quantity, extra.days))
    if issues:
        raise ValidationFailed(issues)
    return tuple(chosen)


def quote(kwork: Kwork, level: str, *, quantity: int, extras: dict[int, int]) -> Price:
    """What ordering `level` of `kwork` `quantity` times with `extras` ({extra id: quantity}) costs and takes: the
    summary checkout shows before paying and what `place_order` charges.

    Guards: the package is one the kwork offers ("tier"); quantity 1–10 ("quantity"); the extras as `chosen_extras`.
    Raises ValidationFailed listing each problem. No side effects."""
    tier = kwork.tier(level)
    if tier is None or tier not in kwork.offered_tiers:
        raise ValidationFailed([FieldIssue("tier", _("Choose one of the kwork’s packages"))])
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed([FieldIssue("quantity", _("Enter a quantity from 1 to %(max)s", max=MAX_QUANTITY))])
    return price_order(tier.price * 100, quantity, tier.delivery_days, chosen_extras(kwork, extras))


def place_order(
    buyer: User,
    kwork: Kwork,
    level: str,
    *,
    quantity: int,
    requirements: str | None,
    files: list[Upload] = (),
    checkout_token: str,
    now: datetime,
    repeat_of: Order | None = None,
    extras: dict[int, int] | None = None,
) -> Order:
    """Buy a package (and any of the kwork's extras, `extras` = {extra id: quantity}): the total moves from the buyer's wallet into the order's escrow, in one transaction.

    Guards: see `checkout_problem`; the package is one the kwork offers; quantity 1–10; each extra is one of the
    kwork's, in a quantity it allows (domain/extras.py); requirements, when not sent later, are not blank.
    The total and delivery days come from `domain.extras.price_order`; the extras bought are kept as OrderExtra rows.
    Raises InsufficientFunds (nothing charged, no order) when the wallet can't cover the total. The same
    checkout_token returns the order it already made, so a double-submitted form pays once.
    Effects: state `new` with requirements, else `awaiting_requirements`; a "placed" event.
    """
    begin_write()
    existing = db.session.scalar(select(Order).where(Order.checkout_token == checkout_token))
    if existing is not None and existing.buyer_id == buyer.id:
        return existing
    if problem := checkout_problem(buyer, kwork, now):
        raise DomainError(problem)
    price = quote(kwork, level, quantity=quantity, extras=extras or {})
    tier = kwork.tier(level)
    if requirements is not None:
        requirements = _text("requirements", requirements, required=_l("Enter what the seller needs, or choose to send it later"))
    files = _check_files(list(files), "attachments")
    unit_price = tier.price * 100
    order = Order(
        buyer_id=buyer.id,
        seller_id=kwork.seller_id,
        kwork_id=kwork.id,
        repeat_of_id=repeat_of.id if repeat_of else None,
        checkout_token=checkout_token,
        state=rules.NEW if requirements is not None else rules.AWAITING_REQUIREMENTS,
        tier_level=level,
        title=kwork.title,
        tier_description=tier.description if kwork.is_packaged else "",
        included_options=[option.name for option in kwork.options if tier in option.tiers],
        unit_price=unit_price,
        quantity=quantity,
        total=price.total,
        delivery_days=price.delivery_days,
        revisions_included=tier.revisions,
        buyer_instructions=kwork.buyer_instructions,
        requirements=requirements,
        requirements_sent_at=now if requirements is not None else None,
        created_at=now,
    )
    db.session.add(order)
    for extra in price.extras:
        order.extras.append(OrderExtra(title=extra.title, unit_price=extra.unit_price, quantity=extra.quantity, days=extra.days))
    try:
        pay_into_escrow(order, buyer)
        if requirements is not None:
            _message(order, buyer, "requirements", requirements, files, now)
        else:
            schedule_requirements_deadline(order, now)
        record_event(order, buyer, "place", None, order.state, "", now)
        notifications.notify_about(order, order.seller_id, "new_order", _l("%(name)s ordered “%(title)s” (order #%(id)s)."),
                                   name=buyer.display_name, title=order.title, id=order.id)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    except IntegrityError:
        # Two submissions of one checkout form raced (PostgreSQL): the other one placed the order.
        db.session.rollback()
        winner = db.session.scalar(select(Order).where(Order.checkout_token == checkout_token, Order.buyer_id == buyer.id))
        if winner is None:
            raise
        return winner
    return order


def pay_into_escrow(order: Order, buyer: User) -> None:
    """The order's total from the buyer's wallet into its escrow account, in the caller's transaction (the order
    was just added; it is flushed here for its id). Raises InsufficientFunds when the wallet can't cover it."""
    db.session.flush()
    ledger.account(ledger.escrow_code(order.id))
    ledger.post(
        f"order-{order.id}-payment",
        "order_payment",
        [ledger.Movement(ledger.wallet_code(buyer.id), -order.total), ledger.Movement(ledger.escrow_code(order.id), order.total)],
        memo=_l("Order #%(id)s: %(title)s"),
        id=order.id,
        title=order.title,
    )


def record_event(order: Order, actor: User | None, action: str, from_state: str | None, to_state: str, comment: str, now: datetime):
    """One line of the order's history (actor None: the system, e.g. a timer)."""
    db.session.add(
        OrderEvent(order=order, actor_id=actor.id if actor else None, action=action, from_state=from_state,
                   to_state=to_state, comment=comment, created_at=now)
    )  # fmt: skip


# (order id, actor id or None, action, from state, to state, comment): one line of history for `record_events`.
EventRow = tuple[int, int | None, str, str | None, str, str]


def record_events(rows: list[EventRow], now: datetime) -> None:
    """Many lines of history in one INSERT (a timer batch's), without an ORM object each; the caller's transaction."""
    if rows:
        bulk.insert_rows(OrderEvent.__table__, [
            {"order_id": order_id, "actor_id": actor_id, "action": action, "from_state": from_state, "to_state": to_state,
             "comment": comment, "created_at": now}
            for order_id, actor_id, action, from_state, to_state, comment in rows
        ])  # fmt: skip


AUTO_COMPLETE_AFTER = timedelta(days=3)


def schedule_requirements_deadline(order: Order, now: datetime) -> None:
    """The buyer has REQUIREMENTS_DEADLINE_DAYS from the order to send requirements, then it is cancelled and
    refunded (services.cancellations); the buyer is warned 24 hours before. Scheduled again after a declined
    cancellation request (an open request freezes the order's timers): never less than a day from `now`."""
    due = order.created_at + timedelta(days=current_app.config["REQUIREMENTS_DEADLINE_DAYS"])
    timers.schedule("requirements_deadline", order, max(due, now + timers.WARN_AHEAD))


def lock_for_update(order: Order) -> Order:
    """Start a writing unit of work holding the order's row lock; returns the order as read under it (the same
    object, refreshed). Everything the caller decides from here on is read after the lock."""
    locked = locking.lock(Order, order.id)
    if locked is None:
        raise OrderNotFound("Order not found")
    return locked


def _move(order: Order, actor: User, action: str, now: datetime, comment: str = "", *, check=None) -> str:
    """Lock the order, check the transition for the actor's role, record it; returns the previous state.

    While a cancellation request is open the order is frozen: it is answered first. `check(order)`, when given,
    may refuse the action on what the lock read, before anything changes. Timers made for the state the order
    leaves are cancelled.
    """
    order = lock_for_update(order)
    role = order.role_of(actor)
    if role is None:
        raise OrderNotFound("Order not found")
    if order.open_cancellation is not None:
        raise rules.IllegalTransition(_("A cancellation request is open: it has to be answered first"))
    if under_arbitration(order):
        raise rules.IllegalTransition(_("The work is with arbitration: an administrator decides first"))
    target = rules.target_state(action, order.state, role)
    if check is not None:
        check(order)
    previous, order.state = order.state, target
    record_event(order, actor, action, previous, target, comment, now)
    timers.cancel(order)
    _settle_deadline_requests(order, now)
    _lapse_upgrades([order], now)
    return previous


def under_arbitration(order: Order) -> bool:
    """A dispute about the delivered work is open (services.work_disputes): the order waits for the decision."""
    query = select(WorkDispute.id).where(WorkDispute.order_id == order.id, WorkDispute.status == "open").limit(1)
    return db.session.scalar(query) is not None


def _settle_deadline_requests(order: Order, now: datetime) -> None:
    """Leaving work (a delivery, a cancellation): an unanswered extension lapses, and a pause ends with its time
    credited; an upgrade proposal still open lapses (services.upgrades: upgrades are for work going on)."""
    if order.state in rules.WORKING_STATES:
        return
    if (extension := order.open_extension) is not None:
        extension.status, extension.answered_at = "withdrawn", now
    if order.paused_at is not None and order.deadline_at is not None:
        order.deadline_at = rules.deadline_after_pause(order.deadline_at, order.paused_at, now)
    order.paused_at = order.pause_requested_at = order.pause_reason = None


def _lapse_upgrades(orders: list[Order], now: datetime) -> None:
    """Orders that left the states upgrades are proposed in (services.upgrades: upgrades are for work going on):
    their open proposals lapse, in one statement however many orders (a timer batch cancelling hundreds)."""
    left = [order.id for order in orders if order.state not in PROPOSABLE_STATES]
    if left:
        db.session.execute(update(UpgradeProposal).where(bulk.among(UpgradeProposal.order_id, left), UpgradeProposal.status == "open")
                           .values(status="lapsed", answered_at=now))  # fmt: skip


def send_requirements(buyer: User, order: Order, text: str, files: list[Upload], now: datetime) -> Order:
    """The buyer answers "what I need": the order becomes `new`, waiting for the seller to start."""
    text = _text("requirements", text, required=_l("Enter what the seller needs to start"))
    files = _check_files(files, "requirements_files")
    _move(order, buyer, "send_requirements", now)
    order.requirements, order.requirements_sent_at = text, now
    _message(order, buyer, "requirements", text, files, now)
    notifications.notify_about(order, order.seller_id, "requirements_sent",
                                _l("The buyer sent the requirements for order #%(id)s: you can start work."), id=order.id)
    db.session.commit()
    return order


def start_work(seller: User, order: Order, now: datetime) -> Order:
    """The seller confirms the requirements are enough; the deadline runs from now."""
    _move(order, seller, "start", now)
    order.started_at = now
    order.deadline_at = now + timedelta(days=order.delivery_days)
    db.session.commit()
    return order


def deliver(seller: User, order: Order, text: str, files: list[Upload], now: datetime) -> Order:
    text = _text("delivery", text, required=_l("Describe what you are delivering"))
    files = _check_files(files, "delivery_files")
    _move(order, seller, "deliver", now)
    order.delivered_at = now
    _message(order, seller, "delivery", text, files, now)
    timers.schedule("auto_complete", order, now + AUTO_COMPLETE_AFTER)
    notifications.notify_about(order, order.buyer_id, "delivered", _l("Order #%(id)s was delivered: accept the work or ask for a revision."),
                                id=order.id)
    db.session.commit()
    return order


def request_revision(buyer: User, order: Order, comment: str, now: datetime) -> Order:
    """Send the delivery back. Counts against the package's revisions; the seller keeps at least 24 hours."""
    comment = _text("revision", comment, required=_l("Say what needs to change"))
    _move(order, buyer, "request_revision", now, comment)
    order.revisions_used += 1
    order.deadline_at = rules.deadline_after_revision(order.deadline_at or now, now)
    _message(order, buyer, "revision_request", comment, [], now)
    notifications.notify_about(order, order.seller_id, "revision_requested", _l("The buyer asked for a revision on order #%(id)s."), id=order.id)
    db.session.commit()
    return order


def decline_revision(seller: User, order: Order, comment: str, now: datetime) -> Order:
    """Refuse a revision beyond those included; the previous delivery stands for the buyer to accept."""
    comment = _text("decline", comment, required=_l("Say why you are declining this revision"))
    def only_extra(locked: Order) -> None:
        if not locked.revision_is_extra:
            raise rules.IllegalTransition(_("This revision is included in the package and can’t be declined"))

    _move(order, seller, "decline_revision", now, comment, check=only_extra)
    order.delivered_at = now
    _message(order, seller, "message", comment, [], now)
    timers.schedule("auto_complete", order, now + AUTO_COMPLETE_AFTER)
    notifications.notify_about(order, order.buyer_id, "delivered",
                                _l("The seller declined the extra revision on order #%(id)s: the delivery stands."), id=order.id)
    db.session.commit()
    return order


def accept(buyer: User, order: Order, now: datetime) -> Order:
    """Accept the delivery: escrow goes to the seller, less the platform commission."""
    _move(order, buyer, "accept", now)
    _release([order], now)
    db.session.commit()
    return order


def _release(orders: list[Order], now: datetime) -> None:
    """Each completed order's escrow to its seller, less the platform commission: a fixed number of statements for
    any number of orders (a timer job completes hundreds at once)."""
    percent = current_app.config["COMMISSION_PERCENT"]
    memo = _l("Order #%(id)s completed")  # one lazy string: ledger.post_all translates it once per language
    transfers = []
    for order in orders:
        fee = rules.commission(order.total, percent)
        movements = [
            ledger.Movement(ledger.escrow_code(order.id), -order.total),
            ledger.Movement(ledger.wallet_code(order.seller_id), order.total - fee),
        ]
        if fee:
            movements.append(ledger.Movement(ledger.PLATFORM_COMMISSION, fee))
        order.completed_at = now
        transfers.append(ledger.Transfer(f"order-{order.id}-release", "release", movements, memo, {"id": order.id}))
    ledger.post_all(transfers)
    notifications.notify_about_all("order_completed", _l("Order #%(id)s was completed and the payment released to your balance."),
                                   [(order.id, order.seller_id) for order in orders])  # fmt: skip
    db.session.flush()
    # A timer batch's orders are locked rows, not the session's: their new state must be in the database before the
    # ratings count it (an order completed without a review is a positive outcome).
    timers.write_now(orders)
    reviews.refresh_kwork_ratings(order.kwork_id for order in orders)


@timers.batch_handler("auto_complete")
def _auto_complete(fired: timers.Fired, now: datetime) -> None:
    """Three days after a delivery the buyer neither accepted nor asked for a revision: the order completes."""
    events = []
    for _timer, order in fired:
        previous, order.state = order.state, rules.COMPLETED
        order.auto_completed = True
        events.append((order.id, None, "auto_complete", previous, rules.COMPLETED, ""))
    record_events(events, now)
    _release([order for _timer, order in fired], now)


def refund_and_close(order: Order, actor: User | None, comment: str, now: datetime) -> None:
    """The money half of cancelling, inside the caller's transaction with the order locked: cancelled, escrow
    back to the buyer, timers off. Who may cancel, and with what consequences, is services.cancellations'."""
    refund_and_close_all([(order, comment)], actor, now)


def refund_and_close_all(closing: list[tuple[Order, str]], actor: User | None, now: datetime) -> None:
    """`refund_and_close` for many (order, comment) pairs, locked by the caller, with a fixed number of statements
    however many (a timer job cancelling hundreds at once): one UPDATE of their timers, one run of postings."""
    if not closing:
        return
    events = []
    for order, comment in closing:
        if order.state not in rules.OPEN_STATES:
            raise rules.IllegalTransition(_("Only an open order can be cancelled"))
        previous, order.state = order.state, rules.CANCELLED
        order.cancelled_at = now
        events.append((order.id, actor.id if actor else None, "cancel", previous, rules.CANCELLED, comment))
        _settle_deadline_requests(order, now)
    record_events(events, now)
    _lapse_upgrades([order for order, _comment in closing], now)
    timers.cancel_all([order for order, _comment in closing])
    memo = _l("Order #%(id)s cancelled")  # one lazy string: ledger.post_all translates it once per language
    ledger.post_all(
        [ledger.Transfer(f"order-{order.id}-refund", "refund",
                         [ledger.Movement(ledger.escrow_code(order.id), -order.total), ledger.Movement(ledger.wallet_code(order.buyer_id), order.total)],
                         memo, {"id": order.id})
         for order, _comment in closing]
    )  # fmt: skip


def post_message(author: User, order: Order, text: str, files: list[Upload], now: datetime) -> OrderMessage:
    if order.role_of(author) is None:
        raise OrderNotFound("Order not found")
    if author.id == order.buyer_id and blocking.is_blocked(order.seller_id, author.id):
        raise ValidationFailed([FieldIssue("message", _("The seller has blocked messages from you"))])
    text = _text("message", text, required=_l("Enter a message"))
    files = _check_files(files, "message_files")
    begin_write()
    message = _message(order, author, "message", text, files, now)
    db.session.commit()
    return message


def _newest_first(user_id, role: str):
    """The orders of `user_id` (a number, or a bound parameter) as buyer or seller, newest first."""
    party = Order.buyer_id if role == "buyer" else Order.seller_id
    return select(Order).where(party == user_id).order_by(Order.created_at.desc(), Order.id.desc())


def list_for(user: User, role: str, state: str | None) -> tuple[list[Order], dict[str, int]]:
    """The user's orders as buyer or seller (optionally in one state), newest first, and counts per state."""
    party = Order.buyer_id if role == "buyer" else Order.seller_id
    query = _newest_first(user.id, role)
    if state:
        query = query.where(Order.state == state)
    counts = dict(db.session.execute(select(Order.state, func.count()).where(party == user.id).group_by(Order.state)).all())
    return list(db.session.scalars(query)), counts


def late_clause(now: datetime):
    """`Order.late(now)` (domain.orders.is_late) as SQL, to count late orders without loading them."""
    return and_(Order.state.in_(rules.WORKING_STATES), Order.deadline_at < now, Order.paused_at.is_(None))


@dataclass(frozen=True)
class Summary:
    recent: list[Order]  # the newest few
    counts: dict[str, int]  # per state, states without orders left out
    late: int  # past the deadline, among all of them


def summary_for(user: User, role: str, now: datetime, recent: int = 5) -> Summary:
    """A dashboard's glance at the user's orders as buyer or seller: only the newest `recent` are loaded; counts per
    state and of late orders come from one grouped query, whatever the number of orders."""
    counts, newest = _summary_statements(role, recent)
    rows = db.session.execute(counts, {"user_id": user.id, "now": now}).all()
    newest = list(db.session.scalars(newest, {"user_id": user.id}))
    return Summary(newest, {state: number for state, number, _late in rows}, sum(late for _state, _number, late in rows))


@cache
def _summary_statements(role: str, recent: int):
    """summary_for's two SELECTs for a role, built once (every dashboard runs them; building a SELECT costs about
    as much CPU as running it)."""
    party = Order.buyer_id if role == "buyer" else Order.seller_id
    user_id = bindparam("user_id")
    counts = select(Order.state, func.count(), func.count(case((late_clause(bindparam("now")), 1)))).where(party == user_id).group_by(Order.state)
    # What the list shows of each (its link, title and state badge, and whether it is late), not the whole order
    # with both parties joined: the dashboard's recent orders were its dearest rows to build.
    shown = load_only(Order.id, Order.title, Order.state, Order.deadline_at, Order.paused_at)
    newest = _newest_first(user_id, role).options(shown, lazyload(Order.buyer), lazyload(Order.seller)).limit(recent)
    return counts, newest
