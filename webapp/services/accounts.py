"""Accounts: registration, authentication, profile, the buyer/seller role switch, and admins' account actions."""
from datetime import datetime

from sqlalchemy import func, or_, select

from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import User
from ..models.accounts import ROLES
from ..texts import gettext as _
from . import account_mail, audit, begin_write, contains_pattern, ledger, locking, passwords, sessions
from .email_verification import EmailNotVerified


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def register(email: str, display_name: str, password: str, *, verified_at: datetime | None = None) -> User:
    """Create an account (acting as buyer first) with no e-mail sent: for the demo seed, `create-admin` and tests.
    The public form uses `sign_up`. Refuses a taken e-mail or a password the rules refuse."""
    begin_write()
    email = normalise_email(email)
    locking.serialise(f"email:{email}")
    issues = passwords.new_password_issues(password, email=email, display_name=display_name)
    if _find_by_email(email) is not None:
        issues.append(FieldIssue("email", _("An account with this email address already exists – log in instead")))
    if issues:
        db.session.rollback()
        raise ValidationFailed(issues)
    user = _create(email, display_name, password, verified_at)
    db.session.commit()
    return user


def _create(email: str, display_name: str, password: str, verified_at: datetime | None) -> User:
    user = User(email=email, display_name=display_name.strip(), password_hash=passwords.hash_password(password),
                email_verified_at=verified_at)  # fmt: skip
    db.session.add(user)
    db.session.flush()
    ledger.account(ledger.wallet_code(user.id), user_id=user.id)
    return user


def sign_up(email: str, display_name: str, password: str, now: datetime, *, language: str | None = None) -> User | None:
    """The public sign-up. Whoever typed the address learns nothing about whether it already had an account: the
    form answers alike, and the address's mailbox hears about it.

    Guards: the password follows the rules (said on the form: it depends on nothing stored).
    Effects: for a new address, the account (acting as buyer) and an e-mail with the link that confirms the
    address; for an address that has an account, no new account and an e-mail telling its owner. Both e-mails
    leave after the commit, from a job, and the password is hashed either way, so both answers take as long.
    `language`: the one the sign-up page spoke, kept as the new user's, so their e-mails (the first one too) are
    written in it. Returns the new user, or None.
    """
    begin_write()
    email = normalise_email(email)
    if issues := passwords.new_password_issues(password, email=email, display_name=display_name):
        db.session.rollback()
        raise ValidationFailed(issues)
    locking.serialise(f"email:{email}")  # two sign-ups with one new address: the second finds the first's account
    owner = _find_by_email(email)
    if owner is not None:
        passwords.hash_password(password)  # the cost the new-account branch pays, so timing tells nothing either
        account_mail.queue(owner.id, "already_registered", now)
        db.session.commit()
        return None
    user = _create(email, display_name, password, None)
    user.language = language
    account_mail.queue(user.id, "verify_email", now)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose e-mail and password match, else None (without saying which part was wrong)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if not passwords.matches(user.password_hash if user else None, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def update_profile(
    user: User, *, display_name: str, about: str, working_hours: str, timezone: str | None = None
) -> User:
    begin_write()
    user.display_name = display_name.strip()
    if timezone is not None:
        user.timezone = timezone
    user.about = about.strip()
    user.working_hours = working_hours.strip()
    db.session.commit()
    return user


def switch_role(user: User, role: str) -> User:
    """Act as buyer or as seller: changes navigation and dashboard, never permissions.

    Guards: selling waits for a confirmed e-mail address (EmailNotVerified)."""
    user = locking.lock(User, user.id)
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role == "seller" and not user.is_email_verified:
        email = user.email
        db.session.rollback()
        raise EmailNotVerified(email)
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
    """Suspend (the user can't log in; their kworks leave the catalog) or lift a suspension.

    Effects of a suspension: every session of the user ends (their cookies, remember cookies too, stay refused
    after a reinstatement: they must log in again)."""
    reason = _admin_reason(reason)
    user = _locked(user)
    if user.id == admin.id:
        raise DomainError(_("You can’t suspend your own account"))
    if user.is_suspended == suspended:
        raise DomainError(_("This account is already suspended") if suspended else _("This account is not suspended"))
    before = {"suspended": user.is_suspended}
    user.suspended_at, user.suspension_reason = (now, reason) if suspended else (None, "")
    if suspended:
        sessions.revoke(user.id)
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
