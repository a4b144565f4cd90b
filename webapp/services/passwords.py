"""Passwords: hashing (argon2), the rules for a new one (webapp/domain/passwords.py), changing it with the current
one, and resetting it through a link e-mailed to the account's address.

Changing or resetting a password ends every session of the user (services/sessions.py): whoever had the old
password, or a cookie from before, is out. The owner gets an e-mail saying it happened.
"""
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from ..domain import passwords as rules
from ..domain.errors import FieldIssue, ValidationFailed
from ..extensions import db
from ..models import User
from ..texts import gettext as _
from . import account_mail, begin_write, locking, sessions, tokens

_hasher = PasswordHasher()
# Verified against when there is no account, so an answer takes as long whether or not it exists.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one `password_hash` was made from (None: compared with a dummy, same cost)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_password_issues(password: str, *, email: str, display_name: str, field: str = "password") -> list[FieldIssue]:
    """The rules for a new password, as issues on `field`."""
    return [FieldIssue(field, str(message)) for message in rules.problems(password or "", (email, display_name, "gigsmith"))]


def change(user: User, current_password: str, new_password: str, now: datetime) -> User:
    """Change the password, knowing the current one.

    Guards: the current password matches (the view limits attempts); the new one follows the rules.
    Effects: the new hash; every session of the user ends, this browser's too (the caller signs it in again with a
    new session); a "your password was changed" e-mail after the commit.
    """
    user = locking.lock(User, user.id)
    issues = []
    if not matches(user.password_hash, current_password or ""):
        issues.append(FieldIssue("current_password", _("Your current password is not correct")))
    issues += new_password_issues(new_password, email=user.email, display_name=user.display_name)
    if issues:
        db.session.rollback()
        raise ValidationFailed(issues)
    _set(user, new_password, now)
    db.session.commit()
    return user


def request_reset(email: str, now: datetime) -> None:
    """"Forgotten your password?": when an account has this address, e-mail it a reset link. Returns nothing and
    says nothing: the answer is the same whether or not the address has an account (no enumeration), and the
    e-mail goes out from a job after the commit, so the answer takes no longer either way."""
    begin_write()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is not None:
        account_mail.queue(user.id, "password_reset", now)
    db.session.commit()


def reset_link_user(token: str) -> User:
    """The account a reset link is for, while the link still works; raises tokens.InvalidLink."""
    user_id, fingerprint = tokens.read_reset_token(token)
    user = db.session.get(User, user_id)
    _check_unused(user, fingerprint)
    return user


def reset(token: str, new_password: str, now: datetime) -> User:
    """Choose a new password through a reset link.

    Guards: the link is signed here, under an hour old, and made under the password the account has now (read
    under the user's lock, so a link used twice at once works once); the new password follows the rules.
    Effects: the new hash, which ends the link; the address counts as confirmed (the link reached its mailbox);
    every session ends; a "your password was changed" e-mail. Raises tokens.InvalidLink or ValidationFailed.
    """
    user_id, fingerprint = tokens.read_reset_token(token)
    user = locking.lock(User, user_id)
    try:
        _check_unused(user, fingerprint)
    except tokens.InvalidLink:
        db.session.rollback()
        raise
    if issues := new_password_issues(new_password, email=user.email, display_name=user.display_name):
        db.session.rollback()
        raise ValidationFailed(issues)
    _set(user, new_password, now)
    if user.email_verified_at is None:
        user.email_verified_at = now
    db.session.commit()
    return user


def _check_unused(user: User | None, fingerprint: str) -> None:
    if user is None or tokens.password_fingerprint(user.password_hash) != fingerprint:
        raise tokens.InvalidLink(_("This link was already used, or the password changed since it was sent."))


def _set(user: User, new_password: str, now: datetime) -> None:
    user.password_hash = hash_password(new_password)
    sessions.revoke(user.id)
    account_mail.queue(user.id, "password_changed", now)
