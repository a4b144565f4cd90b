"""The away-period page, and what buyers see on the kwork and seller pages while the seller is away."""
from datetime import datetime, timezone

from webapp.extensions import db
from webapp.models import User

from ..pages import check_page, text_of


def test_a_seller_sets_an_away_period_and_buyers_see_when_they_are_back(client, login_as, make_user, make_kwork):
    seller = make_user("Anna", role="seller")
    seller.timezone = "UTC"
    db.session.commit()
    kwork = make_kwork(seller)
    login_as(seller)
    page = check_page(client.get("/account/away"))
    assert text_of(page.find(".//h1")) == "Away period"

    response = client.post("/account/away", data={"away_from": "2026-11-24", "away_until": "2026-12-12", "away_message": "Hiking"})
    assert response.status_code == 302 and response.location.endswith("/account/away")
    user = db.session.get(User, seller.id)
    assert user.away_until == datetime(2026, 12, 12, tzinfo=timezone.utc) and user.away_message == "Hiking"
    followed = client.get("/account/away").get_data(as_text=True)
    assert "Your away period has been saved" in followed and "Back on" in followed and 'value="2026-12-12"' in followed

    buyer = make_user("Ben")
    buyer.timezone = "UTC"
    db.session.commit()
    login_as(buyer)
    page = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    text = text_of(page)
    assert "Back on December 12" in text and "Hiking" in text
    assert not page.findall(".//a[@class='button button--order']")
    assert "Back on December 12" in text_of(check_page(client.get(f"/catalog/sellers/{seller.id}")))
    refused = client.get(f"/orders/checkout/{kwork.id}?tier=economy", follow_redirects=True).get_data(as_text=True)
    assert "away" in refused


def test_nonsense_dates_are_errors_on_their_field_and_keep_what_was_typed(client, login_as, make_user):
    login_as(make_user("Anna", role="seller"))
    response = client.post("/account/away", data={"away_from": "2026-12-12", "away_until": "2026-12-01", "away_message": "Kept"})
    assert response.status_code == 422
    page = check_page(response)
    assert "must be after the first day" in text_of(page.find(".//*[@id='away_until-error']"))
    assert "Kept" in response.get_data(as_text=True)
    response = client.post("/account/away", data={"away_from": "garbage", "away_until": "", "away_message": ""})
    assert response.status_code == 422 and "Enter a date" in response.get_data(as_text=True)


def test_ending_the_period_early(client, login_as, make_user):
    seller = make_user("Anna", role="seller")
    login_as(seller)
    client.post("/account/away", data={"away_from": "2026-11-24", "away_until": "2026-12-12", "away_message": ""})
    response = client.post("/account/away/end", follow_redirects=True)
    assert "Welcome back" in response.get_data(as_text=True)
    assert db.session.get(User, seller.id).away_until is None
