"""Sign-up without enumeration, rate-limited per client address and per e-mail domain; the address confirmed by a
signed link before selling, withdrawing or adding payout details."""
import pytest

from webapp.extensions import db
from webapp.models import User

from ..conftest import PASSWORD
from ..mail import deliver, link_in, mails_to
from ..pages import check_page, text_of


def sign_up(client, email: str, name: str = "Nina"):
    return client.post("/auth/register", data={"display_name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD})


def answer(client, response) -> tuple:
    """Everything the person who typed the address sees: status, redirect, and the page it leads to (with the
    address itself taken out)."""
    page = client.get(response.headers["Location"])
    main = text_of(check_page(page).find(".//main"))
    return response.status_code, response.headers["Location"], page.status_code, main


def test_a_taken_address_gets_the_same_answer_as_a_new_one(app, make_user):
    make_user("Anna", email="anna@example.com")
    taken = answer(browser := app.test_client(), sign_up(browser, "anna@example.com"))
    new = answer(browser := app.test_client(), sign_up(browser, "nina@example.com"))
    assert taken[:3] == new[:3] == (302, "/auth/check-email?about=account", 200)
    assert taken[3].replace("anna@example.com", "ADDRESS") == new[3].replace("nina@example.com", "ADDRESS")
    assert "already" not in taken[3].lower()
    deliver()
    assert [m.subject for m in mails_to("anna@example.com")] == ["Gigsmith: You already have a Gigsmith account"]
    assert [m.subject for m in mails_to("nina@example.com")] == ["Gigsmith: Confirm your email address"]
    assert db.session.query(User).count() == 2


def test_sign_ups_are_limited_per_client_address(app, client, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "3 per hour")
    statuses = [sign_up(client, f"user{n}@example{n}.com").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert "Too many attempts" in sign_up(client, "late@example.org").get_data(as_text=True)


def test_sign_ups_are_limited_per_email_domain_counting_accounts_made(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_DOMAIN_RATE_LIMIT", "2 per hour")
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "100 per hour")
    clients = [app.test_client() for _ in range(4)]  # different people, one throwaway domain
    weak = clients[0].post("/auth/register", data={"display_name": "X", "email": "x@spammy.co", "password": "short", "confirm": "short"})
    assert weak.status_code == 422  # a mistake does not count against the domain
    assert [sign_up(c, f"user{n}@SPAMMY.co").status_code for n, c in enumerate(clients[:3])] == [302, 302, 429]
    assert sign_up(clients[3], "someone@other.co").status_code == 302


def test_the_confirmation_link_is_sent_again_from_the_account_page(client, login_as, make_user, monkeypatch, app):
    user = make_user("Nina", email="nina@example.com", verified=False)
    login_as(user)
    page = check_page(client.get("/account/email"))
    assert "Not confirmed yet" in text_of(page.find(".//main"))
    monkeypatch.setitem(app.config, "EMAIL_LINK_RATE_LIMIT", "2 per hour")
    response = client.post("/account/email/link")
    assert response.headers["Location"] == "/account/email"
    assert "We sent a new link to nina@example.com" in client.get("/account/email").get_data(as_text=True)
    assert client.post("/account/email/link").status_code == 302
    assert client.post("/account/email/link").status_code == 429
    deliver()
    first, second = mails_to("nina@example.com")
    assert client.get(link_in(second, "/auth/verify-email/")).status_code == 200
    assert "Confirmed on" in client.get("/account/email").get_data(as_text=True)
    # The older link still names the address: opening it again confirms nothing new and says it is confirmed.
    assert "is confirmed" in client.get(link_in(first, "/auth/verify-email/")).get_data(as_text=True)


def test_a_broken_confirmation_link_says_so_and_offers_a_new_one(client, ctx):
    response = client.get("/auth/verify-email/not-a-real-token")
    assert response.status_code == 200
    main = text_of(check_page(response).find(".//main"))
    assert "This link is not valid." in main and "Have a new one sent" in main


def test_switching_to_selling_waits_for_the_address_and_says_where_to_confirm_it(client, login_as, make_user):
    login_as(make_user(verified=False))
    response = client.post("/account/role", data={"role": "seller"})
    assert response.headers["Location"] == "/account/email"
    page = client.get("/account/email").get_data(as_text=True)
    assert "Confirm your email address first" in page and "Send the link again" in page
    assert "You are now selling" not in page


def test_submitting_a_kwork_waits_for_the_address_and_keeps_the_editor(client, login_as, make_user):
    login_as(make_user(verified=False, role="seller"))
    editor = client.get("/kworks/new").get_data(as_text=True)
    assert 'href="/account/email"' in editor  # the notice links to where the link is sent again
    response = client.post("/kworks/new", data={"action": "submit", "title": "I will set up a VPS server"})
    assert response.status_code == 422
    document = check_page(response)
    summary = text_of(document.find(".//div[@class='error-summary']"))
    assert "Confirm your email address first" in summary
    assert document.find(".//input[@id='title']").get("value") == "I will set up a VPS server"


@pytest.mark.parametrize("url, data", [
    ("/account/payouts/card", {"card_number": "4111 1111 1111 1111"}),
    ("/account/payouts/withdraw", {"detail_id": "1", "amount": "1000"}),
])  # fmt: skip
def test_payouts_wait_for_the_address(client, login_as, make_user, url, data):
    login_as(make_user(verified=False, role="seller"))
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = check_page(response)
    assert "Confirm your email address first" in text_of(page.find(".//div[@class='error-summary']"))
    assert page.find(".//a[@href='/account/email']") is not None


def test_the_new_account_speaks_the_language_of_the_sign_up_page(client, ctx):
    client.post("/auth/register", headers={"Accept-Language": "pt-BR,pt;q=0.9"},
                data={"display_name": "Nina", "email": "nina@example.com", "password": PASSWORD, "confirm": PASSWORD})  # fmt: skip
    assert db.session.query(User).filter_by(email="nina@example.com").one().language == "pt"
    deliver()
    [mail] = mails_to("nina@example.com")
    assert mail.subject == "Gigsmith: Confirme seu endereço de e-mail" and "Olá, Nina," in mail.body
