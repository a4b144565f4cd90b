"""A confirmed e-mail address: selling, withdrawals and payout details wait for the owner to open the link e-mailed
at sign-up (or sent again from the account's Email address page).

`require_verified_email` is the guard the other use cases call: accounts.switch_role (to selling),
kworks.save_kwork (submitting for moderation), payouts (adding or removing a payout detail, withdrawing).
"""
from datetime import datetime

from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import User
from ..texts import gettext as _
from . import account_mail, locking, tokens


class EmailNotVerified(ValidationFailed):
    """The action waits for a confirmed address. A form shows it at the top (it belongs to no field); pages that
    can raise it link to the Email address page, where the link is sent again."""

    def __init__(self, email: str):
        message = _("Confirm your email address first: open the link we sent to %(email)s. You can have it sent again from the Email address page.",
                    email=email)  # fmt: skip
        super().__init__([FieldIssue("", message)])


def require_verified_email(user: User, *, when: bool = True) -> None:
    """Raise EmailNotVerified unless the user confirmed their address (only checked `when` it is true)."""
    if when and user.email_verified_at is None:
        raise EmailNotVerified(user.email)


def send_link(user: User, now: datetime) -> None:
    """E-mail the confirmation link again. Refused when the address is already confirmed.
    Effects: an account e-mail queued for after the commit."""
    user = locking.lock(User, user.id)
    if user.email_verified_at is not None:
        db.session.rollback()
        raise DomainError(_("Your email address is already confirmed"))
    account_mail.queue(user.id, "verify_email", now)
    db.session.commit()


def confirm(token: str, now: datetime) -> User:
    """Open a confirmation link: the address it was sent to is confirmed (again: nothing changes).

    Guards: the link is signed here, less than three days old, and names the account's current address.
    Raises tokens.InvalidLink.
    """
    user_id, email = tokens.read_verification_token(token)
    user = locking.lock(User, user_id)
    if user is None or user.email != email:
        db.session.rollback()
        raise tokens.InvalidLink(_("This link is not valid."))
    if user.email_verified_at is None:
        user.email_verified_at = now
    db.session.commit()
    return user
