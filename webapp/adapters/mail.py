"""Notification e-mail: `send(to, subject, body)` behind one interface, two backends.

`smtp` (when SMTP_HOST is set) speaks to a real server with the standard library. `sandbox` (the default) keeps
each message as a SandboxMail row in the caller's transaction, so the demo's sandbox mailbox page can show it.
"""
import re
import smtplib
import unicodedata
from email.message import EmailMessage
from typing import Protocol

from flask import current_app

from ..extensions import db
from ..models import SandboxMail


def header_value(text: str) -> str:
    """`text` fit for a mail header: control characters (CR and LF above all, which would start a header of the
    sender's choosing, such as Bcc:) and Unicode line and paragraph separators become single spaces."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    return re.sub(r" {2,}", " ", cleaned).strip()


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """The message as sent: every header value passes through header_value, whoever wrote it."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = header_value(sender), header_value(to), header_value(subject)
    message.set_content(body)
    return message


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None:
        """Deliver a plain-text message to `to`; raises when it could not (the RQ job retries)."""


class SandboxMailer:
    def send(self, to: str, subject: str, body: str) -> None:
        db.session.add(SandboxMail(to=header_value(to), subject=header_value(subject)[:200], body=body))


class SmtpMailer:
    def __init__(self, host: str, port: int, user: str, password: str, sender: str):
        self.host, self.port, self.user, self.password, self.sender = host, port, user, password, sender

    def send(self, to: str, subject: str, body: str) -> None:
        message = build_message(self.sender, to, subject, body)
        # Port 465 is TLS from the first byte; elsewhere upgrade with STARTTLS whenever the server offers it,
        # so the password never crosses the network in clear.
        if self.port == 465:
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=30)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=30)
        with connection as smtp:
            if self.port != 465:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls()
                    smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


def is_sandbox() -> bool:
    return not current_app.config["SMTP_HOST"]


def mailer() -> Mailer:
    """SMTP when a server is configured, else the sandbox mailbox."""
    config = current_app.config
    if is_sandbox():
        return SandboxMailer()
    return SmtpMailer(config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_USER"], config["SMTP_PASSWORD"], config["MAIL_FROM"])
