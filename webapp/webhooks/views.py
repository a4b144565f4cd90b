"""Callbacks from Twilio and Stripe. Only requests carrying a valid signature (X-Twilio-Signature,
Stripe-Signature) are accepted; these are the only views exempt from CSRF, the signature being their proof."""
from flask import Response, abort, current_app, request

from ..adapters import payments, voice
from ..clock import now
from ..config import ConfigurationError
from ..extensions import csrf, db
from ..services import stripe_events, voice_codes
from ..texts import lazy_gettext as _l
from . import bp


def _public_url() -> str:
    """The URL Twilio signed: the configured public base plus this path and query (proxies rewrite hosts)."""
    query = request.query_string.decode()
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.path + (f"?{query}" if query else "")


def _require_twilio_signature() -> None:
    from twilio.request_validator import RequestValidator  # lazy: only Twilio's callbacks need it (README, memory)

    validator = RequestValidator(voice.auth_token())
    signature = request.headers.get("X-Twilio-Signature", "")
    if not validator.validate(_public_url(), request.form.to_dict(), signature):
        voice_codes.record(None, "webhook_rejected", f"Rejected a call-status callback with a bad signature from {request.remote_addr}", now())
        db.session.commit()
        current_app.logger.warning("rejected Twilio webhook with an invalid signature")
        abort(403)


@bp.post("/twilio/voice-status")
@csrf.exempt
def voice_status():
    _require_twilio_signature()
    voice_codes.update_call_status(request.form.get("CallSid", ""), request.form.get("CallStatus", ""), now())
    return Response(status=204)


@bp.post("/stripe")
@csrf.exempt
def stripe_event():
    """Stripe's webhook: a verified event is acted on once (services.stripe_events); anything else is a 400 and a
    security event. Stripe retries until it gets a 2xx, so only an unexpected failure answers 5xx."""
    try:
        provider = payments.stripe_payments()
    except ConfigurationError:
        abort(404)  # no Stripe account here: nothing could have been sent by it
    try:
        event = provider.verified_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except payments.InvalidSignature as error:
        voice_codes.record(None, "webhook_rejected", _l("Rejected a Stripe webhook from %(address)s: %(reason)s"), now(),
                           address=request.remote_addr, reason=str(error))  # fmt: skip
        db.session.commit()
        current_app.logger.warning("rejected Stripe webhook: %s", error)
        return Response("invalid signature", status=400, mimetype="text/plain")
    outcome = stripe_events.handle(event, now())
    return Response(outcome, status=200, mimetype="text/plain")


@bp.post("/twilio/voice-repeat/<token>")
@csrf.exempt
def voice_repeat(token: str):
    """The caller pressed a key in <Gather>: say the code again (any other key, or a code no longer valid, ends the
    call). `token` is the code's opaque id; the digits are derived from it here, never carried in the URL."""
    _require_twilio_signature()
    code = voice_codes.code_to_repeat(token, now())
    if code is None or request.form.get("Digits") != "1":
        return Response("<Response><Hangup/></Response>", mimetype="text/xml")
    return Response(voice.code_twiml(voice.code_for(token), code.locale, _public_url()), mimetype="text/xml")
