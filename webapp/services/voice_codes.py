"""One-time codes spoken in a phone call (NIST SP 800-63B / OWASP ASVS out-of-band verifier).

Six digits derived from a random token (`secrets`, see voice.code_for), stored hashed, single use, valid 10 minutes, at most 5 wrong attempts; at most
3 calls per user per hour and 10 per number per day (toll-fraud protection), 60 seconds between calls. The web
request only queues the call: an RQ job generates the code, stores its hash and places the call, so the code
never passes through the web process. Every request, call, attempt and outcome is a SecurityEvent.
"""
from datetime import datetime, timedelta

import phonenumbers
from flask_babel import force_locale, get_locale
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import links
from ..adapters import voice
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import SecurityEvent, User, VoiceCode
from ..queue import after_commit
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from ..texts import ngettext
from . import locking, notifications

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
USER_CALLS_PER_HOUR = 3
PHONE_CALLS_PER_DAY = 10
COOLDOWN = timedelta(seconds=60)
ACTIVE = ("queued", "calling", "answered")


def parse_phone(text: str, field: str = "phone") -> str:
    """Any country's number in international form, returned as E.164 ("+447911123456")."""
    try:
        number = phonenumbers.parse((text or "").strip(), None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationFailed([FieldIssue(field, _("Enter a phone number with its country code, like %(example)s", example="+44 20 7946 0958"))])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    if not e164:
        return ""
    return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def page_language() -> str:
    """The language the current page speaks ("ru"); "en" outside a request. A code call speaks it too."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def language_for(user_id: int | None, locale: str | None = None) -> str:
    """The language to write a user's security activity in: the call's, else the user's own, else the page's."""
    if locale:
        return locale
    user = db.session.get(User, user_id) if user_id is not None else None
    return (user.language if user is not None and user.language else None) or page_language()


def record(user_id: int | None, kind: str, detail, now: datetime, /, *, locale: str | None = None, **params) -> None:
    """A security event. `detail` is a message marked with lazy_gettext, its %(name)s placeholders filled from
    `params`, written in the user's language (see language_for) even when a job or a webhook records it."""
    with force_locale(language_for(user_id, locale)):
        text = str(detail) % params if params else str(detail)
    db.session.add(SecurityEvent(user_id=user_id, kind=kind, detail=text, created_at=now))


def latest(user: User, purpose: str) -> VoiceCode | None:
    return db.session.scalar(
        select(VoiceCode).where(VoiceCode.user_id == user.id, VoiceCode.purpose == purpose).order_by(VoiceCode.id.desc()).limit(1)
    )


def next_call_allowed_at(user: User, phone: str, now: datetime) -> datetime | None:
    """When this user may ask for another call to `phone`, or None if they may now."""
    recent = list(
        db.session.scalars(
            select(VoiceCode.created_at).where(VoiceCode.user_id == user.id, VoiceCode.created_at > now - timedelta(hours=1))
            .order_by(VoiceCode.created_at)
        )
    )
    waits = []
    if recent:
        waits.append(recent[-1] + COOLDOWN)
    if len(recent) >= USER_CALLS_PER_HOUR:
        waits.append(recent[-USER_CALLS_PER_HOUR] + timedelta(hours=1))
    per_phone = list(
        db.session.scalars(
            select(VoiceCode.created_at).where(VoiceCode.phone == phone, VoiceCode.created_at > now - timedelta(days=1))
            .order_by(VoiceCode.created_at)
        )
    )
    if len(per_phone) >= PHONE_CALLS_PER_DAY:
        waits.append(per_phone[-PHONE_CALLS_PER_DAY] + timedelta(days=1))
    later = [w for w in waits if w > now]
    return max(later) if later else None


def request_call(user: User, phone: str, purpose: str, locale: str, now: datetime) -> VoiceCode:
    """Queue a code call to `phone` (E.164) for `purpose` "phone". Refused inside the cooldown and beyond the
    hourly/daily limits (CallLimited, with the refusal recorded). A payout code is asked for through
    `payouts.request_code_call`, which ties it to the pending change."""
    user = locking.lock(User, user.id)
    try:
        code = queue_call(user, phone, purpose, locale, now)
    finally:
        db.session.commit()  # the call, or the refusal in the security activity
    return code


def queue_call(user: User, phone: str, purpose: str, locale: str, now: datetime, *, payout_change_id: int | None = None) -> VoiceCode:
    """Inside a unit of work that locked `user`: check the limits and queue the call (the caller commits).

    The user's row lock makes the cooldown and the hourly limit one decision per user however many requests
    arrive together; a lock on the number's name does the same for its daily limit across users. Raises CallLimited
    (after recording the refusal) when a limit stands. An older code for the same purpose stops working.
    """
    locking.serialise(f"voice-call-to:{phone}")
    wait_until = next_call_allowed_at(user, phone, now)
    if wait_until is not None:
        record(user.id, "call_refused", _l("Call limit reached for %(phone)s"), now, phone=display_phone(phone))
        raise CallLimited(wait_until)
    cancel_codes(user, purpose)
    code = VoiceCode(user_id=user.id, purpose=purpose, phone=phone, locale=locale, status="queued", created_at=now,
                     payout_change_id=payout_change_id)  # fmt: skip
    db.session.add(code)
    db.session.flush()
    record(user.id, "call_requested", _l("Code call requested to %(phone)s"), now, phone=display_phone(phone))
    after_commit(db.session(), "jobs.voice.place_code_call", code.id)
    return code


def cancel_codes(user: User, purpose: str) -> None:
    """Every code of the user's for `purpose` that could still be entered stops working (inside the caller's unit of
    work)."""
    db.session.execute(
        VoiceCode.__table__.update()
        .where(VoiceCode.user_id == user.id, VoiceCode.purpose == purpose, VoiceCode.status.in_(ACTIVE))
        .values(status="cancelled")
    )


class CallLimited(DomainError):
    def __init__(self, until: datetime):
        self.until = until
        super().__init__(_("You can request a new call a little later"))


def place_call(code_id: int, now: datetime) -> VoiceCode | None:
    """The job: generate the code, keep only its hash, and have the voice backend call the number. A code no longer
    queued (cancelled by a newer one, or placed already by a job run twice) is left alone."""
    code = locking.lock(VoiceCode, code_id)
    if code is None or code.status != "queued":
        db.session.rollback()
        return None
    # The digits come from a random opaque token (voice.code_for), which the repeat URL carries instead of them.
    code.repeat_token = voice.new_repeat_token()
    digits = voice.code_for(code.repeat_token)
    code.code_hash = generate_password_hash(digits)
    code.expires_at = now + CODE_TTL
    try:
        code.call_sid = voice.caller().place_code_call(code.phone, digits, code.locale, code.repeat_token)
    except Exception as error:  # the provider refused or is unreachable: the user can ask again
        code.status = "failed"
        record(code.user_id, "call_failed", _l("The call to %(phone)s could not be placed (%(error)s)"), now,
               locale=code.locale, phone=display_phone(code.phone), error=type(error).__name__)
    else:
        # The sandbox has no phone to ring: its calls count as answered at once.
        code.status = "answered" if voice.is_sandbox() else "calling"
        record(code.user_id, "call_placed", _l("Code call placed to %(phone)s"), now, locale=code.locale, phone=display_phone(code.phone))
        notifications.notify(code.user_id, "voice_code_call", _l("We called %(phone)s with your confirmation code."),
                             links.path("account.security"), phone=display_phone(code.phone))
    db.session.commit()
    return code


def code_to_repeat(repeat_token: str, now: datetime) -> VoiceCode | None:
    """The code a caller asked to hear again ("press 1"), while it can still be entered; else None."""
    code = db.session.scalar(select(VoiceCode).where(VoiceCode.repeat_token == repeat_token))
    if code is None or code.status not in ACTIVE or code.expires_at is None or code.expires_at <= now:
        return None
    return code


def update_call_status(call_sid: str, provider_status: str, now: datetime) -> None:
    """A status callback from Twilio (the signature was checked by the webhook)."""
    found = db.session.scalar(select(VoiceCode.id).where(VoiceCode.call_sid == call_sid))
    code = locking.lock(VoiceCode, found)
    if code is not None and code.status in ("calling", "answered"):
        if provider_status in ("in-progress", "answered", "completed"):
            code.status = "answered"
        elif provider_status in ("busy", "failed", "no-answer", "canceled"):
            code.status = "failed"
            record(code.user_id, "call_failed", _l("The call was not answered (%(status)s)"), now, locale=code.locale, status=provider_status)
    db.session.commit()


def verify(user: User, purpose: str, entered: str, now: datetime) -> VoiceCode:
    """Check a typed code against the user's latest call for `purpose` "phone"; single use, 10 minutes, 5 attempts.

    Effects: a confirmed phone becomes the user's; every attempt and outcome is recorded, wrong ones too (they are
    committed before the error is raised). Payout codes are checked by `payouts.confirm`.
    """
    user = locking.lock(User, user.id)
    try:
        code = check_code(user, purpose, entered, now)
    except ValidationFailed:
        db.session.commit()  # the attempt counts, and the security activity shows it
        raise
    if purpose == "phone":
        user.phone, user.phone_verified_at = code.phone, now
    db.session.commit()
    return code


def _active(code: VoiceCode | None) -> bool:
    return code is not None and code.status in ("calling", "answered") and code.code_hash is not None


def check_code(user: User, purpose: str, entered: str, now: datetime, *, payout_change_id: int | None = None) -> VoiceCode:
    """Inside a unit of work that locked `user`: spend one attempt on the user's latest code for `purpose` and
    confirm it when `entered` matches (the caller commits, also when this raises).

    The attempt is one conditional UPDATE … RETURNING: it counts only while the code is live, unexpired and under
    MAX_ATTEMPTS, so the fifth wrong guess ends the code however many guesses arrive at once. A payout code
    confirms only the change it was issued for.
    """
    code = latest(user, purpose)
    entered = "".join((entered or "").split())
    if not _active(code) or (purpose == "payout" and code.payout_change_id != payout_change_id):
        raise ValidationFailed([FieldIssue("code", _("There is no code waiting: request a call first"))])
    if now > code.expires_at:
        _set_status(code, "expired")
        record(user.id, "code_expired", _l("A code was entered after it expired"), now)
        raise ValidationFailed([FieldIssue("code", _("The code has expired. Request a new call"))])
    if not (entered.isdigit() and len(entered) == 6):
        raise ValidationFailed([FieldIssue("code", _("Enter the %(digits)s digits you heard in the call", digits=6))])
    table = VoiceCode.__table__
    attempts = db.session.execute(
        table.update()
        .where(table.c.id == code.id, table.c.status.in_(("calling", "answered")), table.c.attempts < MAX_ATTEMPTS,
               table.c.expires_at >= now)
        .values(attempts=table.c.attempts + 1)
        .returning(table.c.attempts)
    ).scalar()
    if attempts is None:  # used up or ended by a request that held the lock before this one
        raise ValidationFailed([FieldIssue("code", _("There is no code waiting: request a call first"))])
    db.session.expire(code)
    if check_password_hash(code.code_hash, entered):
        if not _set_status(code, "confirmed", confirmed_at=now):
            raise ValidationFailed([FieldIssue("code", _("There is no code waiting: request a call first"))])
        record(user.id, "code_confirmed", _l("Code confirmed for %(phone)s"), now, phone=display_phone(code.phone))
        return code
    left = MAX_ATTEMPTS - attempts
    if left <= 0:
        _set_status(code, "cancelled")
        record(user.id, "code_locked", _l("Too many wrong codes: the code was cancelled"), now)
        raise CodeLocked([FieldIssue("code", _("Too many wrong codes. Request a new call"))])
    with force_locale(language_for(user.id)):
        detail = ngettext("A wrong code was entered (%(num)d attempt left)", "A wrong code was entered (%(num)d attempts left)", left)
    record(user.id, "code_wrong", detail, now)
    raise ValidationFailed([FieldIssue("code", ngettext("The code is not correct. You have %(num)d attempt left",
                                                        "The code is not correct. You have %(num)d attempts left", left))])  # fmt: skip


class CodeLocked(ValidationFailed):
    """This attempt was the last one allowed: the code is cancelled."""


def _set_status(code: VoiceCode, status: str, **values) -> bool:
    """Move a live code to `status` with one conditional UPDATE; False when it was no longer live."""
    table = VoiceCode.__table__
    moved = db.session.execute(
        table.update()
        .where(table.c.id == code.id, table.c.status.in_(ACTIVE))
        .values(status=status, **values)
    ).rowcount
    db.session.expire(code)
    return moved == 1


def expire(code_id: int, now: datetime) -> None:
    """Tidy-up job at the end of a code's life; expiry is also checked whenever a code is entered."""
    code = locking.lock(VoiceCode, code_id)
    if code is not None and code.status in ACTIVE and code.expires_at is not None and now >= code.expires_at:
        code.status = "expired"
    db.session.commit()


def add_phone(user: User, text: str, locale: str, now: datetime) -> VoiceCode:
    """A new number is usable only after a code spoken to it is confirmed; the old one stays until then."""
    phone = parse_phone(text)
    return request_call(user, phone, "phone", locale, now)


def security_activity(user: User, limit: int = 50) -> list[SecurityEvent]:
    return list(
        db.session.scalars(
            select(SecurityEvent).where(SecurityEvent.user_id == user.id).order_by(SecurityEvent.id.desc()).limit(limit)
        )
    )

