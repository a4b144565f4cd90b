"""Forgotten password and reset pages: one answer whether or not the address has an account, rate-limited, a link
that works once and for an hour; the change-password page."""
from datetime import timedelta

import time_machine

from webapp.services import accounts

from ..conftest import PASSWORD
from ..mail import deliver, link_in, mails_to
from ..pages import check_page, text_of

NEW = "plum tractor lantern"


def ask(client, email: str):
    return client.post("/auth/forgot-password", data={"email": email})


def seen(client, response) -> tuple:
    page = client.get(response.headers["Location"])
    return response.status_code, response.headers["Location"], text_of(check_page(page).find(".//main"))


def test_the_answer_is_the_same_for_an_address_with_or_without_an_account(app, make_user):
    make_user("Anna", email="anna@example.com")
    known = seen(browser := app.test_client(), ask(browser, "anna@example.com"))
    unknown = seen(browser := app.test_client(), ask(browser, "nobody@example.com"))
    assert known[:2] == unknown[:2] == (302, "/auth/check-email?about=password")
    assert known[2].replace("anna@example.com", "ADDRESS") == unknown[2].replace("nobody@example.com", "ADDRESS")
    assert "If an account exists for ADDRESS, we sent a link" in known[2].replace("anna@example.com", "ADDRESS")
    deliver()
    assert len(mails_to("anna@example.com")) == 1 and mails_to("nobody@example.com") == []


def test_asking_is_limited_per_client_and_per_address_asked_about(app, client, make_user, monkeypatch):
    make_user(email="anna@example.com")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_EMAIL_RATE_LIMIT", "2 per hour")
    assert [ask(app.test_client(), "anna@example.com").status_code for _ in range(3)] == [302, 302, 429]
    assert ask(app.test_client(), "carla@example.com").status_code == 302
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "3 per hour")
    client = app.test_client()
    assert [ask(client, f"user{n}@example.com").status_code for n in range(4)] == [302, 302, 302, 429]
    deliver()
    assert len(mails_to("anna@example.com")) == 2  # no one floods a mailbox


def test_a_bad_address_is_a_field_error(client, ctx):
    response = client.post("/auth/forgot-password", data={"email": "not an address"})
    assert response.status_code == 422
    assert check_page(response).find(".//input[@id='email']").get("value") == "not an address"


def reset_path(client, email="anna@example.com") -> str:
    ask(client, email)
    deliver()
    return link_in(mails_to(email)[-1], "/auth/reset-password/")


def test_the_link_opens_a_form_and_works_once(client, make_user):
    make_user(email="anna@example.com")
    path = reset_path(client)
    page = check_page(client.get(path))
    assert page.find(".//h1").text == "Choose a new password"
    weak = client.post(path, data={"password": "aaaaaaaaaa", "confirm": "aaaaaaaaaa"})
    assert weak.status_code == 422 and "easy to guess" in text_of(check_page(weak).find(".//div[@class='error-summary']"))
    done = client.post(path, data={"password": NEW, "confirm": NEW})
    assert done.headers["Location"] == "/auth/login"
    assert "Log in with your new password" in client.get("/auth/login").get_data(as_text=True)
    replay = client.post(path, data={"password": "someone else's pick", "confirm": "someone else's pick"})
    assert replay.status_code == 200 and "already used" in text_of(check_page(replay).find(".//main"))
    assert "already used" in client.get(path).get_data(as_text=True)
    assert accounts.authenticate("anna@example.com", NEW) is not None


def test_an_expired_link_says_so_and_offers_a_new_one(client, make_user):
    make_user(email="anna@example.com")
    path = reset_path(client)
    with time_machine.travel(timedelta(hours=1, minutes=1)):
        response = client.post(path, data={"password": NEW, "confirm": NEW})
    main = text_of(check_page(response).find(".//main"))
    assert "This link has expired." in main and "Ask for a new link" in main
    assert accounts.authenticate("anna@example.com", PASSWORD) is not None


def test_the_login_page_links_to_the_reset(client, ctx):
    assert check_page(client.get("/auth/login")).find(".//a[@href='/auth/forgot-password']") is not None


def test_the_change_password_page(client, login_as, make_user):
    login_as(make_user())
    document = check_page(client.get("/account/password"))
    assert [i.get("autocomplete") for i in document.findall(".//input[@type='password']")] == [
        "current-password", "new-password", "new-password"]  # fmt: skip


def test_changing_the_password_is_rate_limited_per_user(app, client, login_as, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    login_as(make_user())
    wrong = {"current_password": "guess", "password": NEW, "confirm": NEW}
    assert [client.post("/account/password", data=wrong).status_code for _ in range(3)] == [422, 422, 429]
