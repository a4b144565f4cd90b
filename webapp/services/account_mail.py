"""E-mails about the account itself: confirm your address, reset your password, your password changed, and "you
already have an account" (what the owner of an address gets when someone signs up with it, instead of the form
telling the one who typed it).

`queue` adds an AccountEmail row inside the caller's unit of work; the mail job (jobs.mail.send_account_email) is
handed to the outbox (webapp/queue.py) and run after the commit on the notification mail's queue, and `send` writes the message in the recipient's
language with a freshly signed link, through the same mail adapter (SMTP, or the sandbox mailbox).
"""
from datetime import datetime

from flask import current_app
from flask_babel import force_locale

from .. import links
from ..adapters import mail
from ..extensions import db
from ..i18n import DEFAULT as DEFAULT_LANGUAGE
from ..models import AccountEmail, User
from ..queue import MAIL_QUEUE, after_commit_for
from ..texts import gettext as _
from . import locking, tokens


def queue(user_id: int, kind: str, now: datetime) -> AccountEmail:
    """Add the e-mail to the caller's unit of work (the caller commits); it goes out after the commit."""
    row = AccountEmail(user_id=user_id, kind=kind, created_at=now)
    db.session.add(row)
    after_commit_for(db.session(), row, "jobs.mail.send_account_email", queue=MAIL_QUEUE)
    return row


def _url(endpoint: str, **values) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + links.path(endpoint, **values)


def _verify_email(user: User) -> tuple[str, list[str]]:
    link = _url("auth.verify_email", token=tokens.verification_token(user))
    return _("Confirm your email address"), [
        _("Open this link to confirm that this is your email address:"), link, "",
        _("The link works for 3 days. Until you confirm your address you can buy, but not sell, withdraw money or add payout details."),
        "", _("If you did not create a Gigsmith account, ignore this email: nothing happens without the link."),
    ]  # fmt: skip


def _already_registered(user: User) -> tuple[str, list[str]]:
    return _("You already have a Gigsmith account"), [
        _("Someone – perhaps you – tried to create a Gigsmith account with this email address. You already have one, so no new account was made."),
        "", _("Log in: %(url)s", url=_url("auth.login")),
        _("Forgotten your password? Reset it: %(url)s", url=_url("auth.forgot_password")),
        "", _("If it wasn't you, you don't need to do anything."),
    ]  # fmt: skip


def _password_reset(user: User) -> tuple[str, list[str]]:
    link = _url("auth.reset_password", token=tokens.reset_token(user))
    return _("Reset your password"), [
        _("Open this link to choose a new password:"), link, "",
        _("The link works for one hour, and only once. Choosing a new password signs you out on every device."),
        "", _("If you did not ask to reset your password, ignore this email: your password stays as it is."),
    ]  # fmt: skip


def _password_changed(user: User) -> tuple[str, list[str]]:
    return _("Your password was changed"), [
        _("The password of your Gigsmith account was just changed, and every other device was signed out."),
        "", _("If this wasn't you, reset your password now: %(url)s", url=_url("auth.forgot_password")),
    ]  # fmt: skip


WRITERS = {
    "verify_email": _verify_email,
    "already_registered": _already_registered,
    "password_reset": _password_reset,
    "password_changed": _password_changed,
}


def send(email_id: int, now: datetime) -> bool:
    """The job: write and send one account e-mail, once (a retried job finds it sent). Returns whether it went out.

    The link is signed now, so a reset link's hour starts when the mail is written, not when it was asked for.
    """
    row = locking.lock(AccountEmail, email_id)  # two runs of one job (the outbox sweep handed it over again) send once
    if row is None or row.sent_at is not None:
        db.session.rollback()
        return False
    user = db.session.get(User, row.user_id)
    with force_locale(user.language or DEFAULT_LANGUAGE):
        subject, lines = WRITERS[row.kind](user)
        lines = [_("Hello %(name)s,", name=user.display_name), "", *lines, "", "—", "Gigsmith"]
        subject = _("Gigsmith: %(summary)s", summary=subject)
    mail.mailer().send(user.email, subject, "\n".join(lines))
    row.sent_at = now
    db.session.commit()  # the sandbox keeps its copy in this transaction
    return True
