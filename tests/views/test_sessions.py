"""Sessions a user controls: cookies captured before a logout, a password change or reset, a suspension or a
"Sign out" on the devices page are refused afterwards; a login starts a fresh cookie session and CSRF secret; the
Signed-in devices page lists and ends sessions."""
import re
from datetime import timedelta

import pytest
import time_machine
from flask import g

from webapp.config import ProductionConfig
from webapp.extensions import db
from webapp.models import User, UserSession
from webapp.services import accounts, sessions

from ..conftest import CLOCK_START, PASSWORD
from ..mail import deliver, link_in, mails_to
from ..pages import check_page, text_of

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")  # fmt: skip
NEW = "plum tractor lantern"
COOKIES = ("session", "remember_token")


class Browser:
    """One browser: its own cookie jar and user agent. Each request starts as a new request would in production
    (tests share one app context, so the user Flask-Login remembered and the loaded rows are dropped first)."""

    def __init__(self, app, agent: str = FIREFOX):
        self.client = app.test_client()
        self.agent = agent

    def open(self, method: str, url: str, **kwargs):
        g.pop("_login_user", None)
        db.session.remove()
        return self.client.open(url, method=method, headers={"User-Agent": self.agent}, **kwargs)

    def get(self, url: str):
        return self.open("GET", url)

    def post(self, url: str, data=None):
        return self.open("POST", url, data=data or {})

    def log_in(self, email: str, password: str = PASSWORD, remember: bool = False):
        data = {"email": email, "password": password} | ({"remember": "y"} if remember else {})
        response = self.post("/auth/login", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return self

    def cookies(self) -> dict[str, str]:
        found = {name: self.client.get_cookie(name) for name in COOKIES}
        return {name: cookie.value for name, cookie in found.items() if cookie is not None}

    def signed_in(self) -> bool:
        response = self.get("/account/")
        assert response.status_code in (200, 302)
        return response.status_code == 200


def thief(app, cookies: dict[str, str], only: str | None = None) -> Browser:
    """Another browser holding copies of captured cookies (all of them, or `only` one)."""
    browser = Browser(app, agent="curl/8.5")
    for name, value in cookies.items():
        if only in (None, name):
            browser.client.set_cookie(name, value)
    return browser


@pytest.fixture
def anna(make_user):
    return make_user("Anna", email="anna@example.com")


def test_cookies_captured_before_logout_are_refused_after_it(app, anna):
    laptop = Browser(app).log_in("anna@example.com", remember=True)
    captured = laptop.cookies()
    assert set(captured) == {"session", "remember_token"}
    # Each copy alone signs in while the session lasts (so what follows proves something).
    assert thief(app, captured, only="session").signed_in()
    assert thief(app, captured, only="remember_token").signed_in()
    laptop.post("/auth/logout")
    assert not laptop.signed_in()
    assert not thief(app, captured, only="session").signed_in()
    stolen_remember = thief(app, captured, only="remember_token")
    refused = stolen_remember.get("/account/")
    assert refused.status_code == 302 and "/auth/login" in refused.headers["Location"]
    # The dead remember cookie is deleted, so the browser stops sending it.
    assert any(h.startswith("remember_token=;") for h in refused.headers.getlist("Set-Cookie"))


def test_a_password_change_signs_out_every_other_device_and_renews_this_one(app, anna):
    laptop = Browser(app).log_in("anna@example.com", remember=True)
    phone = Browser(app, agent=IPHONE).log_in("anna@example.com", remember=True)
    laptop_cookies, phone_cookies = laptop.cookies(), phone.cookies()
    response = phone.post("/account/password", {"current_password": PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/account/devices"
    assert "Every other device that was logged in is signed out" in phone.get("/account/devices").get_data(as_text=True)
    assert phone.signed_in() and not laptop.signed_in()
    for cookies in (laptop_cookies, phone_cookies):  # the phone's own cookies from before the change too
        assert not thief(app, cookies, only="session").signed_in()
        assert not thief(app, cookies, only="remember_token").signed_in()
    assert set(phone.cookies()) == {"session", "remember_token"}  # "Keep me logged in" carried over
    assert thief(app, phone.cookies(), only="remember_token").signed_in()


def test_a_wrong_current_password_changes_nothing_and_keeps_what_was_typed(app, anna):
    laptop = Browser(app).log_in("anna@example.com")
    response = laptop.post("/account/password", {"current_password": "guess", "password": "aaaaaaaaaa", "confirm": "aaaaaaaaaa"})
    assert response.status_code == 422
    document = check_page(response)
    assert document.find(".//title").text.startswith("Error: ")
    summary = [(a.get("href"), text_of(a)) for a in document.findall(".//div[@class='error-summary']//a")]
    assert [href for href, _ in summary] == ["#current_password", "#password"]
    assert "Your current password is not correct" in summary[0][1] and "easy to guess" in summary[1][1]
    assert laptop.signed_in() and accounts.authenticate("anna@example.com", PASSWORD) is not None


def test_a_password_reset_signs_out_every_device(app, anna):
    laptop = Browser(app).log_in("anna@example.com", remember=True)
    captured = laptop.cookies()
    stranger = Browser(app)
    stranger.post("/auth/forgot-password", {"email": "anna@example.com"})
    deliver()
    [mail] = mails_to("anna@example.com")
    response = stranger.post(link_in(mail, "/auth/reset-password/"), {"password": NEW, "confirm": NEW})
    assert response.headers["Location"] == "/auth/login"
    assert not laptop.signed_in()
    assert not thief(app, captured, only="remember_token").signed_in()
    assert Browser(app).log_in("anna@example.com", NEW).signed_in()


def test_a_session_from_before_a_suspension_stays_ended_after_reinstatement(app, anna, make_user):
    admin_id, anna_id = make_user("Ada", admin=True).id, anna.id
    laptop = Browser(app).log_in("anna@example.com", remember=True)
    captured = laptop.cookies()
    accounts.set_suspended(db.session.get(User, admin_id), db.session.get(User, anna_id), True, "Spam", CLOCK_START)
    assert not laptop.signed_in()
    accounts.set_suspended(db.session.get(User, admin_id), db.session.get(User, anna_id), False, "Appeal", CLOCK_START)
    assert not thief(app, captured, only="session").signed_in()
    assert not thief(app, captured, only="remember_token").signed_in()
    assert Browser(app).log_in("anna@example.com").signed_in()  # a new login works again


def test_a_login_clears_the_cookie_session_and_renews_the_csrf_secret(app, anna, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    browser = Browser(app)
    with browser.client.session_transaction() as planted:  # as a session fixed by someone else would be
        planted["language"], planted["planted"] = "pt", "by an attacker"
    page = browser.get("/auth/login").get_data(as_text=True)
    before = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page).group(1)
    with browser.client.session_transaction() as session:
        secret_before = session["csrf_token"]
    browser.post("/auth/login", {"email": "anna@example.com", "password": PASSWORD, "csrf_token": before})
    with browser.client.session_transaction() as session:
        assert "planted" not in session and session["language"] == "pt"
        assert session.get("csrf_token") != secret_before
    # A token minted before the login (say, by whoever fixed the session) no longer passes.
    assert browser.post("/auth/logout", {"csrf_token": before}).status_code == 400
    assert browser.signed_in()


def test_the_remember_cookie_is_lax_http_only_and_lasts_30_days(app, anna):
    response = Browser(app).post("/auth/login", {"email": "anna@example.com", "password": PASSWORD, "remember": "y"})
    [cookie] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = re.search(r"Expires=([^;]+)", cookie).group(1)
    assert str((CLOCK_START + timedelta(days=30)).year) in expires
    assert app.config["REMEMBER_COOKIE_DURATION"] == sessions.LIFETIME
    assert ProductionConfig.REMEMBER_COOKIE_SECURE and ProductionConfig.SESSION_COOKIE_SECURE


def test_a_cookie_from_before_server_side_sessions_is_refused(app, anna):
    browser = Browser(app)
    with browser.client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(anna.id), True
    assert not browser.signed_in()


def test_sessions_end_by_themselves(app, anna):
    short = Browser(app).log_in("anna@example.com")
    kept = Browser(app).log_in("anna@example.com", remember=True)
    with time_machine.travel(CLOCK_START + timedelta(hours=25)):
        assert not short.signed_in() and kept.signed_in()
    with time_machine.travel(CLOCK_START + timedelta(days=31)):
        assert not kept.signed_in()


def test_last_used_is_written_at_most_every_few_minutes(app, anna, statements):
    browser = Browser(app).log_in("anna@example.com")
    with time_machine.travel(CLOCK_START + timedelta(minutes=2)):
        statements.clear()
        assert browser.signed_in()
        assert not any(s.startswith("UPDATE user_sessions") for s in statements)
    with time_machine.travel(CLOCK_START + timedelta(minutes=7), tick=False):
        assert browser.signed_in()
        [row] = db.session.query(UserSession).all()
        assert row.last_used_at == CLOCK_START + timedelta(minutes=7)


def test_the_devices_page_lists_each_session_and_marks_this_one(app, anna):
    laptop = Browser(app).log_in("anna@example.com")
    Browser(app, agent=IPHONE).log_in("anna@example.com", remember=True)
    response = laptop.get("/account/devices")
    assert response.status_code == 200
    document = check_page(response)
    rows = [text_of(li) for li in document.findall(".//ul[@class='kwork-rows']/li")]
    assert len(rows) == 2
    assert any("Firefox 120 on Ubuntu" in row and "This device" in row for row in rows)
    assert any("Mobile Safari 17 on iOS" in row and "kept logged in" in row and "This device" not in row for row in rows)
    assert all("network 127.0.0.0/24" in row for row in rows)
    buttons = [text_of(b) for b in document.findall(".//button")]
    assert any(b.startswith("Sign out Mobile Safari 17 on iOS") for b in buttons)  # named for its device
    assert "Sign out everywhere else" in buttons and "Sign out everywhere" in buttons


def test_signing_out_another_device_ends_its_cookies(app, anna):
    laptop = Browser(app).log_in("anna@example.com")
    phone = Browser(app, agent=IPHONE).log_in("anna@example.com", remember=True)
    captured = phone.cookies()
    [phone_row] = [row for row in db.session.query(UserSession) if row.browser.startswith("Mobile Safari")]
    response = laptop.post(f"/account/devices/{phone_row.id}/sign-out")
    assert response.headers["Location"] == "/account/devices"
    assert "That device is signed out." in laptop.get("/account/devices").get_data(as_text=True)
    assert laptop.signed_in() and not phone.signed_in()
    assert not thief(app, captured, only="remember_token").signed_in()


def test_no_one_signs_out_someone_elses_device(app, anna, make_user):
    make_user("Mallory", email="mallory@example.com")
    victim = Browser(app).log_in("anna@example.com")
    [row] = db.session.query(UserSession).all()
    mallory = Browser(app).log_in("mallory@example.com")
    mallory.post(f"/account/devices/{row.id}/sign-out")
    assert victim.signed_in()


def test_sign_out_everywhere_else_then_everywhere(app, anna):
    laptop = Browser(app).log_in("anna@example.com")
    phone = Browser(app, agent=IPHONE).log_in("anna@example.com", remember=True)
    tablet = Browser(app).log_in("anna@example.com")
    captured = phone.cookies()
    laptop.post("/account/devices/sign-out-others")
    assert laptop.signed_in() and not phone.signed_in() and not tablet.signed_in()
    assert not thief(app, captured, only="remember_token").signed_in()
    laptop_cookies = laptop.cookies()
    response = laptop.post("/account/devices/sign-out-all")
    assert response.headers["Location"] == "/auth/login"
    assert "You are signed out on every device" in laptop.get("/auth/login").get_data(as_text=True)
    assert not laptop.signed_in() and not thief(app, laptop_cookies).signed_in()
