from ..pages import check_page, parse, text_of


def test_heart_without_javascript_saves_and_returns_to_the_page(client, login_as, make_user, make_kwork):
    kwork = make_kwork(make_user("Seller", role="seller"))
    login_as(make_user("Buyer"))
    page = check_page(client.get("/catalog/"))
    button = page.find(f".//button[@id='favourite-card-{kwork.id}']")
    assert button.get("aria-pressed") == "false" and "Save to favourites: I will set up a VPS server" in text_of(button)
    response = client.post(f"/catalog/kworks/{kwork.id}/favourite", data={"favourite": "1", "next": "/catalog/?q=vps"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/catalog/?q=vps")
    page = check_page(client.get("/catalog/?q=vps"))
    assert "Saved to your favourites." in text_of(page.find(".//main"))
    assert page.find(f".//button[@id='favourite-card-{kwork.id}']").get("aria-pressed") == "true"
    favourites = check_page(client.get("/catalog/favourites"))
    assert [text_of(h) for h in favourites.findall(".//h3")] == ["I will set up a VPS server"]
    response = client.post(f"/catalog/kworks/{kwork.id}/favourite", data={"favourite": "0", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith(f"/catalog/kworks/{kwork.id}")
    assert "You have no favourites yet" in text_of(check_page(client.get("/catalog/favourites")).find(".//main"))


def test_heart_with_htmx_swaps_itself_and_announces(client, login_as, make_user, make_kwork):
    kwork = make_kwork(make_user("Seller", role="seller"))
    login_as(make_user("Buyer"))
    response = client.post(f"/catalog/kworks/{kwork.id}/favourite", data={"favourite": "1", "where": "page"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = parse(response)
    button = fragment.find(f".//button[@id='favourite-page-{kwork.id}']")
    assert button.get("aria-pressed") == "true" and text_of(button) == "Save to favourites"
    assert fragment.find(".//input[@name='favourite']").get("value") == "0"
    assert text_of(fragment.find(".//div[@hx-swap-oob='innerHTML:#sr-status']")) == "Saved to your favourites."


def test_visitors_get_a_login_link_and_bad_posts_are_refused(client, login_as, make_user, make_kwork):
    kwork = make_kwork(make_user("Seller", role="seller"))
    page = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    link = page.find(".//a[@class='favourite favourite--page favourite__button']")
    assert "/auth/login?next=" in link.get("href") and text_of(link) == "Log in to save to favourites"
    assert client.post(f"/catalog/kworks/{kwork.id}/favourite", data={"favourite": "1"}).status_code == 302  # to login
    login_as(make_user("Buyer"))
    assert client.post(f"/catalog/kworks/{kwork.id}/favourite", data={"favourite": "maybe"}).status_code == 400
    assert client.post("/catalog/kworks/999/favourite", data={"favourite": "1"}).status_code == 404
