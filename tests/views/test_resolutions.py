"""The partial refund on the order page, with and without htmx: offer, errors kept, answer, the split shown."""
from ..pages import check_page, text_of


def test_seller_offers_and_buyer_accepts_a_partial_refund(client, login_as, make_order):
    order = make_order("delivered")
    login_as(order.seller)
    page = check_page(client.get(f"/orders/{order.id}"))
    assert page.find(".//details[@id='refund-box']") is not None
    response = client.post(f"/orders/{order.id}/partial-refund", data={"refund": "5000", "refund_comment": "Sorry"})
    assert response.status_code == 422
    page = check_page(response)
    assert page.find(".//details[@id='refund-box']").get("open") is not None
    assert "from 1 to 1,999" in text_of(page.find(".//p[@id='refund-error']"))
    assert page.find(".//input[@id='refund']").get("value") == "5000"
    response = client.post(f"/orders/{order.id}/partial-refund", data={"refund": "500", "refund_comment": "Sorry"})
    assert response.status_code == 302
    page = check_page(client.get(f"/orders/{order.id}"))
    assert "You offered a partial refund of" in text_of(page.find(".//div[@id='refund-offer']"))

    login_as(order.buyer)
    page = check_page(client.get(f"/orders/{order.id}"))
    offer = text_of(page.find(".//div[@id='refund-offer']"))
    assert "offers a partial refund of" in offer and "Sorry" in offer
    missing = client.post(f"/orders/{order.id}/partial-refund/answer", data={})
    assert missing.status_code == 422
    assert check_page(missing).find(".//p[@id='refund_accept-error']") is not None
    response = client.post(f"/orders/{order.id}/partial-refund/answer", data={"refund_accept": "yes"})
    assert response.status_code == 302
    assert order.state == "completed"
    history = text_of(check_page(client.get(f"/orders/{order.id}")).find(".//ol[@class='history']"))
    assert "offered a partial refund" in history and "accepted the partial refund" in history


def test_the_buyer_cannot_offer_and_a_stranger_gets_404(client, login_as, make_order, make_user):
    order = make_order("delivered")
    login_as(order.buyer)
    assert check_page(client.get(f"/orders/{order.id}")).find(".//details[@id='refund-box']") is None
    response = client.post(f"/orders/{order.id}/partial-refund", data={"refund": "500"})
    assert response.status_code in (302, 404)
    login_as(make_user("Stranger"))
    assert client.post(f"/orders/{order.id}/partial-refund", data={"refund": "500"}).status_code == 404


def test_the_buyer_tips_and_the_seller_sees_it(client, login_as, make_order, fund):
    order = make_order("completed")
    login_as(order.buyer)
    page = check_page(client.get(f"/orders/{order.id}"))
    assert page.find(".//details[@id='tip-box']") is not None
    broke = client.post(f"/orders/{order.id}/tip", data={"tip": "300"})
    assert broke.status_code == 422
    assert "balance is too low" in text_of(check_page(broke).find(".//p[@id='tip-error']"))
    fund(order.buyer, 300)
    assert client.post(f"/orders/{order.id}/tip", data={"tip": "300"}).status_code == 302
    assert "You tipped the seller" in text_of(check_page(client.get(f"/orders/{order.id}")).find(".//div[@id='order-tip']"))
    login_as(order.seller)
    seen = text_of(check_page(client.get(f"/orders/{order.id}")).find(".//div[@id='order-tip']"))
    assert "The buyer tipped you" in seen and "after the platform’s commission" in seen
