"""Seller levels on the pages: the public criteria page (from the same table the job decides with, in the reader's
language), the seller's own level with what is missing for the next, and the badge on cards and kwork pages."""
from datetime import datetime, timezone

from sqlalchemy import update

from webapp.domain.levels import CRITERIA
from webapp.extensions import db
from webapp.models import User

from ..pages import check_page, text_of

LEVEL_NAMES = ["Level 1", "Level 2", "Top seller"]


def test_the_criteria_page_is_a_captioned_table_from_the_levels_data(client):
    document = check_page(client.get("/levels"))
    table = document.find(".//table")
    assert text_of(table.find("caption")) == "What each seller level asks for: at least these figures"
    assert [text_of(th) for th in table.findall(".//thead//th")] == ["Criterion"] + LEVEL_NAMES
    rows = {text_of(row.find("th")): [text_of(td) for td in row.findall("td")] for row in table.findall(".//tbody/tr")}
    assert len(rows) == len(CRITERIA)
    assert rows["Completed orders"] == ["5", "25", "100"]
    assert rows["Order completion rate"] == ["80%", "90%", "95%"]
    assert rows["Days on Gigsmith"] == ["30 days", "120 days", "365 days"]
    assert all(th.get("scope") == "row" for th in table.findall(".//tbody//th"))
    footer = document.find(".//footer")
    assert any(a.get("href") == "/levels" for a in footer.iter("a"))


def test_the_criteria_page_speaks_the_readers_language(client):
    client.get("/language/ru")
    document = check_page(client.get("/levels"))
    assert text_of(document.find(".//h1")) == "Уровни продавцов"
    assert [text_of(th) for th in document.findall(".//thead//th")][1:] == ["Уровень 1", "Уровень 2", "Лучший продавец"]


def test_the_seller_dashboard_names_the_level_and_what_is_missing_for_the_next(client, login_as, make_user):
    seller = make_user("Sam", role="seller")
    login_as(seller)
    document = check_page(client.get("/account/"))
    panel = document.find(".//section[@aria-labelledby='level-heading']")
    text = text_of(panel)
    assert "Your level is New seller." in text and "Levels are updated once a day." in text
    assert text_of(panel.find(".//h3")) == "What is missing for Level 1"
    missing = [text_of(li) for li in panel.findall(".//ul/li")]
    assert missing[0] == "Completed orders: 0; Level 1 asks for at least 5."
    assert "Order completion rate: not known yet, no finished orders; Level 1 asks for at least 80%." in missing
    assert any(a.get("href") == "/levels" for a in panel.iter("a"))


def test_a_top_seller_is_told_they_hold_the_highest_level(client, login_as, make_user):
    seller = make_user("Tess", role="seller")
    db.session.execute(update(User).where(User.id == seller.id).values(level="top", level_changed_at=datetime(2026, 11, 20, 3, 30, tzinfo=timezone.utc)))
    db.session.commit()
    login_as(seller)
    text = text_of(check_page(client.get("/account/")).find(".//section[@aria-labelledby='level-heading']"))
    assert "Your level is Top seller." in text and "It last changed on" in text and "You hold the highest level." in text


def test_cards_and_the_kwork_page_show_the_level_as_a_badge_with_text(client, make_user, make_kwork):
    seller = make_user("Anna", role="seller")
    kwork = make_kwork(seller)
    db.session.execute(update(User).where(User.id == seller.id).values(level="level_2"))
    db.session.commit()
    card = check_page(client.get("/catalog/")).find(".//li[@class='kwork-card card']")
    badge = card.find(".//span[@class='badge badge--level badge--level_2']")
    assert text_of(badge) == "Seller level: Level 2"  # a screen reader hears the whole sentence, the eye "Level 2"
    page = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    link = page.find(".//a[@class='badge badge--level badge--level_2']")
    assert link.get("href") == "/levels" and text_of(link) == "Seller level: Level 2"
