"""Signed links for account e-mails (itsdangerous, one salt per purpose, so a token made for one can't serve another).

A token is signed, not secret from its holder, and carries a timestamp: it proves the server made it, for whom,
and when. What makes each one single-use lives in what it is bound to:
- a password reset link names a fingerprint of the password hash it was made under; the reset changes the hash,
  so the link works once, and a password changed any other way also ends it;
- an address confirmation link names the address; confirming twice changes nothing.
"""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..domain.errors import DomainError
from ..models import User
from ..texts import gettext as _

RESET_MAX_AGE = 60 * 60  # one hour
VERIFY_MAX_AGE = 3 * 24 * 60 * 60  # three days
_RESET_SALT = "gigsmith.password-reset"
_VERIFY_SALT = "gigsmith.email-verification"


class InvalidLink(DomainError):
    """A link that is not ours, was changed, is too old, or was already used."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def password_fingerprint(password_hash: str) -> str:
    """Names the password a reset link was made under without revealing anything of its hash."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def reset_token(user: User) -> str:
    return _serializer(_RESET_SALT).dumps({"user": user.id, "password": password_fingerprint(user.password_hash)})


def read_reset_token(token: str) -> tuple[int, str]:
    """(user id, password fingerprint) of a reset link signed here less than an hour ago; raises InvalidLink."""
    data = _load(token, _RESET_SALT, RESET_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("user"), int) or not isinstance(data.get("password"), str):
        raise InvalidLink(_("This link is not valid."))
    return data["user"], data["password"]


def verification_token(user: User) -> str:
    return _serializer(_VERIFY_SALT).dumps({"user": user.id, "email": user.email})


def read_verification_token(token: str) -> tuple[int, str]:
    """(user id, e-mail address) of a confirmation link signed here less than three days ago; raises InvalidLink."""
    data = _load(token, _VERIFY_SALT, VERIFY_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("user"), int) or not isinstance(data.get("email"), str):
        raise InvalidLink(_("This link is not valid."))
    return data["user"], data["email"]


def _load(token: str, salt: str, max_age: int):
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidLink(_("This link has expired.")) from None
    except BadSignature:
        raise InvalidLink(_("This link is not valid.")) from None
