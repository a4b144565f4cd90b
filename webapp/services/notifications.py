"""The notification centre: what a user must know or act on, kept until they mark it read, and e-mailed unless
they opted out of that kind.

`notify` adds a row inside the caller's unit of work and queues the e-mail for after the commit, so a change
that rolls back tells nobody. The e-mail job looks at the opt-outs when it runs (the latest choice wins).
Timer warnings are timers of their own (services.timers schedules a "warn_<kind>" one 24 hours before each
auto-cancel or auto-completion); their handlers here only notify.
"""
import hashlib
from datetime import datetime
from functools import cache

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import bindparam, func, insert, select, update

from .. import clock, links
from ..adapters import mail
from ..domain.errors import DomainError
from ..domain.notifications import KINDS
from ..extensions import db
from ..i18n import DEFAULT as DEFAULT_LANGUAGE
from ..models import CancellationRequest, EmailOptOut, ExtensionRequest, Notification, Order, OrderEvent, Timer, User
from ..queue import MAIL_QUEUE, after_commit, after_commit_for, after_commit_each
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import begin_write, bulk, locking, timers

LIST_LIMIT = 100


class NotificationNotFound(DomainError):
    """No such notification for this user (someone else's looks the same as none)."""


def notify(user_id: int, kind: str, text, url: str = "", *, order_id: int | None = None, **params) -> Notification:
    """Add a notification inside the caller's unit of work (the caller commits with the change it reports).

    `text` is a message marked for translation (`lazy_gettext`) with `%(name)s` placeholders filled from
    `params`; it is written in the recipient's language, not in the language of whoever caused it.
    Effects: the row, and an e-mail job enqueued only once that transaction commits.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    recipient = db.session.get(User, user_id)
    with force_locale(recipient.language or DEFAULT_LANGUAGE):
        rendered = str(text) % params if params else str(text)
    notification = Notification(user_id=user_id, kind=kind, text=rendered, url=url, order_id=order_id)
    db.session.add(notification)
    after_commit_for(db.session(), notification, "jobs.mail.send_notification_email", queue=MAIL_QUEUE)
    return notification


def notify_many(kind: str, url: str, texts: dict[int, str]) -> list[int]:
    """The same kind of news for many users at once (the daily levels job), inside the caller's unit of work.

    `texts` maps each recipient's id to their text, already written in their language (the caller knows it; no
    user is read here). Effects: the rows in one INSERT, and one outbox job that e-mails them all once the
    transaction commits (`jobs.mail.send_notification_emails`; each e-mail is still sent at most once).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not texts:
        return []
    created_at = clock.now()
    # An executemany without RETURNING, then the new ids in one SELECT: one statement each way on every database
    # (SQLite's driver would otherwise insert row by row to learn the ids).
    db.session.execute(insert(Notification), [
        {"user_id": user_id, "kind": kind, "text": text, "url": url, "created_at": created_at} for user_id, text in texts.items()
    ])  # fmt: skip
    ids = list(db.session.scalars(
        select(Notification.id).where(Notification.user_id.in_(texts), Notification.kind == kind,
                                      Notification.created_at == created_at, Notification.emailed_at.is_(None))
        .order_by(Notification.id)
    ))  # fmt: skip
    after_commit(db.session(), "jobs.mail.send_notification_emails", ids, queue=MAIL_QUEUE)
    return ids


def notify_about(order: Order, user_id: int, kind: str, text, /, **params) -> Notification:
    """A notification that links to the order it is about."""
    return notify(user_id, kind, text, links.path("orders.show", order_id=order.id), order_id=order.id, **params)


def notify_about_all(kind: str, text, notices: list[tuple[int, int]]) -> list[int]:
    """`notify_about(order, user_id, kind, text, id=order_id)` for each (order id, user id) of `notices` (a timer
    batch's news), with a fixed number of statements however many: the recipients' languages in one SELECT, the
    rows in one INSERT, and their e-mail jobs as `notify` queues them (one job for the whole batch inside
    `queue.one_job_per_batch`). Each text is written in its recipient's language. Returns the new rows' ids."""
    if not notices:
        return _insert_all(kind, text, [])
    urls = links.paths("orders.show", "order_id", sorted({order_id for order_id, _user_id in notices}))
    return _insert_all(kind, text, [(user_id, urls[order_id], {"id": order_id}, order_id) for order_id, user_id in notices])


def notify_all(kind: str, text, notices: list[tuple[int, str, dict]]) -> list[int]:
    """`notify(user_id, kind, text, url, **params)` for each (user id, url, params) of `notices` (a timer batch's
    news about rows that are not orders, e.g. offers expiring), with a fixed number of statements however many: the
    recipients' languages in one SELECT, the rows in one INSERT, and their e-mail jobs as `notify` queues them.
    Each text is written in its recipient's language. Returns the new rows' ids."""
    return _insert_all(kind, text, [(user_id, url, params, None) for user_id, url, params in notices])


def _insert_all(kind: str, text, notices: list[tuple[int, str, dict, int | None]]) -> list[int]:
    """The rows of `notify_all` and `notify_about_all`: one per (user id, url, params, order id), its text in the
    recipient's language (a lazy text is rendered once per language, then filled with each row's params)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not notices:
        return []
    recipients = {notice[0] for notice in notices}
    languages = dict(db.session.execute(select(User.id, User.language).where(bulk.among(User.id, recipients))).all())
    templates = {}
    for language in {languages.get(user_id) or DEFAULT_LANGUAGE for user_id in recipients}:
        with force_locale(language):  # once per language: the texts differ only by their params
            templates[language] = str(text)
    created_at = clock.now()
    table = Notification.__table__
    rows = []
    for user_id, url, params, order_id in notices:
        template = templates[languages.get(user_id) or DEFAULT_LANGUAGE]
        rows.append({"user_id": user_id, "kind": kind, "text": template % params if params else template, "url": url,
                     "order_id": order_id, "created_at": created_at})  # fmt: skip
    ids = list(bulk.insert_rows(table, rows, returning=(table.c.id,)).scalars())
    after_commit_each(db.session(), "jobs.mail.send_notification_email", sorted(ids), queue=MAIL_QUEUE)
    return ids


def recent(user: User, limit: int = LIST_LIMIT) -> list[Notification]:
    """The user's notifications, newest first (the most recent `limit`)."""
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def unread_count(user_id: int) -> int:
    return db.session.scalar(_unread_count(user_id))


def _unread_count(user_id: int):
    return select(func.count()).select_from(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))


@cache
def _header_counts_statement():
    """header_counts' SELECT, built once (every signed-in page runs it; see services/sessions._USER_WITH_SESSION)."""
    from .conversations import unread_total_query  # here: conversations imports this module

    user_id = bindparam("user_id")
    return select(unread_total_query(user_id).scalar_subquery(), _unread_count(user_id).scalar_subquery())


def header_counts(user_id: int) -> tuple[int, int]:
    """What a signed-in page's header shows: the user's unread messages over all their conversations (the Inbox
    count, as services.conversations.unread_total) and their unread notifications (the bell), in one statement."""
    row = db.session.execute(_header_counts_statement(), {"user_id": user_id}).one()
    return int(row[0]), int(row[1])


def mark_read(user: User, notification_id: int, now: datetime) -> Notification:
    """Mark one of the user's notifications read (marking it again keeps the first time). Raises NotificationNotFound."""
    begin_write()
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        db.session.rollback()
        raise NotificationNotFound("Notification not found")
    if notification.read_at is None:
        notification.read_at = now
    db.session.commit()
    return notification


def mark_all_read(user: User, now: datetime) -> int:
    """Mark every unread notification of the user read; returns how many there were."""
    begin_write()
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    db.session.commit()
    return result.rowcount


def emailed_kinds(user: User) -> set[str]:
    """The kinds the user gets e-mail for: every kind they have not opted out of."""
    opted_out = set(db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id)))
    return set(KINDS) - opted_out


def set_emailed_kinds(user: User, kinds: set[str]) -> None:
    """Keep e-mail for `kinds` and opt out of every other kind (unknown kinds are ignored)."""
    begin_write()
    db.session.query(EmailOptOut).filter(EmailOptOut.user_id == user.id).delete()
    db.session.add_all(EmailOptOut(user_id=user.id, kind=kind) for kind in KINDS if kind not in kinds)
    db.session.commit()


def send_email(notification_id: int) -> bool:
    """The job: e-mail one notification through the mail adapter, unless its user opted out of that kind.

    Returns whether a message went out. A failing SMTP server raises, and RQ retries the job.
    """
    # Locked, so that two runs of one job (handed over again by the outbox sweep) send it once.
    notification = locking.lock(Notification, notification_id)
    if notification is None or notification.emailed_at is not None:
        db.session.rollback()
        return False
    user = db.session.get(User, notification.user_id)
    opted_out = db.session.get(EmailOptOut, (user.id, notification.kind)) is not None
    if opted_out:
        db.session.rollback()
        return False
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    # Written in the recipient's language (the notification's text already is), whoever's request queued it.
    with force_locale(user.language or DEFAULT_LANGUAGE):
        lines = [_("Hello %(name)s,", name=user.display_name), "", notification.text, ""]
        if notification.url:
            lines += [_("Open it: %(url)s", url=f"{base}{notification.url}"), ""]
        settings_url = f"{base}{links.path('notifications.settings')}"
        lines += ["—", "Gigsmith", _("Choose which e-mails you get: %(url)s", url=settings_url)]
        subject = _("Gigsmith: %(summary)s", summary=_first_sentence(notification.text))
    mail.mailer().send(user.email, subject, "\n".join(lines))
    notification.emailed_at = clock.now()
    db.session.commit()  # the sandbox keeps its copy in this transaction
    return True


def _first_sentence(text: str, limit: int = 120) -> str:
    sentence = text.split(". ", 1)[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def order_version(order: Order) -> str:
    """A short fingerprint of what the order page's summary and status show; it changes when any of it does.

    Polling compares it with the one the page was rendered with, so nothing is re-sent or re-announced unless
    something happened (a state change, a cancellation or extension request or its answer, a pause, a new deadline).
    """
    def newest(column, model):
        return select(column).where(model.order_id == order.id).order_by(model.id.desc()).limit(1).scalar_subquery()

    # One round trip: every order page and every 20-second poll asks.
    last_event, cancellation_id, cancellation_status, extension_id, extension_status = db.session.execute(
        select(
            select(func.max(OrderEvent.id)).where(OrderEvent.order_id == order.id).scalar_subquery(),
            newest(CancellationRequest.id, CancellationRequest), newest(CancellationRequest.status, CancellationRequest),
            newest(ExtensionRequest.id, ExtensionRequest), newest(ExtensionRequest.status, ExtensionRequest),
        )
    ).one()  # fmt: skip
    last_cancellation = (cancellation_id, cancellation_status) if cancellation_id is not None else ()
    last_extension = (extension_id, extension_status) if extension_id is not None else ()
    return _fingerprint(order, last_event, last_cancellation, last_extension)


def loaded_order_version(order: Order, last_event_id: int | None) -> str:
    """`order_version` from what the order page has already read – its history's last event, the order's
    cancellation and extension requests (loaded with it, in id order) – instead of a statement of its own. The
    same facts, so the page and the poll agree."""
    cancellation = order.cancellation_requests[-1] if order.cancellation_requests else None
    extension = order.extension_requests[-1] if order.extension_requests else None
    return _fingerprint(order, last_event_id, (cancellation.id, cancellation.status) if cancellation else (),
                        (extension.id, extension.status) if extension else ())  # fmt: skip


def _fingerprint(order: Order, last_event, last_cancellation: tuple, last_extension: tuple) -> str:
    facts = (order.state, last_event, last_cancellation, last_extension, order.deadline_at,
             order.pause_requested_at, order.paused_at, order.revisions_used)  # fmt: skip
    return hashlib.sha1(repr(facts).encode()).hexdigest()[:12]


# --- timer warnings: 24 hours before an order is cancelled or completed automatically -------------------------

@timers.batch_handler("warn_auto_complete")
def _warn_auto_complete(fired: timers.Fired, now: datetime) -> None:
    still_coming = coming(fired, now)
    notify_about_all("timer_warning", _l("Order #%(id)s will be completed automatically within 24 hours and the payment released to "
                                         "the seller. Accept the work or ask for a revision before then."),
                     [(order.id, order.buyer_id) for timer, order in fired if timer.id in still_coming])  # fmt: skip


@timers.batch_handler("warn_cancel_request_deadline")
def _warn_unanswered_cancellation(fired: timers.Fired, now: datetime) -> None:
    still_coming = coming(fired, now)
    answering = []
    for timer, order in fired:
        target = still_coming.get(timer.id)
        cancellation = order.cancellation(target.ref_id) if target else None  # read with the locked order (timers.fire_many)
        if cancellation is not None and cancellation.status == "open":
            answering.append((order.id, order.seller_id if cancellation.initiator_role == "buyer" else order.buyer_id))
    notify_about_all("timer_warning", _l("Order #%(id)s will be cancelled within 24 hours unless you answer the cancellation request."),
                     answering)  # fmt: skip


@timers.batch_handler("warn_info_deadline")
def _warn_missing_information(fired: timers.Fired, now: datetime) -> None:
    still_coming = coming(fired, now)
    notify_about_all("timer_warning", _l("Order #%(id)s will be cancelled within 24 hours unless you send the information the seller "
                                         "asked for."),
                     [(order.id, order.buyer_id) for timer, order in fired if timer.id in still_coming])  # fmt: skip


def coming(warnings: timers.Fired, now: datetime) -> dict[int, Timer]:
    """warning's id → the timer it warns about, for those still scheduled and not yet due (a late sweep must not
    warn of the past): one query for the whole batch."""
    targets = {warning.ref_id: warning.id for warning, _order in warnings if warning.ref_id is not None}
    if not targets:
        return {}
    query = select(Timer).where(Timer.id.in_(targets), Timer.state == "scheduled", Timer.due_at > now)
    return {targets[target.id]: target for target in db.session.scalars(query)}
