"""One-time codes spoken in a phone call (NIST SP 800-63B / OWASP ASVS out-of-band verifier).

Six random digits from `secrets`, stored hashed, single use, valid 10 minutes, at most 5 wrong attempts; at most
3 calls per user per hour and 10 per number per day (toll-fraud protection), 60 seconds between calls. The web
request only queues the call: an RQ job generates the code, stores its hash and places the call, so the code
never passes through the web process. Every request, call, attempt and outcome is a SecurityEvent.
"""
import secrets
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import links
from ..adapters import voice
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import SecurityEvent, User, VoiceCode
from ..queue import after_commit
from . import begin_write, notifications

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
        raise ValidationFailed([FieldIssue(field, "Enter a phone number with its country code, like +44 20 7946 0958")])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    if not e164:
        return ""
    return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def record(user_id: int | None, kind: str, detail: str, now: datetime) -> None:
    db.session.add(SecurityEvent(user_id=user_id, kind=kind, detail=detail, created_at=now))


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
    """Queue a code call to `phone` (E.164). Refused inside the cooldown and beyond the hourly/daily limits."""
    begin_write()
    wait_until = next_call_allowed_at(user, phone, now)
    if wait_until is not None:
        record(user.id, "call_refused", f"Call limit reached for {display_phone(phone)}", now)
        db.session.commit()
        raise CallLimited(wait_until)
    db.session.execute(
        VoiceCode.__table__.update()
        .where(VoiceCode.user_id == user.id, VoiceCode.purpose == purpose, VoiceCode.status.in_(ACTIVE))
        .values(status="cancelled")
    )
    code = VoiceCode(user_id=user.id, purpose=purpose, phone=phone, locale=locale, status="queued", created_at=now)
    db.session.add(code)
    db.session.flush()
    record(user.id, "call_requested", f"Code call requested to {display_phone(phone)}", now)
    after_commit(db.session(), None, "jobs.voice.place_code_call", code.id, job_id=f"voice-call-{code.id}")
    db.session.commit()
    return code


class CallLimited(DomainError):
    def __init__(self, until: datetime):
        self.until = until
        super().__init__("You can request a new call a little later")


def place_call(code_id: int, now: datetime) -> VoiceCode | None:
    """The job: generate the code, keep only its hash, and have the voice backend call the number."""
    begin_write()
    code = db.session.get(VoiceCode, code_id)
    if code is None or code.status != "queued":
        db.session.rollback()
        return None
    digits = f"{secrets.randbelow(10**6):06d}"
    code.code_hash = generate_password_hash(digits)
    code.expires_at = now + CODE_TTL
    try:
        code.call_sid = voice.caller().place_code_call(code.phone, digits, code.locale)
    except Exception as error:  # the provider refused or is unreachable: the user can ask again
        code.status = "failed"
        record(code.user_id, "call_failed", f"The call to {display_phone(code.phone)} could not be placed ({type(error).__name__})", now)
    else:
        # The sandbox has no phone to ring: its calls count as answered at once.
        code.status = "answered" if voice.is_sandbox() else "calling"
        record(code.user_id, "call_placed", f"Code call placed to {display_phone(code.phone)}", now)
        notifications.notify(code.user_id, "voice_code_call", f"We called {display_phone(code.phone)} with your confirmation code.", links.path("account.security"))
    db.session.commit()
    return code


def update_call_status(call_sid: str, provider_status: str, now: datetime) -> None:
    """A status callback from Twilio (the signature was checked by the webhook)."""
    begin_write()
    code = db.session.scalar(select(VoiceCode).where(VoiceCode.call_sid == call_sid))
    if code is not None and code.status in ("calling", "answered"):
        if provider_status in ("in-progress", "answered", "completed"):
            code.status = "answered"
        elif provider_status in ("busy", "failed", "no-answer", "canceled"):
            code.status = "failed"
            record(code.user_id, "call_failed", f"The call was not answered ({provider_status})", now)
    db.session.commit()


def verify(user: User, purpose: str, entered: str, now: datetime) -> VoiceCode:
    """Check a typed code against the user's latest call for `purpose`; single use, 10 minutes, 5 attempts."""
    begin_write()
    code = latest(user, purpose)
    entered = "".join((entered or "").split())
    if code is None or code.status not in ("calling", "answered") or code.code_hash is None:
        raise ValidationFailed([FieldIssue("code", "There is no code waiting: request a call first")])
    if now > code.expires_at:
        code.status = "expired"
        record(user.id, "code_expired", "A code was entered after it expired", now)
        db.session.commit()
        raise ValidationFailed([FieldIssue("code", "The code has expired. Request a new call")])
    if not (entered.isdigit() and len(entered) == 6):
        raise ValidationFailed([FieldIssue("code", "Enter the 6 digits you heard in the call")])
    code.attempts += 1
    if not check_password_hash(code.code_hash, entered):
        left = MAX_ATTEMPTS - code.attempts
        if left <= 0:
            code.status = "cancelled"
            record(user.id, "code_locked", "Too many wrong codes: the code was cancelled", now)
            message = "Too many wrong codes. Request a new call"
        else:
            record(user.id, "code_wrong", f"A wrong code was entered ({left} attempts left)", now)
            message = f"The code is not correct. You have {left} {'attempt' if left == 1 else 'attempts'} left"
        db.session.commit()
        raise ValidationFailed([FieldIssue("code", message)])
    code.status, code.confirmed_at = "confirmed", now
    record(user.id, "code_confirmed", f"Code confirmed for {display_phone(code.phone)}", now)
    if purpose == "phone":
        user.phone, user.phone_verified_at = code.phone, now
    db.session.commit()
    return code


def expire(code_id: int, now: datetime) -> None:
    """Tidy-up job at the end of a code's life; expiry is also checked whenever a code is entered."""
    begin_write()
    code = db.session.get(VoiceCode, code_id)
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

