"""Voice-code calls: `place_code_call(phone, code, locale)` behind one interface, two backends.

`twilio` drives the official library against Twilio. `sandbox` (the default without credentials) drives the same
library, with an injected HTTP client that answers locally and records the exact request the library built
(URL, To, From, TwiML) as a SandboxCall, so the demo's "sandbox phone" page can show what would have been said.
"""
import functools
import hashlib
import hmac
import json
import logging
import secrets
from typing import Protocol
from xml.etree import ElementTree

from flask import current_app
from flask_babel import force_locale

from ..extensions import db
from ..models import SandboxCall
from ..texts import gettext as _

# Twilio <Say> languages for the locales Gigsmith speaks; anything else falls back to English.
SAY_LANGUAGES = {"en": "en-US", "ru": "ru-RU", "pt": "pt-BR", "fr": "fr-FR"}
SANDBOX_SID, SANDBOX_TOKEN, SANDBOX_FROM = "AC" + "0" * 32, "sandbox-auth-token", "+15005550006"


class VoiceCaller(Protocol):
    def place_code_call(self, phone: str, code: str, locale: str, repeat_token: str) -> str:
        """Call `phone` (E.164) and speak `code`; "press 1" asks for `repeat_token`'s code again. Returns the
        provider's call id."""


def new_repeat_token() -> str:
    """The opaque id of a new code: the "press 1 to repeat" URL carries it, and the code is derived from it."""
    return secrets.token_urlsafe(32)


def code_for(repeat_token: str) -> str:
    """The six digits `repeat_token` stands for: an HMAC-SHA256 of it under a key derived from SECRET_KEY, cut to
    six digits by HOTP's dynamic truncation (RFC 4226, section 5.3).

    So the digits are as unpredictable as a random draw to anyone without the app's secret, the database keeps only
    their hash and the token, and the repeat request (signed by Twilio) can say them again without the URL, a
    proxy's log or any table holding them.
    """
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"gigsmith voice code v1", hashlib.sha256).digest()
    digest = hmac.new(key, repeat_token.encode(), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**6:06d}"


def code_twiml(code: str, locale: str, repeat_url: str) -> str:
    """A short greeting and the code digit by digit, twice; pressing 1 hears it again.

    Spoken in `locale` when Twilio's <Say> has a voice for it (SAY_LANGUAGES), else in English.
    """
    if locale not in SAY_LANGUAGES:
        locale = "en"
    language = SAY_LANGUAGES[locale]
    digits = ", ".join(code)
    with force_locale(locale):
        sentences = " ".join([
            _("Hello, this is Gigsmith."),
            _("Your confirmation code is: %(digits)s.", digits=digits),
            _("Again: %(digits)s.", digits=digits),
            _("To hear it again, press 1."),
        ])  # fmt: skip
        goodbye = _("Goodbye.")
    from twilio.twiml.voice_response import Gather, VoiceResponse  # lazy: twilio and requests weigh ~17 MB (README)

    response = VoiceResponse()
    gather = Gather(num_digits=1, action=repeat_url, method="POST", timeout=5)
    gather.say(sentences, language=language)
    response.append(gather)
    response.say(goodbye, language=language)
    return str(response)


def spoken_text(twiml: str) -> str:
    return " ".join(element.text or "" for element in ElementTree.fromstring(twiml).iter("Say"))


@functools.cache
def _sandbox_http_client_class():
    """Built on first use: subclassing Twilio's HttpClient at import would load twilio (and requests) into every
    process that imports this module, the RQ worker included, though most never place a call."""
    from twilio.http import HttpClient
    from twilio.http.response import Response

    class SandboxHttpClient(HttpClient):
        """Answers the Twilio library locally and records each request; never touches the network."""

        def __init__(self):
            super().__init__(logger=logging.getLogger("gigsmith.sandbox_voice"), is_async=False)

        def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False):
            data = data or {}
            sid = "CA" + secrets.token_hex(16)
            db.session.add(
                SandboxCall(url=uri, to=data.get("To", ""), from_=data.get("From", ""), twiml=data.get("Twiml", ""),
                            spoken=spoken_text(data.get("Twiml", "<Response/>")), call_sid=sid)
            )  # fmt: skip
            body = {"sid": sid, "status": "queued", "to": data.get("To"), "from": data.get("From"), "account_sid": SANDBOX_SID}
            return Response(201, json.dumps(body))

    return SandboxHttpClient


def __getattr__(name: str):
    if name == "SandboxHttpClient":  # voice.SandboxHttpClient, as before, built on first use
        return _sandbox_http_client_class()
    raise AttributeError(name)


class TwilioCaller:
    def __init__(self, account_sid: str, auth_token: str, from_number: str, http_client=None):
        from twilio.rest import Client  # imported when a call is placed: the REST client weighs about 5 MB

        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number

    def place_code_call(self, phone: str, code: str, locale: str, repeat_token: str) -> str:
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        twiml = code_twiml(code, locale, f"{base}/webhooks/twilio/voice-repeat/{repeat_token}")
        call = self.client.calls.create(
            to=phone,
            from_=self.from_number,
            twiml=twiml,
            status_callback=f"{base}/webhooks/twilio/voice-status",
            status_callback_event=["initiated", "ringing", "answered", "completed"],
        )
        return call.sid


def is_sandbox() -> bool:
    config = current_app.config
    return not (config["TWILIO_ACCOUNT_SID"] and config["TWILIO_AUTH_TOKEN"] and config["TWILIO_FROM_NUMBER"])


def auth_token() -> str:
    return SANDBOX_TOKEN if is_sandbox() else current_app.config["TWILIO_AUTH_TOKEN"]


def caller() -> VoiceCaller:
    """Twilio when credentials are configured, else the sandbox (the same library, answered locally)."""
    config = current_app.config
    if is_sandbox():
        return TwilioCaller(SANDBOX_SID, SANDBOX_TOKEN, SANDBOX_FROM, http_client=_sandbox_http_client_class()())
    return TwilioCaller(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config["TWILIO_FROM_NUMBER"])
