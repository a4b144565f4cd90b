from ..pages import check_page, text_of


def test_block_from_the_order_page_then_unblock_in_settings(client, login_as, make_order):
    order = make_order("in_work")
    login_as(order.seller)
    page = check_page(client.get(f"/orders/{order.id}"))
    link = [a for a in page.iter("a") if text_of(a) == f"Block {order.buyer.display_name}"][0]
    refused = client.post(link.get("href"), data={"reason": "abusive"})
    assert refused.status_code == 422
    assert f"while order #{order.id} with them is active" in text_of(check_page(refused).find(".//div[@class='error-summary']"))
    missing = client.post(link.get("href"), data={})
    assert missing.status_code == 422 and "Select why you are blocking this buyer" in missing.get_data(as_text=True)

    done = make_order("completed", seller=order.seller, kwork=order.kwork)
    assert client.post(f"/account/blocks/{done.buyer_id}", data={"reason": "spam"}).status_code == 302
    listed = check_page(client.get("/account/blocks"))
    assert done.buyer.display_name in text_of(listed.find(".//main")) and "Spam" in text_of(listed.find(".//main"))
    client.post(f"/account/blocks/{done.buyer_id}/unblock")
    assert "You haven’t blocked anyone." in client.get("/account/blocks").get_data(as_text=True)
