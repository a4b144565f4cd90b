import pytest

from webapp.extensions import db
from webapp.models import User

from ..conftest import PASSWORD
from ..mail import deliver, link_in, mails_to
from ..pages import check_page, parse, text_of


def test_register_through_the_form_then_confirm_the_address_and_log_in(client, ctx):
    response = client.post(
        "/auth/register",
        data={"display_name": "Anna", "email": "anna@example.com", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.headers["Location"] == "/auth/check-email?about=account"
    page = check_page(client.get(response.headers["Location"]))
    assert "We sent an email to anna@example.com." in text_of(page.find(".//main"))
    user = db.session.query(User).filter_by(email="anna@example.com").one()
    assert user.active_role == "buyer" and user.email_verified_at is None
    assert client.get("/account/").status_code == 302  # signing up logs no one in: the answer must not differ
    deliver()
    [mail] = mails_to("anna@example.com")
    confirmed = client.get(link_in(mail, "/auth/verify-email/"))
    assert confirmed.status_code == 200 and "anna@example.com is confirmed" in confirmed.get_data(as_text=True)
    client.post("/auth/login", data={"email": "anna@example.com", "password": PASSWORD})
    assert "Hello, Anna" in client.get("/account/").get_data(as_text=True)


def test_register_errors_keep_what_was_typed(client, make_user):
    make_user(email="taken@example.com")
    response = client.post(
        "/auth/register",
        data={"display_name": "Anna", "email": "taken@example.com", "password": "short", "confirm": "short"},
    )
    assert response.status_code == 422
    document = check_page(response)
    assert document.find(".//title").text.startswith("Error: ")
    summary = [(a.get("href"), text_of(a)) for a in document.findall(".//div[@class='error-summary']//a")]
    # Nothing is said about the address being taken: only what depends on what was typed.
    assert summary == [("#password", "Password must be at least 10 characters")]
    assert document.find(".//input[@id='display_name']").get("value") == "Anna"
    assert document.find(".//input[@id='email']").get("value") == "taken@example.com"
    assert document.find(".//input[@id='email']").get("aria-describedby") is None
    assert document.find(".//input[@id='password']").get("aria-describedby") == "password-hint password-error"


def test_register_requires_matching_passwords(client, ctx):
    response = client.post(
        "/auth/register",
        data={"display_name": "Anna", "email": "anna@example.com", "password": PASSWORD, "confirm": "different"},
    )
    assert response.status_code == 422
    assert "The passwords do not match" in text_of(parse(response).find(".//p[@id='confirm-error']"))
    assert db.session.query(User).count() == 0


def test_login_through_the_real_form_and_logout(client, make_user):
    make_user("Anna", email="anna@example.com")
    response = client.post("/auth/login?next=/kworks/", data={"email": "anna@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/kworks/"
    assert client.get("/account/").status_code == 200
    client.post("/auth/logout")
    assert client.get("/account/").status_code == 302


def test_login_never_redirects_off_site(client, make_user):
    make_user(email="anna@example.com")
    response = client.post("/auth/login?next=//evil.example/", data={"email": "anna@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/account/"


@pytest.mark.parametrize("email", ["anna@example.com", "nobody@example.com"])
def test_wrong_credentials_get_one_message_whichever_part_was_wrong(client, make_user, email):
    make_user(email="anna@example.com")
    response = client.post("/auth/login", data={"email": email, "password": "wrong password"})
    assert response.status_code == 422
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert parse(response).find(".//input[@id='email']").get("value") == email


def test_login_is_rate_limited(client, make_user):
    make_user(email="anna@example.com")
    statuses = [
        client.post("/auth/login", data={"email": "anna@example.com", "password": "guess"}).status_code for _ in range(6)
    ]
    assert statuses == [422] * 5 + [429]
    assert "Too many attempts" in client.post("/auth/login", data={}).get_data(as_text=True)


def test_csrf_is_enforced_when_enabled(app, client, make_user):
    make_user(email="anna@example.com")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/auth/login", data={"email": "anna@example.com", "password": PASSWORD})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
