"""Conversations between two users: who may write, the inbox, unread counts, reports, and the seller's response time.

One thread per pair of users, whichever of them wrote first and from whichever kwork (the first kwork is kept as
where it started). A buyer the seller blocked can't write to them (services.blocking). Between people with no order
together, the moderation pre-check flags contact details and paying outside Gigsmith; the message still arrives and
an admin sees the flag. Unread counts are counters changed by single UPDATE statements.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

from flask_babel import force_locale
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import aliased, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from .. import links
from ..domain import precheck
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models.base import UTCDateTime
from ..models import (Conversation, ConversationAttachment, ConversationMember, ConversationMessage, Kwork, MessageReport,
                      Offer, Order, User)  # fmt: skip
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import audit, begin_write, blocking, locking, notifications, uploads
from .orders import MAX_TEXT, Upload, _check_files  # the same limits and checks as an order's messages

PAGE = 30  # messages per page of a thread, newest page first
EMAIL_EVERY = timedelta(minutes=15)  # at most one notification (and e-mail) per thread and recipient in this time
RESPONSE_WINDOW = timedelta(days=30)
MAX_REASON = 1000

__all__ = ["Upload", "ConversationNotFound"]


class ConversationNotFound(DomainError):
    """No such conversation for this user (someone else's looks the same as none)."""


def _pair(a_id: int, b_id: int) -> tuple[int, int]:
    return (a_id, b_id) if a_id < b_id else (b_id, a_id)


def between(a: User, b_id: int) -> Conversation | None:
    low, high = _pair(a.id, b_id)
    return db.session.scalar(select(Conversation).where(Conversation.user_low_id == low, Conversation.user_high_id == high))


def get_for(user: User, conversation_id: int) -> Conversation:
    """A conversation the user is one of the two people in. Raises ConversationNotFound."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not conversation.has(user):
        raise ConversationNotFound("Conversation not found")
    return conversation


def write_problem(author: User, other: User | None) -> str | None:
    """Why `author` can't write to `other` at all, or None."""
    if other is None or other.is_suspended:
        return _("This user can’t receive messages")
    if other.id == author.id:
        return _("You can’t write to yourself")
    if author.is_suspended:
        return _("Your account is suspended: you can’t send messages")
    if blocking.is_blocked(other.id, author.id):
        return _("%(name)s has blocked messages from you", name=other.display_name)
    return None


def _text(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed([FieldIssue("message", _("Enter a message"))])
    if len(value) > MAX_TEXT:
        raise ValidationFailed([FieldIssue("message", _("Enter %(max)s characters or fewer", max=f"{MAX_TEXT:,}"))])
    return value


def have_order_together(a_id: int, b_id: int) -> bool:
    pair = or_(and_(Order.buyer_id == a_id, Order.seller_id == b_id), and_(Order.buyer_id == b_id, Order.seller_id == a_id))
    return db.session.scalar(select(Order.id).where(pair).limit(1)) is not None


def start(author: User, other: User | None, kwork: Kwork | None, text: str, files: list[Upload], now: datetime, *,
          asks_for_offer: bool = False) -> ConversationMessage:
    """Write to someone: into the conversation the two already have, or a new one that started from `kwork`.

    Guards: see `write_problem`; the text is not blank nor longer than the limit; files as in orders.
    Effects: the conversation and its two members when new (two requests at once make one: the pair is unique and
    serialised), then as `post`.
    """
    text = _text(text)
    files = _check_files(list(files), "message_files")
    if problem := write_problem(author, other):
        raise DomainError(problem)
    low, high = _pair(author.id, other.id)
    begin_write()
    locking.serialise(f"conversation:{low}:{high}")
    conversation = between(author, other.id)
    if conversation is None:
        conversation = Conversation(user_low_id=low, user_high_id=high, started_by_id=author.id,
                                    kwork_id=kwork.id if kwork else None, created_at=now)  # fmt: skip
        db.session.add(conversation)
        db.session.flush()  # the pair is unique, and serialised above: a second request finds this one
        db.session.add_all([ConversationMember(conversation_id=conversation.id, user_id=author.id, other_id=other.id),
                            ConversationMember(conversation_id=conversation.id, user_id=other.id, other_id=author.id)])  # fmt: skip
        db.session.flush()
    return _post_locked(author, conversation, text, files, now, locked=False, asks_for_offer=asks_for_offer)


def post(author: User, conversation: Conversation, text: str, files: list[Upload], now: datetime) -> ConversationMessage:
    """Add a message to a conversation the author is in.

    Guards: the author is one of the two; `write_problem` (a blocked buyer can't write); the text as in `start`.
    Effects: the message and its files; the flags of the moderation pre-check when the two have no order together;
    the other member's unread count goes up by one; the conversation's last message, and its first reply when this is
    the other one's first message; a notification (and e-mail) to the other one unless they had one about this
    thread in the last 15 minutes.
    """
    text = _text(text)
    files = _check_files(list(files), "message_files")
    conversation = locking.lock(Conversation, conversation.id)
    if conversation is None or not conversation.has(author):
        db.session.rollback()
        raise ConversationNotFound("Conversation not found")
    return _post_locked(author, conversation, text, files, now, locked=True)


def _post_locked(author: User, conversation: Conversation, text: str, files: list[Upload], now: datetime, *, locked: bool,
                 asks_for_offer: bool = False) -> ConversationMessage:
    if not locked:
        conversation = locking.relock(Conversation, conversation.id)
    other = db.session.get(User, conversation.other_id(author))
    if problem := write_problem(author, other):
        db.session.rollback()
        raise ValidationFailed([FieldIssue("message", problem)])
    message = add_message(conversation, author, other, text, now, files=files, asks_for_offer=asks_for_offer)
    db.session.commit()
    return message


def add_message(conversation: Conversation, author: User, other: User, text: str, now: datetime, *, files: list[Upload] = (),
                asks_for_offer: bool = False, offer_id: int | None = None) -> ConversationMessage:
    """Add a message inside the caller's unit of work (the conversation locked, the author allowed to write): the
    pre-check's flags, files, counters, the conversation's last message and first reply, and a notification (an
    offer's card notifies as an offer instead). The caller commits."""
    flags = []
    if not have_order_together(author.id, other.id):
        with force_locale("en"):  # kept as the rule's message id, shown to admins in their language
            flags = [{"rule": str(flag.rule), "excerpt": flag.excerpt[:200]} for flag in precheck.check_message(text)]
    message = ConversationMessage(conversation_id=conversation.id, author_id=author.id, body=text, created_at=now, flags=flags,
                                  flagged=bool(flags), asks_for_offer=asks_for_offer, offer_id=offer_id)  # fmt: skip
    db.session.add(message)
    for upload in files:
        stored = uploads.store_file(upload.data)
        message.attachments.append(ConversationAttachment(original_name=upload.filename[:200], stored_name=stored, size=len(upload.data)))
    db.session.flush()
    conversation.last_message_id, conversation.last_message_at = message.id, now
    if conversation.first_reply_at is None and author.id != conversation.started_by_id:
        conversation.first_reply_at = now
    db.session.execute(
        update(ConversationMember)
        .where(ConversationMember.conversation_id == conversation.id, ConversationMember.user_id == other.id)
        .values(unread=ConversationMember.unread + 1)
    )
    if offer_id is None:
        _notify(conversation, author, other, now)
    else:
        notifications.notify(other.id, "offer", _l("%(name)s made you an individual offer."),
                             links.path("inbox.show", conversation_id=conversation.id), name=author.display_name)  # fmt: skip
    return message


def _notify(conversation: Conversation, author: User, other: User, now: datetime) -> None:
    """One notification per thread and recipient per EMAIL_EVERY: the claim is one UPDATE, so two messages at once
    notify once."""
    claimed = db.session.execute(
        update(ConversationMember)
        .where(ConversationMember.conversation_id == conversation.id, ConversationMember.user_id == other.id,
               or_(ConversationMember.notified_at.is_(None), ConversationMember.notified_at <= now - EMAIL_EVERY))
        .values(notified_at=now)
    ).rowcount  # fmt: skip
    if claimed:
        notifications.notify(other.id, "new_message", _l("%(name)s sent you a message."),
                             links.path("inbox.show", conversation_id=conversation.id), name=author.display_name)  # fmt: skip


def mark_read(user: User, conversation: Conversation) -> None:
    """The user has seen the thread: their unread count for it goes to zero. Reading it costs one SELECT; only
    when something was unread does it write, in a writing unit of work (on SQLite a read transaction that then
    writes fails with "database is locked" when another request wrote meanwhile)."""
    unread = db.session.scalar(
        select(ConversationMember.unread).where(ConversationMember.conversation_id == conversation.id, ConversationMember.user_id == user.id)
    )  # fmt: skip
    if not unread:
        return
    locking.begin_write()
    result = db.session.execute(
        update(ConversationMember)
        .where(ConversationMember.conversation_id == conversation.id, ConversationMember.user_id == user.id, ConversationMember.unread > 0)
        .values(unread=0)
    )  # fmt: skip
    if result.rowcount:
        db.session.commit()


def unread_total(user_id: int) -> int:
    """Unread messages over all the user's conversations (the header's Inbox count)."""
    return db.session.scalar(_UNREAD_TOTAL, {"user_id": user_id})


def unread_total_query(user_id):
    """The SELECT of `unread_total` (`user_id`: a number or a bound parameter), for a statement that reads it beside
    other counts."""
    return select(func.coalesce(func.sum(ConversationMember.unread), 0)).where(ConversationMember.user_id == user_id)


# Built once: every open tab asks for the header's count each minute (building a SELECT costs about as much CPU as
# running it).
_UNREAD_TOTAL = unread_total_query(bindparam("user_id"))


@dataclass(frozen=True)
class ThreadConversation:
    """What the inbox shows of a conversation: where it links and where the next page starts."""

    id: int
    last_message_at: datetime


@dataclass(frozen=True)
class ThreadPerson:
    id: int
    display_name: str


@dataclass(frozen=True)
class ThreadMessage:
    id: int
    author_id: int
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Thread:
    """One line of the inbox, read as plain rows (an inbox page of ORM objects – four per thread – cost a third of
    its CPU): the conversation, the other person, the last message, the unread count."""

    conversation: ThreadConversation
    other: ThreadPerson
    last: ThreadMessage | None
    unread: int


INBOX_PAGE = 30  # threads per page of the inbox
# Made once: SQLAlchemy remembers how an alias adapts its columns on the alias itself, so an alias made per call is
# adapted again by every request (a tenth of an inbox page's CPU; the compiled statement is cached either way).
_OTHER, _LAST = aliased(User, name="other"), aliased(ConversationMessage, name="last_message")
_LOW, _HIGH = aliased(User, name="low"), aliased(User, name="high")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class InboxCursor:
    """Where the next inbox page starts: the thread shown last (its last message time and id). Kept in the address
    as "<microseconds since the epoch>-<conversation id>", so a new message, which moves its thread to the top,
    never shifts the pages after it (no offset)."""

    at: datetime
    conversation_id: int

    def token(self) -> str:
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}-{self.conversation_id}"

    @classmethod
    def parse(cls, token: str | None) -> "InboxCursor | None":
        """The cursor, or None for anything that is not one (a hand-edited address shows the first page)."""
        micros, _sep, conversation_id = (token or "").partition("-")
        if not (micros.isdigit() and conversation_id.isdigit()) or len(micros) > 18 or len(conversation_id) > 18:
            return None
        try:
            at = _EPOCH + timedelta(microseconds=int(micros))
        except OverflowError:
            return None
        return cls(at, int(conversation_id))


def inbox_page(user: User, search: str | None = None, older: InboxCursor | None = None,
               limit: int | None = None) -> tuple[list[Thread], InboxCursor | None]:  # fmt: skip
    """One page of the user's conversations, newest message first, each with the other person, the last message and
    the unread count, and the cursor of the next (older) page or None; `search` keeps those whose other person's
    name contains it; `older` starts after that thread (keyset pagination). One statement whatever the number of
    threads: it reads one row more than the page to know whether another page follows."""
    params = {"user_id": user.id, "limit": (limit or INBOX_PAGE) + 1}
    if older is not None:
        params |= {"older_at": older.at, "older_id": older.conversation_id}
    if search:
        from . import contains_pattern

        params["pattern"] = contains_pattern(search.lower())
    query = _inbox_statement(older is not None, bool(search))
    threads = [
        Thread(ThreadConversation(row.id, row.last_message_at), ThreadPerson(row.other_id, row.other_name),
               ThreadMessage(row.last_id, row.last_author_id, row.last_body, row.last_created_at) if row.last_id is not None else None,
               row.unread)
        for row in db.session.execute(query, params)
    ]  # fmt: skip
    if len(threads) < params["limit"]:
        return threads, None
    threads = threads[:-1]
    shown_last = threads[-1].conversation
    return threads, InboxCursor(shown_last.last_message_at, shown_last.id)


@cache
def _inbox_statement(older: bool, search: bool):
    """inbox_page's statement for one shape (after a cursor or not, searching or not), built once: every open tab
    polls the inbox. Parameters: `user_id`, `limit` (the page and one more), `older_at` and `older_id`, `pattern`."""
    other, last = _OTHER, _LAST
    query = (
        select(Conversation.id, Conversation.last_message_at, other.id.label("other_id"), other.display_name.label("other_name"),
               last.id.label("last_id"), last.author_id.label("last_author_id"), last.body.label("last_body"),
               last.created_at.label("last_created_at"), ConversationMember.unread)
        .select_from(ConversationMember)
        .join(Conversation, Conversation.id == ConversationMember.conversation_id)
        .join(other, other.id == ConversationMember.other_id)
        .outerjoin(last, last.id == Conversation.last_message_id)
        .where(ConversationMember.user_id == bindparam("user_id"))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(bindparam("limit"))
    )  # fmt: skip
    if older:
        query = query.where(or_(Conversation.last_message_at < bindparam("older_at"),
                                and_(Conversation.last_message_at == bindparam("older_at"), Conversation.id < bindparam("older_id"))))  # fmt: skip
    if search:
        query = query.where(func.lower(other.display_name).like(bindparam("pattern"), escape="\\"))
    # Planned with its values each time, never prepared (webapp/prepared_statements.py): the best plan depends on how
    # many conversations this user has, and the one PostgreSQL kept for any user cost a seller with 1,000 threads
    # 3–5 ms of the server's CPU instead of 0.5.
    return query.execution_options(prepare_on_server=False)


def inbox(user: User, search: str | None = None, limit: int | None = None) -> list[Thread]:
    """The first page of the inbox (see inbox_page)."""
    return inbox_page(user, search, limit=limit)[0]


def page(conversation: Conversation, *, before: int | None = None, after: int | None = None, limit: int = PAGE) -> tuple[list[ConversationMessage], bool]:
    """Messages oldest first: the newest `limit` (before the id `before`, when given), and whether older ones remain;
    or, with `after`, every message after that id (what a poll has not seen yet). Each with its files and its offer
    (_with_files_and_offers)."""
    if after is not None:
        return _with_files_and_offers(list(db.session.scalars(_MESSAGES_AFTER, {"conversation_id": conversation.id, "after": after}))), False
    params = {"conversation_id": conversation.id} if before is None else {"conversation_id": conversation.id, "before": before}
    newest = list(db.session.scalars(_newest_messages(before is not None, limit + 1), params))
    return _with_files_and_offers(list(reversed(newest[:limit]))), len(newest) > limit


def _with_files_and_offers(messages: list[ConversationMessage]) -> list[ConversationMessage]:
    """Fill the messages' attachments and offers, one statement each (none for offers when no message carries one),
    from statements built once. The model loads both by selectin, which SQLAlchemy worked out again on every
    request at about twice the CPU of running the statement; page()'s statements leave them unloaded instead."""
    if not messages:
        return messages
    files: dict[int, list[ConversationAttachment]] = {message.id: [] for message in messages}
    for file in db.session.scalars(_FILES_OF, {"ids": list(files)}):
        files[file.message_id].append(file)
    offer_ids = sorted({message.offer_id for message in messages if message.offer_id is not None})
    offers = {offer.id: offer for offer in db.session.scalars(_OFFERS, {"ids": offer_ids})} if offer_ids else {}
    for message in messages:
        set_committed_value(message, "attachments", files[message.id])
        set_committed_value(message, "offer", offers.get(message.offer_id))
    return messages


# page()'s statements, built once: every open conversation polls every 10 seconds (building a SELECT costs about as
# much CPU as running it). Messages come without their files and offers, which _with_files_and_offers adds.
_UNLOADED = (lazyload(ConversationMessage.attachments), lazyload(ConversationMessage.offer))
_MESSAGES_AFTER = (
    select(ConversationMessage)
    .where(ConversationMessage.conversation_id == bindparam("conversation_id"), ConversationMessage.id > bindparam("after"))
    .order_by(ConversationMessage.id)
    .options(*_UNLOADED)
)  # fmt: skip
_FILES_OF = (
    select(ConversationAttachment).where(ConversationAttachment.message_id.in_(bindparam("ids", expanding=True)))
    .order_by(ConversationAttachment.id)
)  # fmt: skip
_OFFERS = select(Offer).where(Offer.id.in_(bindparam("ids", expanding=True)))


@cache
def _newest_messages(before: bool, limit: int):
    query = select(ConversationMessage).where(ConversationMessage.conversation_id == bindparam("conversation_id")).options(*_UNLOADED)
    if before:
        query = query.where(ConversationMessage.id < bindparam("before"))
    return query.order_by(ConversationMessage.id.desc()).limit(limit)


def attachment_for(user: User, conversation: Conversation, attachment_id: int) -> ConversationAttachment | None:
    found = db.session.get(ConversationAttachment, attachment_id)
    if found is None or not conversation.has(user):
        return None
    message = db.session.get(ConversationMessage, found.message_id)
    return found if message.conversation_id == conversation.id else None


def report(user: User, conversation: Conversation, message_id: int, reason: str | None, now: datetime) -> MessageReport:
    """Report the other person's message to the admins. Guards: the reporter is in the conversation and did not
    write the message; a reason is given. Reporting it again returns the first report."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([FieldIssue("reason", _("Say what is wrong with this message"))])
    if len(reason) > MAX_REASON:
        raise ValidationFailed([FieldIssue("reason", _("Enter %(max)s characters or fewer", max=f"{MAX_REASON:,}"))])
    begin_write()
    message = db.session.get(ConversationMessage, message_id)
    if message is None or message.conversation_id != conversation.id or not conversation.has(user):
        db.session.rollback()
        raise ConversationNotFound("Message not found")
    if message.author_id == user.id:
        db.session.rollback()
        raise DomainError(_("You can’t report your own message"))
    existing = db.session.scalar(select(MessageReport).where(MessageReport.message_id == message.id, MessageReport.reporter_id == user.id))
    if existing is not None:
        db.session.rollback()
        return existing
    found = MessageReport(message_id=message.id, conversation_id=conversation.id, reporter_id=user.id, reason=reason, created_at=now)
    db.session.add(found)
    db.session.commit()
    return found


# --- moderation ----------------------------------------------------------------------------------------------


def open_reports_count() -> int:
    return db.session.scalar(select(func.count(func.distinct(MessageReport.conversation_id))).where(MessageReport.status == "open"))


def reported(limit: int = 100) -> list[tuple[Conversation, User, User, int]]:
    """Conversations with open reports, oldest report first: each with its two people and the number of open reports."""
    low, high = _LOW, _HIGH
    counts = (
        select(MessageReport.conversation_id, func.count().label("reports"), func.min(MessageReport.created_at).label("first"))
        .where(MessageReport.status == "open").group_by(MessageReport.conversation_id).subquery()
    )  # fmt: skip
    query = (
        select(Conversation, low, high, counts.c.reports)
        .join(counts, counts.c.conversation_id == Conversation.id)
        .join(low, low.id == Conversation.user_low_id)
        .join(high, high.id == Conversation.user_high_id)
        .order_by(counts.c.first, Conversation.id)
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]


def flagged(limit: int = 50) -> list[ConversationMessage]:
    """The newest messages the pre-check flagged (contact details, paying outside Gigsmith)."""
    query = select(ConversationMessage).where(ConversationMessage.flagged.is_(True)).order_by(ConversationMessage.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def reports_in(conversation: Conversation) -> list[MessageReport]:
    return list(db.session.scalars(select(MessageReport).where(MessageReport.conversation_id == conversation.id).order_by(MessageReport.id)))


def close_reports(admin: User, conversation_id: int, note: str | None, now: datetime) -> int:
    """An admin has looked at the conversation: its open reports are closed, with an audit entry. Returns how many."""
    conversation = locking.lock(Conversation, conversation_id)
    if conversation is None:
        db.session.rollback()
        raise ConversationNotFound("Conversation not found")
    result = db.session.execute(
        update(MessageReport).where(MessageReport.conversation_id == conversation.id, MessageReport.status == "open")
        .values(status="closed", closed_at=now, closed_by_id=admin.id)
    )  # fmt: skip
    audit.record(admin, "conversation.close_reports", conversation, before={"open_reports": result.rowcount}, after={"open_reports": 0},
                 reason=(note or "").strip()[:MAX_REASON])  # fmt: skip
    db.session.commit()
    return result.rowcount


# --- response time ------------------------------------------------------------------------------------------


def response_time(user_id: int, now: datetime) -> timedelta | None:
    """The median time the user took to answer the first message of conversations others started with them in the
    last 30 days (a thread they never answered counts up to now); None when nobody wrote to them in that time.

    The median is found in the database, in one statement whatever the number of threads: the waits numbered in
    sort order, and the middle one or two of them read back – not a thousand rows turned into Python datetimes."""
    statement = _response_time_statement(db.engine.dialect.name)
    middle = [float(seconds) for seconds in db.session.scalars(statement, {"user_id": user_id, "now": now, "since": now - RESPONSE_WINDOW})]
    if not middle:
        return None
    return timedelta(seconds=round(sum(middle) / len(middle), 3))  # SQLite's julianday counts milliseconds


@cache
def _response_time_statement(dialect: str):
    """response_time's SELECT, built once per database kind: the kwork page and the seller's profile run it, and
    building it cost more CPU than running it (a subquery, two window functions)."""
    user_id, now = bindparam("user_id"), bindparam("now", type_=UTCDateTime())
    wait = _seconds_between(func.coalesce(Conversation.first_reply_at, now), Conversation.created_at, dialect)
    numbered = select(
        wait.label("wait"), func.row_number().over(order_by=wait).label("n"), func.count().over().label("total")
    ).where(
        or_(Conversation.user_low_id == user_id, Conversation.user_high_id == user_id),
        Conversation.started_by_id != user_id,
        Conversation.created_at >= bindparam("since"),
    ).subquery()  # fmt: skip
    return select(numbered.c.wait).where(numbered.c.n.in_([(numbered.c.total + 1) // 2, (numbered.c.total + 2) // 2]))


def _seconds_between(later, earlier, dialect: str):
    """`later - earlier` in seconds, as SQL: PostgreSQL's epoch of the interval, SQLite's Julian-day difference."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0
