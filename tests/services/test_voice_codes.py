"""Voice codes with the sandbox backend: the exact Twilio request, hashing, expiry, attempts and rate limits."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from flask_babel import get_locale
from twilio.request_validator import RequestValidator

from webapp.adapters import voice
from webapp.domain.errors import ValidationFailed
from webapp.extensions import db
from webapp.models import SandboxCall, SecurityEvent, VoiceCode
from webapp.services import voice_codes

from .test_timers import run_worker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def call(user, phone="+44 20 7946 0958", at=START):
    with time_machine.travel(at, tick=False):
        code = voice_codes.add_phone(user, phone, "en", at)
        run_worker()
    db.session.refresh(code)
    return code


def spoken_code(call_row: SandboxCall) -> str:
    return re.search(r"code is: ((?:\d, ){5}\d)", call_row.spoken).group(1).replace(", ", "")


@pytest.mark.parametrize("typed, e164", [("+44 20 7946 0958", "+442079460958"), ("+55 11 91234-5678", "+5511912345678"),
                                          ("+7 912 345-67-89", "+79123456789")])  # fmt: skip
def test_any_countrys_number_is_accepted_in_international_form(ctx, typed, e164):
    assert voice_codes.parse_phone(typed) == e164


@pytest.mark.parametrize("typed", ["", "020 7946 0958", "+44 12", "call me"])
def test_bad_numbers_get_a_clear_message(ctx, typed):
    with pytest.raises(ValidationFailed, match="Enter a phone number with its country code"):
        voice_codes.parse_phone(typed)


def test_the_library_builds_the_call_request_and_the_code_is_stored_hashed(make_user):
    user = make_user()
    code = call(user)
    [row] = db.session.query(SandboxCall).all()
    assert row.url == f"https://api.twilio.com/2010-04-01/Accounts/{voice.SANDBOX_SID}/Calls.json"
    assert (row.to, row.from_) == ("+442079460958", voice.SANDBOX_FROM)
    digits = spoken_code(row)
    assert row.spoken.count(", ".join(digits)) == 2  # said twice
    assert '<Gather action="http://127.0.0.1:5000/webhooks/twilio/voice-repeat/' in row.twiml and 'numDigits="1"' in row.twiml
    assert (code.status, code.call_sid.startswith("CA"), code.expires_at) == ("answered", True, START + timedelta(minutes=10))
    assert digits not in (code.code_hash or "") and code.code_hash.startswith(("scrypt:", "pbkdf2:"))
    assert [e.kind for e in db.session.query(SecurityEvent).order_by(SecurityEvent.id)] == ["call_requested", "call_placed"]


def test_the_right_code_confirms_the_phone_once(make_user):
    user = make_user()
    call(user)
    digits = spoken_code(db.session.query(SandboxCall).one())
    voice_codes.verify(user, "phone", f" {digits[:3]} {digits[3:]} ", START + timedelta(minutes=2))
    assert (user.phone, user.phone_verified_at) == ("+442079460958", START + timedelta(minutes=2))
    with pytest.raises(ValidationFailed, match="request a call first"):
        voice_codes.verify(user, "phone", digits, START + timedelta(minutes=3))  # single use


def test_five_wrong_codes_cancel_it(make_user):
    user = make_user()
    call(user)
    digits = spoken_code(db.session.query(SandboxCall).one())
    wrong = "000000" if digits != "000000" else "111111"
    messages = []
    for _ in range(5):
        with pytest.raises(ValidationFailed) as refused:
            voice_codes.verify(user, "phone", wrong, START)
        messages.append(refused.value.issues[0].message)
    assert messages[0] == "The code is not correct. You have 4 attempts left"
    assert messages[-1] == "Too many wrong codes. Request a new call"
    with pytest.raises(ValidationFailed):
        voice_codes.verify(user, "phone", digits, START)
    assert user.phone_verified_at is None


def test_a_code_expires_after_ten_minutes(make_user):
    user = make_user()
    code = call(user)
    digits = spoken_code(db.session.query(SandboxCall).one())
    with pytest.raises(ValidationFailed, match="The code has expired"):
        voice_codes.verify(user, "phone", digits, START + timedelta(minutes=10, seconds=1))
    assert code.status == "expired" and user.phone_verified_at is None


def test_the_expiry_job_tidies_up(make_user):
    user = make_user()
    code = call(user)
    with time_machine.travel(START + timedelta(minutes=10, seconds=1), tick=False):
        run_worker()
    assert code.status == "expired"


def test_cooldown_and_hourly_limit_per_user(make_user):
    user = make_user()
    call(user)
    with pytest.raises(voice_codes.CallLimited) as limited:
        voice_codes.add_phone(user, "+44 20 7946 0958", "en", START + timedelta(seconds=30))
    assert limited.value.until == START + timedelta(seconds=60)
    call(user, at=START + timedelta(minutes=2))
    call(user, at=START + timedelta(minutes=4))
    with pytest.raises(voice_codes.CallLimited) as limited:
        voice_codes.add_phone(user, "+44 20 7946 0958", "en", START + timedelta(minutes=6))
    assert limited.value.until == START + timedelta(hours=1)  # the 4th call waits for the 1st to age out
    assert db.session.query(SecurityEvent).filter_by(kind="call_refused").count() == 2


def test_ten_calls_per_number_per_day(make_user):
    for n in range(10):
        call(make_user(), at=START + timedelta(minutes=n))
    with pytest.raises(voice_codes.CallLimited):
        voice_codes.add_phone(make_user(), "+44 20 7946 0958", "en", START + timedelta(hours=2))
    assert db.session.query(VoiceCode).count() == 10


def test_twilio_backend_is_chosen_with_credentials(app, ctx):
    app.config.update(TWILIO_ACCOUNT_SID="AC" + "1" * 32, TWILIO_AUTH_TOKEN="secret", TWILIO_FROM_NUMBER="+15550001111")
    try:
        chosen = voice.caller()
        assert isinstance(chosen, voice.TwilioCaller) and not voice.is_sandbox()
        assert not isinstance(chosen.client.http_client, voice.SandboxHttpClient)
        assert voice.auth_token() == "secret"
    finally:
        app.config.update(TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="", TWILIO_FROM_NUMBER="")


def signed(url: str, params: dict) -> dict:
    return {"X-Twilio-Signature": RequestValidator(voice.SANDBOX_TOKEN).compute_signature(url, params)}


def test_status_callback_needs_a_valid_signature(client, make_user):
    user = make_user()
    code = call(user)
    code.status = "calling"
    db.session.commit()
    params = {"CallSid": code.call_sid, "CallStatus": "no-answer"}
    url = "http://127.0.0.1:5000/webhooks/twilio/voice-status"
    forged = client.post("/webhooks/twilio/voice-status", data=params, headers={"X-Twilio-Signature": "forged"})
    assert forged.status_code == 403 and code.status == "calling"
    assert db.session.query(SecurityEvent).filter_by(kind="webhook_rejected").count() == 1
    accepted = client.post("/webhooks/twilio/voice-status", data=params, headers=signed(url, params))
    assert accepted.status_code == 204
    db.session.refresh(code)
    assert code.status == "failed"


def test_pressing_1_repeats_the_code(client, make_user):
    user = make_user()
    code = call(user)
    [row] = db.session.query(SandboxCall).all()
    path = "/webhooks/twilio/voice-repeat/" + code.repeat_token
    assert f'action="http://127.0.0.1:5000{path}"' in row.twiml
    params = {"Digits": "1"}
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        response = client.post(path, data=params, headers=signed("http://127.0.0.1:5000" + path, params))
        assert response.status_code == 200 and ", ".join(spoken_code(row)) in response.get_data(as_text=True)
        assert client.post(path, data=params).status_code == 403  # unsigned


def test_the_repeat_url_carries_an_opaque_id_not_the_code(client, make_user):
    """Proxy and access logs see the repeat URL: it must not hold the code, readable or encoded."""
    import base64

    user = make_user()
    code = call(user)
    [row] = db.session.query(SandboxCall).all()
    digits = spoken_code(row)
    url = re.search(r'action="([^"]+)"', row.twiml).group(1)
    token = url.rsplit("/", 1)[1]
    assert token == code.repeat_token and len(token) >= 40
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert digits not in url and digits.encode() not in decoded and b"code" not in decoded
    assert digits not in (code.code_hash or "")  # and the table keeps only the hash and the id
    # Two calls never share an id, and the code derived from one is the code spoken.
    assert voice.code_for(token) == digits and voice.new_repeat_token() != token


def test_a_used_or_expired_code_is_not_repeated(client, make_user):
    user = make_user()
    code = call(user)
    digits = spoken_code(db.session.query(SandboxCall).one())
    path = "/webhooks/twilio/voice-repeat/" + code.repeat_token
    params = {"Digits": "1"}
    headers = signed("http://127.0.0.1:5000" + path, params)
    with time_machine.travel(START + timedelta(minutes=11), tick=False):  # past its ten minutes
        expired = client.post(path, data=params, headers=headers).get_data(as_text=True)
    assert "<Hangup/>" in expired and digits not in expired
    voice_codes.verify(user, "phone", digits, START + timedelta(minutes=2))
    with time_machine.travel(START + timedelta(minutes=3), tick=False):
        used = client.post(path, data=params, headers=headers).get_data(as_text=True)
    assert "<Hangup/>" in used and digits not in used
    forged = "/webhooks/twilio/voice-repeat/not-a-token"
    with time_machine.travel(START + timedelta(minutes=3), tick=False):
        unknown = client.post(forged, data=params, headers=signed("http://127.0.0.1:5000" + forged, params))
    assert "<Hangup/>" in unknown.get_data(as_text=True)


# Languages: the call speaks the language of the page it was requested from, where Twilio's <Say> has a voice.


def test_a_code_call_is_requested_in_the_pages_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "ru-RU,ru;q=0.9"}):
        assert voice_codes.page_language() == "ru"
    with app.test_request_context("/", headers={"Accept-Language": "de-DE"}):
        assert voice_codes.page_language() == "en"


def test_a_russian_call_says_its_sentences_in_russian_with_a_russian_voice(ctx, monkeypatch):
    spoken_in = []
    translate = voice._

    def spy(text, **variables):
        spoken_in.append(str(get_locale()))
        return translate(text, **variables)

    monkeypatch.setattr(voice, "_", spy)
    twiml = voice.code_twiml("123456", "ru", "https://example.test/repeat")
    assert twiml.count('language="ru-RU"') == 2 and 'language="en-US"' not in twiml
    assert len(spoken_in) == 5 and set(spoken_in) == {"ru"}  # every sentence goes through gettext in Russian
    assert voice.spoken_text(twiml).count("1, 2, 3, 4, 5, 6") == 2


def test_a_russian_call_is_heard_in_russian(ctx):
    spoken = voice.spoken_text(voice.code_twiml("123456", "ru", "https://example.test/repeat"))
    assert re.search("[А-Яа-яЁё]", spoken) and "Your confirmation code" not in spoken
    assert spoken.count("1, 2, 3, 4, 5, 6") == 2


def test_a_language_twilio_cannot_speak_falls_back_to_english(ctx):
    twiml = voice.code_twiml("123456", "de", "https://example.test/repeat")
    assert twiml.count('language="en-US"') == 2
    assert "Your confirmation code is: 1, 2, 3, 4, 5, 6." in voice.spoken_text(twiml)


def test_the_job_places_the_call_in_the_language_it_was_requested_in(make_user):
    user = make_user()
    with time_machine.travel(START, tick=False):
        code = voice_codes.add_phone(user, "+44 20 7946 0958", "ru", START)
        run_worker()
    [row] = db.session.query(SandboxCall).all()
    assert code.locale == "ru" and row.twiml.count('language="ru-RU"') == 2
