"""Upgrades on the order page without JavaScript: propose (errors kept, 422), answer (a short balance points to the
top-up), withdraw, each POST redirecting with a flash message; the history records each step."""
from webapp.domain.extras import ExtraDraft
from webapp.services import ledger

from ..pages import check_page, text_of

EXTRAS = [ExtraDraft("Express delivery", 500, 0), ExtraDraft("Extra page", 300, 1, True, 5)]


def _order(make_user, make_kwork, make_order, state="in_work"):
    seller = make_user("Seller", role="seller")
    return make_order(state, kwork=make_kwork(seller, extras=EXTRAS))


def test_seller_proposes_buyer_tops_up_and_accepts(client, login_as, make_user, make_kwork, make_order, fund):
    order = _order(make_user, make_kwork, make_order)
    page_extra = order.kwork.extras[1]
    login_as(order.seller)
    page = check_page(client.get(f"/orders/{order.id}"))
    box = page.find(".//details[@id='upgrade-box']")
    assert box is not None and "Extra page" in text_of(box) and "Extra revisions" in text_of(box)

    wrong = client.post(f"/orders/{order.id}/upgrades", data={"upgrade_item": "custom", "upgrade_title": "", "upgrade_price": "12",
                                                              "upgrade_days": "2", "upgrade_comment": "Kept text"})
    assert wrong.status_code == 422
    page = check_page(wrong)
    assert page.find(".//details[@id='upgrade-box']").get("open") is not None
    assert page.find(".//p[@id='upgrade_title-error']") is not None and page.find(".//p[@id='upgrade_price-error']") is not None
    assert page.find(".//input[@id='upgrade_price']").get("value") == "12"
    assert "Kept text" in text_of(page.find(".//textarea[@id='upgrade_comment']"))
    assert page.find(".//title").text.startswith("Error")

    done = client.post(f"/orders/{order.id}/upgrades", data={"upgrade_item": f"extra-{page_extra.id}", "upgrade_quantity": "2"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/orders/{order.id}#upgrades")
    page = check_page(client.get(f"/orders/{order.id}"))
    assert "Upgrade proposed" in text_of(page.find(".//main"))
    assert "You proposed an upgrade" in text_of(page.find(".//div[@id='upgrade-proposal']"))
    assert page.find(".//details[@id='upgrade-box']") is None  # one open proposal at a time

    login_as(order.buyer)
    page = check_page(client.get(f"/orders/{order.id}"))
    proposal = page.find(".//div[@id='upgrade-proposal']")
    assert "Extra page × 2" in text_of(proposal) and "proposes an upgrade" in text_of(proposal)
    proposal_id = proposal.find(".//input[@name='proposal']").get("value")
    missing = client.post(f"/orders/{order.id}/upgrades/answer", data={"proposal": proposal_id})
    assert missing.status_code == 422 and check_page(missing).find(".//p[@id='upgrade_answer-error']") is not None

    short = client.post(f"/orders/{order.id}/upgrades/answer", data={"proposal": proposal_id, "upgrade_answer": "yes"})
    assert short.status_code == 422
    page = check_page(short)
    assert "short of this upgrade" in text_of(page.find(".//p[@id='upgrade_answer-error']"))
    top_up = page.find(".//div[@id='upgrade-proposal']//a[@class='button button--secondary']")
    assert "/wallet/?amount=600" in top_up.get("href")

    fund(order.buyer, 600)
    paid = client.post(f"/orders/{order.id}/upgrades/answer", data={"proposal": proposal_id, "upgrade_answer": "yes"})
    assert paid.status_code == 302
    page = check_page(client.get(f"/orders/{order.id}"))
    assert "Upgrade accepted and paid" in text_of(page.find(".//main"))
    assert "Extra page × 2" in text_of(page.find(".//div[@id='upgrades-bought']"))
    assert ledger.balance(ledger.escrow_code(order.id)) == 200000 + 60000
    history = text_of(page.find(".//ol[@class='history']"))
    assert "proposed an upgrade" in history and "accepted and paid for the upgrade" in history


def test_buyer_declines_and_seller_withdraws(client, login_as, make_user, make_kwork, make_order):
    order = _order(make_user, make_kwork, make_order)
    login_as(order.seller)
    form = {"upgrade_item": "revisions", "upgrade_quantity": "1", "upgrade_price": "400", "upgrade_days": "1"}
    assert client.post(f"/orders/{order.id}/upgrades", data=form).status_code == 302
    login_as(order.buyer)
    proposal_id = check_page(client.get(f"/orders/{order.id}")).find(".//div[@id='upgrade-proposal']//input[@name='proposal']").get("value")
    assert client.post(f"/orders/{order.id}/upgrades/answer", data={"proposal": proposal_id, "upgrade_answer": "no"}).status_code == 302
    assert "Upgrade declined" in text_of(check_page(client.get(f"/orders/{order.id}")).find(".//main"))

    login_as(order.seller)
    assert client.post(f"/orders/{order.id}/upgrades", data=form).status_code == 302
    page = check_page(client.get(f"/orders/{order.id}"))
    proposal_id = page.find(".//div[@id='upgrade-proposal']//input[@name='proposal']").get("value")
    assert client.post(f"/orders/{order.id}/upgrades/withdraw", data={"proposal": proposal_id}).status_code == 302
    page = check_page(client.get(f"/orders/{order.id}"))
    assert "Upgrade proposal withdrawn" in text_of(page.find(".//main")) and page.find(".//div[@id='upgrade-proposal']") is None
    # A second withdrawal of the same proposal is refused with the reason flashed.
    again = client.post(f"/orders/{order.id}/upgrades/withdraw", data={"proposal": proposal_id})
    assert again.status_code == 302
    assert "no upgrade proposal for you to withdraw" in text_of(check_page(client.get(f"/orders/{order.id}")).find(".//main"))


def test_no_proposal_form_outside_work_and_strangers_get_404(client, login_as, make_user, make_kwork, make_order):
    order = _order(make_user, make_kwork, make_order, state="delivered")
    login_as(order.seller)
    assert check_page(client.get(f"/orders/{order.id}")).find(".//details[@id='upgrade-box']") is None
    refused = client.post(f"/orders/{order.id}/upgrades", data={"upgrade_item": "revisions", "upgrade_quantity": "1",
                                                                "upgrade_price": "400", "upgrade_days": "0"})
    assert refused.status_code == 302
    login_as(make_user("Stranger"))
    assert client.post(f"/orders/{order.id}/upgrades", data={"upgrade_item": "revisions"}).status_code == 404
    assert client.post(f"/orders/{order.id}/upgrades/answer", data={"proposal": "1", "upgrade_answer": "yes"}).status_code == 404


def test_the_kwork_page_lists_its_paid_extras_before_ordering(client, make_user, make_kwork):
    kwork = make_kwork(make_user("Seller", role="seller"), extras=EXTRAS)
    page = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    extras = text_of(page.find(".//ul[@class='plain-list kwork-extras']"))
    assert "Express delivery" in extras and "Extra page" in extras and "up to 5" in extras and "adds 1 day" in extras


def test_a_stale_answer_to_a_replaced_proposal_is_refused_with_the_reason(client, login_as, make_user, make_kwork, make_order, fund):
    """The buyer's page showed the first proposal; the seller withdrew it and proposed a dearer one: the answer names
    the first, so nothing is bought unseen."""
    order = _order(make_user, make_kwork, make_order)
    fund(order.buyer, 5000)
    login_as(order.seller)
    form = {"upgrade_item": "revisions", "upgrade_quantity": "1", "upgrade_price": "400", "upgrade_days": "1"}
    client.post(f"/orders/{order.id}/upgrades", data=form)
    first = check_page(client.get(f"/orders/{order.id}")).find(".//div[@id='upgrade-proposal']//input[@name='proposal']").get("value")
    client.post(f"/orders/{order.id}/upgrades/withdraw", data={"proposal": first})
    client.post(f"/orders/{order.id}/upgrades", data=form | {"upgrade_price": "4000"})
    login_as(order.buyer)
    stale = client.post(f"/orders/{order.id}/upgrades/answer", data={"proposal": first, "upgrade_answer": "yes"})
    assert stale.status_code == 302
    assert "no longer open" in text_of(check_page(client.get(f"/orders/{order.id}")).find(".//main"))
    assert ledger.balance(ledger.escrow_code(order.id)) == 200000
