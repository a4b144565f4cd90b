"""Callbacks from Twilio. Only requests carrying a valid X-Twilio-Signature are accepted."""
from flask import Response, abort, current_app, request
from twilio.request_validator import RequestValidator

from ..adapters import voice
from ..clock import now
from ..extensions import csrf, db
from ..services import voice_codes
from . import bp


def _public_url() -> str:
    """The URL Twilio signed: the configured public base plus this path and query (proxies rewrite hosts)."""
    query = request.query_string.decode()
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.path + (f"?{query}" if query else "")


def _require_twilio_signature() -> None:
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
