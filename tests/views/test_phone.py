import re
from datetime import datetime, timezone

import time_machine

from webapp.extensions import db
from webapp.models import SandboxCall

from ..pages import check_page, parse, text_of
from ..services.test_timers import run_worker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def test_add_and_confirm_a_phone_with_the_sandbox_phone(client, login_as, make_user):
    user = make_user()
    with time_machine.travel(START, tick=False):
        login_as(user)  # inside the travel: a session cookie signed later than the request would be refused
        refused = client.post("/account/phone", data={"phone": "0207 946 0958"})
        assert refused.status_code == 422
        document = check_page(refused)
        assert document.find(".//title").text.startswith("Error: ")
        assert document.find(".//input[@id='phone']").get("value") == "0207 946 0958"

        assert client.post("/account/phone", data={"phone": "+44 20 7946 0958"}).status_code == 302
        waiting = check_page(client.get("/account/phone"))
        status = waiting.find(".//div[@id='call-status']")
        assert status.get("hx-trigger") == "every 2s" and "Calling you now" in text_of(status)
        code_input = waiting.find(".//input[@id='code']")
        assert (code_input.get("autocomplete"), code_input.get("inputmode")) == ("one-time-code", "numeric")

        run_worker()
        polled = client.get("/account/calls/phone/status?seen=queued", headers={"HX-Request": "true"})
        fragment = parse(polled)
        assert fragment.find(".//div[@id='call-status']").get("hx-trigger") is None  # polling stops
        assert text_of(fragment.find(".//div[@hx-swap-oob='innerHTML:#sr-status']")) == "Call placed. Enter the code you heard."

        sandbox = check_page(client.get("/sandbox/phone"))
        spoken = text_of(sandbox.find(".//ol[@class='messages']/li"))
        digits = re.search(r"code is: ((?:\d, ){5}\d)", spoken).group(1).replace(", ", "")
        wrong = client.post("/account/phone/verify", data={"code": "12"})
        assert wrong.status_code == 422 and "Enter the 6 digits you heard in the call" in wrong.get_data(as_text=True)
        client.post("/account/phone/verify", data={"code": digits})
    assert user.phone == "+442079460958" and user.phone_verified_at is not None
    activity = text_of(check_page(client.get("/account/security")).find(".//main"))
    assert "Code confirmed for +44 20 7946 0958" in activity and "Code call requested" in activity


def test_call_again_respects_the_cooldown(client, login_as, make_user):
    user = make_user()
    with time_machine.travel(START, tick=False):
        login_as(user)
        client.post("/account/phone", data={"phone": "+44 20 7946 0958"})
        client.post("/account/calls/phone/again")
        page = client.get("/account/phone").get_data(as_text=True)
    assert "You can request a new call a little later" in page
    assert db.session.query(SandboxCall).count() == 0  # no worker ran: nothing was called from the web request


def test_the_cooldown_message_says_the_time_in_the_users_zone_and_language(client, login_as, make_user):
    user = make_user()
    user.timezone, user.language = "Asia/Yekaterinburg", "ru"
    db.session.commit()
    with time_machine.travel(START, tick=False):
        login_as(user)
        client.post("/account/phone", data={"phone": "+44 20 7946 0958"})
        client.post("/account/calls/phone/again")
        page = client.get("/account/phone").get_data(as_text=True)
    # 10:01 UTC is 15:01 in Yekaterinburg, named the way Russian names it (not "UTC", not a Latin "YEKT").
    assert "Новый звонок можно будет заказать чуть позже — после 15:01 (Екатеринбург)." in page


def test_sandbox_phone_is_for_demos_only(app, client, login_as, make_user):
    login_as(make_user())
    app.testing = False
    try:
        assert client.get("/sandbox/phone").status_code == 404
    finally:
        app.testing = True


def test_the_sandbox_phone_shows_only_the_viewers_own_calls(client, login_as, make_user):
    """Bob typing Alice's number must not let him read the code spoken to her: calls belong to who asked for them."""
    from webapp.services import voice_codes

    alice, bob = make_user("Alice"), make_user("Bob")
    with time_machine.travel(START, tick=False):
        voice_codes.add_phone(alice, "+44 20 7946 0958", "en", START)
        run_worker()
        login_as(bob)
        page = check_page(client.get("/sandbox/phone"))
        assert page.find(".//ol[@class='messages']/li") is None and "code is" not in text_of(page.find(".//main"))
        login_as(alice)
        page = check_page(client.get("/sandbox/phone"))
        assert "code is" in text_of(page.find(".//ol[@class='messages']/li"))
