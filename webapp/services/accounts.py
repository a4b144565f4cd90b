"""Accounts: registration, authentication, profile, the buyer/seller role switch, and admins' account actions."""
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import User
from ..models.accounts import ROLES
from . import audit, begin_write, contains_pattern, ledger, locking

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a login takes as long whether or not the account exists.
_DUMMY_HASH = _hasher.hash("not a real password")

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register(email: str, display_name: str, password: str) -> User:
    """Create an account (acting as buyer first). Refuses a taken e-mail or a short password."""
    begin_write()
    email = normalise_email(email)
    issues = []
    if len(password) < MIN_PASSWORD_LENGTH:
        issues.append(FieldIssue("password", _("Password must be at least %(min)s characters", min=MIN_PASSWORD_LENGTH)))
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        issues.append(FieldIssue("email", _("An account with this email address already exists – log in instead")))
    if issues:
        raise ValidationFailed(issues)
    user = User(email=email, display_name=display_name.strip(), password_hash=_hasher.hash(password))
    db.session.add(user)
    db.session.flush()
    ledger.account(ledger.wallet_code(user.id), user_id=user.id)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose e-mail and password match, else None (without saying which part was wrong)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user


def update_profile(
    user: User, *, display_name: str, about: str, working_hours: str, accepting_orders: bool, timezone: str | None = None
) -> User:
    begin_write()
    user.display_name = display_name.strip()
    if timezone is not None:
        user.timezone = timezone
    user.about = about.strip()
    user.working_hours = working_hours.strip()
    user.accepting_orders = accepting_orders
    db.session.commit()
    return user


def switch_role(user: User, role: str) -> User:
    """Act as buyer or as seller: changes navigation and dashboard, never permissions."""
    begin_write()
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user.active_role = role
    db.session.commit()
    return user


# Admin actions on accounts. Each one is an audit-log entry with the admin's reason.

def search(text: str, limit: int = 50) -> list[User]:
    """Users whose e-mail or display name contains the text (all users, newest first, when it is empty)."""
    query = select(User).order_by(User.id.desc()).limit(limit)
    text = text.strip()
    if text:
        pattern = contains_pattern(text.lower())
        query = query.where(or_(func.lower(User.email).like(pattern, escape="\\"), func.lower(User.display_name).like(pattern, escape="\\")))
    return list(db.session.scalars(query))


def _admin_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([FieldIssue("reason", _("Enter the reason for the audit log"))])
    return reason


def _locked(user: User) -> User:
    return locking.lock(User, user.id)


def set_suspended(admin: User, user: User, suspended: bool, reason: str, now: datetime) -> User:
    """Suspend (the user can't log in; their kworks leave the catalog) or lift a suspension."""
    reason = _admin_reason(reason)
    user = _locked(user)
    if user.id == admin.id:
        raise DomainError(_("You can’t suspend your own account"))
    if user.is_suspended == suspended:
        raise DomainError(_("This account is already suspended") if suspended else _("This account is not suspended"))
    before = {"suspended": user.is_suspended}
    user.suspended_at, user.suspension_reason = (now, reason) if suspended else (None, "")
    audit.record(admin, "user.suspend" if suspended else "user.unsuspend", user, before=before,
                 after={"suspended": suspended}, reason=reason)  # fmt: skip
    db.session.commit()
    return user


def set_admin(admin: User, user: User, grant: bool, reason: str) -> User:
    """Grant or revoke admin rights; the last admin can't be revoked."""
    reason = _admin_reason(reason)
    user = _locked(user)
    if user.is_admin == grant:
        raise DomainError(_("This account is already an administrator") if grant else _("This account is not an administrator"))
    if not grant:
        # Lock every admin row, so two admins revoking each other at once can't leave none.
        admins = db.session.scalars(select(User.id).where(User.is_admin.is_(True)).with_for_update()).all()
        if len(admins) <= 1:
            raise DomainError(_("At least one administrator must remain: grant someone else admin rights first"))
    user.is_admin = grant
    audit.record(admin, "user.grant_admin" if grant else "user.revoke_admin", user, before={"admin": not grant},
                 after={"admin": grant}, reason=reason)  # fmt: skip
    db.session.commit()
    return user
