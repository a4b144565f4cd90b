"""Paid extras in the kwork editor, at checkout and on the order page."""
from webapp.domain.extras import ExtraDraft
from webapp.extensions import db
from webapp.models import Kwork, Order
from webapp.services import wallet

from ..pages import check_page, parse, text_of
from .test_kworks import editor_data
from .test_orders import checkout_data

EXTRAS = [ExtraDraft("Express delivery", 500, 0), ExtraDraft("Extra page", 300, 1, True, 5)]


def test_the_editor_adds_an_extra_fieldset_focused_and_saves_it(client, login_as, make_user):
    login_as(make_user(role="seller"))
    added = client.post("/kworks/new", data=editor_data(action="add_extra"))
    assert added.status_code == 200
    document = check_page(added)
    title = document.find(".//input[@id='extras-0-title']")
    assert title.get("autofocus") is not None
    assert text_of(document.find(".//label[@for='extras-0-price']")) == "Extra 1 price"
    saved = client.post("/kworks/new", data=editor_data(action="save", **{
        "extras-0-title": "Extra page", "extras-0-price": "300", "extras-0-days": "1",
        "extras-0-quantity_allowed": "y", "extras-0-max_quantity": "5"}))  # fmt: skip
    assert saved.status_code == 302
    kwork = db.session.query(Kwork).one()
    assert [(e.title, e.price, e.days, e.quantity_allowed, e.max_quantity) for e in kwork.extras] == [("Extra page", 300, 1, True, 5)]


def test_the_editor_puts_extra_errors_on_their_fields(client, login_as, make_user):
    login_as(make_user(role="seller"))
    response = client.post("/kworks/new", data=editor_data(action="save", **{"extras-0-title": "Express", "extras-0-price": "cheap"}))
    assert response.status_code == 422
    document = check_page(response)
    assert "Enter the extra 1 price as a whole number" in text_of(document.find(".//p[@id='extras-0-price-error']"))
    assert document.find(".//input[@id='extras-0-title']").get("value") == "Express"


def test_remove_extra_with_htmx_returns_the_extras_and_an_announcement(client, login_as, make_user):
    login_as(make_user(role="seller"))
    data = editor_data(action="remove_extra-0", **{"extras-0-title": "A", "extras-1-title": "B"})
    response = client.post("/kworks/new", data=data, headers={"HX-Request": "true"})
    fragment = parse(response)
    assert [i.get("value") for i in fragment.iter("input") if i.get("name", "").endswith("-title")] == ["B"]
    assert fragment.find(".//button[@id='add-extra']").get("autofocus") is not None
    assert text_of(fragment.find(".//div[@hx-swap-oob='innerHTML:#sr-status']")) == "Extra 1 removed"


def test_checkout_shows_extras_and_a_summary_that_updates_without_paying(client, login_as, make_user, make_kwork, fund):
    kwork = make_kwork(make_user("Seller", role="seller"), extras=EXTRAS)
    buyer = make_user()
    fund(buyer, 5000)
    login_as(buyer)
    document = check_page(client.get(f"/orders/checkout/{kwork.id}?tier=standard"))
    assert text_of(document.find(".//label[@for='extras-0-chosen']")) == "Express delivery: RUB 500"
    assert "Total to payRUB 2,000" in text_of(document.find(".//section[@id='order-summary']"))
    preview = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(
        action="preview", **{"extras-0-chosen": "y", "extras-1-chosen": "y", "extras-1-quantity": "2"}))  # fmt: skip
    assert preview.status_code == 200
    summary = text_of(check_page(preview).find(".//section[@id='order-summary']"))
    assert "Total to payRUB 3,100" in summary and "Delivery time4 days" in summary
    assert db.session.query(Order).count() == 0
    paid = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(
        action="pay", **{"extras-0-chosen": "y", "extras-1-chosen": "y", "extras-1-quantity": "2"}))  # fmt: skip
    order = db.session.query(Order).one()
    assert paid.headers["Location"] == f"/orders/{order.id}"
    assert order.total == 310000 and wallet.balance(buyer) == 190000
    page = text_of(check_page(client.get(f"/orders/{order.id}")).find(".//main"))
    assert "Express delivery × 1 – RUB 500" in page and "Extra page × 2 – RUB 600" in page


def test_checkout_refuses_a_quantity_the_extra_does_not_allow_on_its_field(client, login_as, make_user, make_kwork, fund):
    kwork = make_kwork(make_user("Seller", role="seller"), extras=EXTRAS)
    buyer = make_user()
    fund(buyer, 9000)
    login_as(buyer)
    response = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(**{"extras-1-chosen": "y", "extras-1-quantity": "9"}))
    assert response.status_code == 422
    assert "Enter a quantity from 1 to 5" in text_of(parse(response).find(".//p[@id='extras-1-quantity-error']"))
    assert db.session.query(Order).count() == 0


def test_a_short_balance_keeps_the_chosen_extras_for_after_the_top_up(client, login_as, make_user, make_kwork, fund):
    kwork = make_kwork(make_user("Seller", role="seller"), extras=EXTRAS)
    buyer = make_user()
    fund(buyer, 2000)
    login_as(buyer)
    response = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(**{"extras-1-chosen": "y", "extras-1-quantity": "3"}))
    assert response.status_code == 422
    assert "You need RUB 900 more" in text_of(parse(response).find(".//main"))
    returned = parse(client.get(f"/orders/checkout/{kwork.id}"))
    assert returned.find(".//input[@id='extras-1-chosen']").get("checked") is not None
    assert returned.find(".//input[@id='extras-1-quantity']").get("value") == "3"
    assert returned.find(".//input[@id='extras-0-chosen']").get("checked") is None


def test_the_pay_button_names_the_total_with_and_without_htmx(client, login_as, make_user, make_kwork, fund):
    kwork = make_kwork(make_user("Seller", role="seller"), extras=EXTRAS)
    buyer = make_user()
    fund(buyer, 5000)
    login_as(buyer)
    document = check_page(client.get(f"/orders/checkout/{kwork.id}?tier=standard"))
    assert text_of(document.find(".//button[@id='pay-button']")) == "Pay RUB 2,000"
    assert "Balance afterRUB 3,000" in text_of(document.find(".//section[@id='order-summary']"))
    chosen = {"extras-0-chosen": "y", "extras-1-chosen": "y", "extras-1-quantity": "2"}
    # Without JavaScript: "Update the total" reloads the page with the button renamed.
    preview = check_page(client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(action="preview", **chosen)))
    assert text_of(preview.find(".//button[@id='pay-button']")) == "Pay RUB 3,100"
    # With htmx: only the summary, the renamed button out of band, and the new total said in the live region.
    swapped = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(action="preview", **chosen), headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and "<html" not in swapped.get_data(as_text=True)
    fragment = parse(swapped)
    assert "Total to payRUB 3,100" in text_of(fragment.find(".//section[@id='order-summary']"))
    assert text_of(fragment.find(".//button[@hx-swap-oob='true']")) == "Pay RUB 3,100"
    assert text_of(fragment.find(".//div[@hx-swap-oob='innerHTML:#sr-status']")) == "Total to pay: RUB 3,100"
    wrong = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(action="preview", quantity="40"), headers={"HX-Request": "true"})
    assert wrong.status_code == 422
    fragment = parse(wrong)
    assert "Enter a quantity from 1 to 10" in text_of(fragment.find(".//section[@id='order-summary']"))
    assert text_of(fragment.find(".//button[@hx-swap-oob='true']")) == "Pay and order"
