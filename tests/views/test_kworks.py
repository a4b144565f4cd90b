from webapp.extensions import db
from webapp.models import Kwork, PortfolioItem

from ..conftest import category_id
from ..pages import check_page, parse, text_of


def editor_data(**changes) -> dict:
    data = {
        "title": "I will set up a VPS server",
        "category_id": str(category_id()),
        "description": "Server setup from scratch.",
        "buyer_instructions": "Hosting access.",
        "is_packaged": "yes",
        "economy-price": "1 000", "economy-delivery_days": "1", "economy-revisions": "1", "economy-description": "Basic",
        "standard-price": "2,000", "standard-delivery_days": "2", "standard-revisions": "2", "standard-description": "More",
        "business-price": "4000", "business-delivery_days": "3", "business-revisions": "3", "business-description": "All",
        "options-0-name": "Server setup", "options-0-economy": "y", "options-0-business": "y",
        "action": "submit",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_seller_creates_a_packaged_kwork(client, login_as, make_user):
    seller = make_user(role="seller")
    login_as(seller)
    response = client.post("/kworks/new", data=editor_data())
    assert response.status_code == 302
    kwork = db.session.query(Kwork).one()
    assert (kwork.status, kwork.seller_id, kwork.tier("standard").price) == ("pending", seller.id, 2000)
    assert {t.level for t in kwork.options[0].tiers} == {"economy", "business"}
    assert "Waiting for moderation" in client.get("/kworks/").get_data(as_text=True)


def test_editor_page_is_accessible_and_names_every_checkbox_by_row_and_column(client, login_as, make_user, make_kwork):
    seller = make_user(role="seller")
    kwork = make_kwork(seller)
    login_as(seller)
    document = check_page(client.get(f"/kworks/{kwork.id}/edit"))
    labels = {label.get("for"): text_of(label) for label in document.iter("label")}
    assert labels["options-0-economy"] == "Server setup, Economy"
    assert labels["options-0-business"] == "Server setup, Business"
    assert labels["standard-price"] == "Standard price"
    grid = document.find(".//fieldset[@id='options-editor']")
    assert text_of(grid.find("legend")) == "Which options does each package include?"
    assert [text_of(th) for th in grid.findall(".//thead//th")] == ["Option", "Economy", "Standard", "Business", "Remove"]


def test_missing_fields_are_listed_as_links_to_each_field(client, login_as, make_user):
    login_as(make_user(role="seller"))
    document = check_page(client.get("/kworks/new"))
    links = document.findall(".//div[@class='checklist']//a")
    assert [a.get("href") for a in links][:5] == ["#title", "#category_id", "#description", "#buyer_instructions", "#economy-price"]
    assert len(links) == 16
    for link in links:
        assert document.find(f".//*[@id='{link.get('href')[1:]}']") is not None


def test_submitting_incomplete_kwork_is_refused_with_errors_and_keeps_input(client, login_as, make_user):
    login_as(make_user(role="seller"))
    response = client.post(
        "/kworks/new", data=editor_data(**{"business-price": "", "standard-price": "lots", "economy-description": "Kept"})
    )
    assert response.status_code == 422
    document = check_page(response)
    assert document.find(".//title").text.startswith("Error: ")
    summary = document.find(".//div[@class='error-summary']")
    assert summary.get("tabindex") == "-1" and summary.get("autofocus") is not None
    assert [(a.get("href"), text_of(a)) for a in summary.findall(".//a")] == [
        ("#standard-price", "Enter the Standard price as a whole number, like 1500"),
        ("#business-price", "Enter the Business price"),
    ]
    assert document.find(".//input[@id='standard-price']").get("value") == "lots"
    assert document.find(".//input[@id='economy-description']").get("value") == "Kept"
    assert document.find(".//input[@id='options-0-economy']").get("checked") is not None
    assert document.find(".//input[@id='business-price']").get("aria-describedby") == "business-price-error"
    assert db.session.query(Kwork).count() == 0


def test_draft_can_be_saved_incomplete(client, login_as, make_user):
    login_as(make_user(role="seller"))
    response = client.post("/kworks/new", data={"title": "Just a title", "action": "save", "is_packaged": "yes"})
    kwork = db.session.query(Kwork).one()
    assert response.headers["Location"] == f"/kworks/{kwork.id}/edit"
    assert kwork.status == "draft"


def test_add_option_without_javascript_returns_the_page_with_the_new_row_focused(client, login_as, make_user):
    login_as(make_user(role="seller"))
    response = client.post("/kworks/new", data=editor_data(action="add_option", title="Typed title"))
    assert response.status_code == 200
    document = check_page(response)
    new_name = document.find(".//input[@id='options-1-name']")
    assert new_name.get("autofocus") is not None
    assert document.find(".//input[@id='title']").get("value") == "Typed title"
    assert db.session.query(Kwork).count() == 0  # adding a row saves nothing


def test_add_option_with_htmx_returns_only_the_grid_and_an_announcement(client, login_as, make_user):
    login_as(make_user(role="seller"))
    response = client.post("/kworks/new", data=editor_data(action="add_option"), headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert body.lstrip().startswith('<fieldset class="fieldset options-editor" id="options-editor"')
    assert "<html" not in body and 'id="title"' not in body
    fragment = parse(response)
    assert fragment.find(".//input[@id='options-1-name']").get("autofocus") is not None
    announcement = fragment.find(".//div[@hx-swap-oob='innerHTML:#sr-status']")
    assert text_of(announcement) == "Option 2 added"


def test_remove_option_keeps_the_other_rows(client, login_as, make_user):
    login_as(make_user(role="seller"))
    data = editor_data(action="remove_option-0", **{"options-1-name": "Backups", "options-1-standard": "y"})
    response = client.post("/kworks/new", data=data, headers={"HX-Request": "true"})
    fragment = parse(response)
    names = [i.get("value") for i in fragment.iter("input") if i.get("name", "").endswith("-name")]
    assert names == ["Backups"]
    assert fragment.find(".//button[@id='add-option']").get("autofocus") is not None
    assert text_of(fragment.find(".//div[@hx-swap-oob='innerHTML:#sr-status']")) == "Option 1 removed"


def test_single_package_kwork_keeps_hidden_tier_values(client, login_as, make_user):
    login_as(make_user(role="seller"))
    client.post("/kworks/new", data=editor_data(is_packaged="no", action="save"))
    kwork = db.session.query(Kwork).one()
    assert kwork.is_packaged is False and kwork.tier("business").price == 4000
    document = check_page(client.get(f"/kworks/{kwork.id}/edit"))
    assert document.find(".//input[@id='business-price']").get("type") == "hidden"
    assert [text_of(th) for th in document.findall(".//fieldset[@id='options-editor']//thead//th")] == [
        "Option", "Included", "Remove"
    ]  # fmt: skip


def test_a_seller_cannot_see_or_change_another_sellers_kwork(client, login_as, make_user, make_kwork):
    owner, intruder = make_user(role="seller"), make_user(role="seller")
    kwork = make_kwork(owner)
    login_as(intruder)
    assert client.get(f"/kworks/{kwork.id}/edit").status_code == 404
    assert client.post(f"/kworks/{kwork.id}/edit", data=editor_data(title="Hijacked")).status_code == 404
    assert client.post(f"/kworks/{kwork.id}/pause").status_code == 404
    assert client.post(f"/kworks/{kwork.id}/delete", data={"portfolio": "delete"}).status_code == 404
    db.session.refresh(kwork)
    assert (kwork.title, kwork.status, kwork.deleted_at) == ("I will set up a VPS server", "active", None)


def test_pause_and_activate_buttons(client, login_as, make_user, make_kwork):
    seller = make_user(role="seller")
    kwork = make_kwork(seller)
    login_as(seller)
    client.post(f"/kworks/{kwork.id}/pause")
    assert kwork.status == "paused"
    assert client.get(f"/catalog/kworks/{kwork.id}").status_code == 200  # its seller still sees it
    client.post(f"/kworks/{kwork.id}/activate")
    assert kwork.status == "active"


def test_delete_asks_about_portfolio_and_requires_an_answer(client, login_as, make_user, make_kwork):
    seller = make_user(role="seller")
    kwork = make_kwork(seller)
    db.session.add(PortfolioItem(seller_id=seller.id, kwork_id=kwork.id, title="Site", link_url="https://example.com"))
    db.session.commit()
    login_as(seller)
    document = check_page(client.get(f"/kworks/{kwork.id}/delete"))
    assert text_of(document.find(".//legend")) == "What should happen to this kwork’s portfolio items?"
    refused = client.post(f"/kworks/{kwork.id}/delete", data={})
    assert refused.status_code == 422 and kwork.deleted_at is None
    assert "Select what should happen to the portfolio items" in refused.get_data(as_text=True)
    client.post(f"/kworks/{kwork.id}/delete", data={"portfolio": "keep"})
    assert kwork.deleted_at is not None
    assert db.session.query(PortfolioItem).one().kwork_id is None


def test_portfolio_upload_form(client, login_as, make_user, make_kwork):
    import io

    seller = make_user(role="seller")
    kwork = make_kwork(seller)
    login_as(seller)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    response = client.post(
        "/kworks/portfolio",
        data={"title": "Dashboard", "kwork_id": str(kwork.id), "image": (io.BytesIO(png), "shot.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    item = db.session.query(PortfolioItem).one()
    assert item.kwork_id == kwork.id and item.image_name.endswith(".png")
    image = client.get(f"/catalog/images/{item.image_name}")
    assert image.status_code == 200 and image.data == png

    refused = client.post("/kworks/portfolio", data={"title": "Nothing attached"}, content_type="multipart/form-data")
    assert refused.status_code == 422
    document = check_page(refused)
    assert document.find(".//input[@id='title']").get("value") == "Nothing attached"
    assert "Upload an image or enter a link to the work" in text_of(document.find(".//p[@id='image-error']"))
