from ..pages import check_page, text_of


def test_catalog_lists_active_kworks_with_price_delivery_and_rating(client, make_user, make_kwork):
    seller = make_user("Anna")
    make_kwork(seller, title="I will set up a VPS server")
    make_kwork(seller, status="pending", title="Not yet approved")
    document = check_page(client.get("/catalog/"))
    cards = document.findall(".//li[@class='kwork-card card']")
    assert len(cards) == 1
    card = text_of(cards[0])
    assert "I will set up a VPS server" in card and "by Anna" in card
    assert "RUB 1,000" in card and "1 day" in card and "No reviews yet" in card


def test_bad_price_filter_is_a_field_error_not_a_crash(client):
    response = client.get("/catalog/?price_min=cheap&price_max=10")
    assert response.status_code == 422
    document = check_page(response)
    assert text_of(document.find(".//p[@id='price_min-error']")) == "Error: Enter the minimum price as a whole number, like 500"
    assert document.find(".//input[@id='price_min']").get("value") == "cheap"


def test_htmx_filter_returns_the_catalog_block_with_focus_and_announcement(client, make_user, make_kwork):
    make_kwork(make_user())
    response = client.get("/catalog/?q=vps", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="catalog"' in body
    assert 'id="results-heading" tabindex="-1" autofocus' in body
    assert '<div hx-swap-oob="innerHTML:#sr-status">1 service found</div>' in body


def test_kwork_page_compares_tiers_in_an_accessible_table(client, make_user, make_kwork):
    kwork = make_kwork(make_user("Anna"))
    document = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    table = document.find(".//table[@class='tier-table compare-table']")
    assert [text_of(th) for th in table.findall(".//thead//th")] == ["Package", "Economy", "Standard", "Business"]
    rows = {text_of(row.find("th")): [text_of(td) for td in row.findall("td")] for row in table.findall(".//tbody/tr")}
    assert rows["Price"] == ["RUB 1,000", "RUB 2,000", "RUB 4,000"]
    # What a screen reader hears in each cell (the tick itself is aria-hidden).
    assert [cell.replace("✓", "") for cell in rows["Server setup"]] == ["Included"] * 3
    assert "Hosting access and the domain name." in text_of(document.find(".//main"))


def test_unapproved_kwork_page_is_404_for_others(client, make_user, make_kwork):
    kwork = make_kwork(make_user(), status="pending")
    assert client.get(f"/catalog/kworks/{kwork.id}").status_code == 404


def test_seller_profile(client, make_user, make_kwork):
    from webapp.services import kworks

    seller = make_user("Anna")
    kwork = make_kwork(seller)
    kworks.add_portfolio_item(seller, title="Shop server", kwork=kwork, link_url="https://shop.example.com")
    document = check_page(client.get(f"/catalog/sellers/{seller.id}"))
    assert text_of(document.find(".//h1")) == "Anna"
    assert len(document.findall(".//li[@class='kwork-card card']")) == 1
    assert [text_of(h) for h in document.findall(".//li[@class='portfolio-card']/h3")] == ["Shop server"]
    kwork_page = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    assert kwork_page.find(".//a[@href='https://shop.example.com']") is not None
    assert client.get("/catalog/sellers/999999").status_code == 404
    # A second piece of work: the kwork page lists them newest first, as the seller's profile does.
    kworks.add_portfolio_item(seller, title="Blog server", kwork=kwork, link_url="https://blog.example.com")
    for path in (f"/catalog/kworks/{kwork.id}", f"/catalog/sellers/{seller.id}"):
        listed = [text_of(h) for h in check_page(client.get(path)).findall(".//li[@class='portfolio-card']/h3")]
        assert listed == ["Blog server", "Shop server"], path


def test_reputation_reads_as_sentences_on_cards_and_the_kwork_page(client, make_user, make_kwork, make_order):
    from webapp.services import reviews

    seller = make_user("Anna", role="seller")
    kwork = make_kwork(seller)
    order = make_order("completed", kwork=kwork)
    reviews.save_review(order.buyer, order, positive=True, text="Clear work, delivered on time. Thank you!", now=order.completed_at)
    make_order("completed", kwork=make_kwork(seller, title="I will fix a bug"))
    cards = check_page(client.get("/catalog/")).findall(".//li[@class='kwork-card card']")
    card = next(card for card in cards if "VPS" in text_of(card))
    spoken = card.find(".//p[@class='kwork-card__rating']/span[@class='visually-hidden']")
    assert text_of(spoken) == "Rated 100% positive from 1 review."
    assert "2 orders completed" in text_of(card)
    page = text_of(check_page(client.get(f"/catalog/kworks/{kwork.id}")).find(".//ul[@class='reputation']"))
    assert "Rated 100% positive from 1 review." in page and "2 orders completed" in page
    assert "Member since" in page and ("Online now" in page or "Last seen" in page or "Not seen yet" in page)
