"""Accounts: registration, authentication, profile and the buyer/seller role switch."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from ..domain.errors import FieldIssue, ValidationFailed
from ..extensions import db
from ..models import User
from ..models.accounts import ROLES
from . import begin_write, ledger

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
        issues.append(FieldIssue("password", f"Password must be at least {MIN_PASSWORD_LENGTH} characters"))
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        issues.append(FieldIssue("email", "An account with this email address already exists – log in instead"))
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
