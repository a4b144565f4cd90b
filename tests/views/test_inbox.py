"""The inbox pages without JavaScript (full pages and redirects) and with htmx (blocks, polling)."""
from datetime import datetime, timezone

from webapp.extensions import db
from webapp.models import ConversationMessage
from webapp.services import blocking, conversations

from ..pages import check_page, text_of

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def test_contact_the_seller_from_the_kwork_page_to_a_thread(client, login_as, make_user, make_kwork):
    seller = make_user("Sam Seller", role="seller")
    kwork = make_kwork(seller)
    buyer = make_user("Bea Buyer")
    login_as(buyer)
    page = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    link = next(a for a in page.iter("a") if text_of(a) == "Contact the seller")
    assert link.get("href") == f"/inbox/with/{seller.id}?kwork={kwork.id}"
    form_page = check_page(client.get(link.get("href")))
    assert text_of(form_page.find(".//h1")) == "Write to Sam Seller"
    empty = client.post(link.get("href"), data={"message": " "})
    assert empty.status_code == 422
    document = check_page(empty)
    assert text_of(document.find(".//p[@id='message-error']")) == "Error: Enter a message"
    assert text_of(document.find(".//title")).startswith("Error: ")
    sent = client.post(link.get("href"), data={"message": "Can you do it by Friday?"})
    assert sent.status_code == 302
    thread = client.get(sent.headers["Location"])
    document = check_page(thread)
    assert "Message sent to Sam Seller" in text_of(document)
    assert document.find(".//div[@role='log']") is not None
    assert "Can you do it by Friday?" in text_of(document.find(".//ol[@id='messages']"))
    # Contacting again goes to the same thread.
    again = client.get(link.get("href"))
    assert again.status_code == 302 and again.headers["Location"].startswith(sent.headers["Location"].split("#")[0])


def test_the_inbox_lists_threads_with_unread_state_and_the_header_counts(client, login_as, make_user):
    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    message = conversations.start(buyer, seller, None, "Hello there", [], NOW)
    login_as(seller)
    document = check_page(client.get("/inbox/"))
    nav = next(a for a in document.iter("a") if a.get("href") == "/inbox/")
    assert text_of(nav) == "Inbox 1 unread"
    assert "Bea Buyer" in text_of(document.find(".//ol[@class='threads']")) and "1 unread" in text_of(document.find(".//ol[@class='threads']"))
    check_page(client.get(f"/inbox/{message.conversation_id}"))
    document = check_page(client.get("/inbox/"))
    assert "unread" not in text_of(document.find(".//ol[@class='threads']"))
    assert "No conversations with someone called “zed”." in text_of(check_page(client.get("/inbox/?q=zed")))


def test_posting_with_htmx_appends_and_announces(client, login_as, make_user):
    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    message = conversations.start(buyer, seller, None, "Hello there", [], NOW)
    login_as(seller)
    response = client.post(f"/inbox/{message.conversation_id}/messages", data={"message": "Hi Bea"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'hx-swap-oob="beforeend:#messages"' in body and "Hi Bea" in body and "Message sent" in body


def test_polling_answers_204_until_a_message_arrives_then_appends_it(client, login_as, make_user):
    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    first = conversations.start(buyer, seller, None, "Hello there", [], NOW)
    login_as(seller)
    url = f"/inbox/{first.conversation_id}/poll?after={first.id}"
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 204
    conversations.post(buyer, first.conversation, "Are you there?", [], NOW)
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Are you there?" in body and "1 new message from Bea Buyer" in body


def test_older_messages_are_paged_in(client, login_as, make_user):
    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    first = conversations.start(buyer, seller, None, "Message 0", [], NOW)
    for number in range(1, 35):
        conversations.post(buyer, first.conversation, f"Message {number}", [], NOW)
    login_as(seller)
    document = check_page(client.get(f"/inbox/{first.conversation_id}"))
    assert "Message 0" not in text_of(document.find(".//ol[@id='messages']"))
    older = document.find(".//a[@id='older-link']")
    document = check_page(client.get(older.get("href")))
    assert text_of(document.find(".//ol[@id='messages']")).startswith("Bea Buyer")
    assert "Message 0" in text_of(document.find(".//ol[@id='messages']"))


def test_a_blocked_buyer_sees_why_and_cannot_post(client, login_as, make_user):
    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    first = conversations.start(buyer, seller, None, "Hello there", [], NOW)
    blocking.block(seller, buyer, "spam", NOW)
    login_as(buyer)
    document = check_page(client.get(f"/inbox/{first.conversation_id}"))
    assert "Sam Seller has blocked messages from you" in text_of(document)
    assert document.find(".//form[@id='message-form']") is None
    response = client.post(f"/inbox/{first.conversation_id}/messages", data={"message": "Please"})
    assert response.status_code == 422
    assert db.session.query(ConversationMessage).filter_by(body="Please").count() == 0


def test_reporting_and_the_moderation_page(client, login_as, make_user):
    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    admin = make_user("Ada Admin", admin=True)
    first = conversations.start(seller, buyer, None, "Pay me by PayPal instead", [], NOW)
    login_as(buyer)
    url = f"/inbox/{first.conversation_id}/messages/{first.id}/report"
    assert check_page(client.get(url)) is not None
    assert client.post(url, data={"reason": ""}).status_code == 422
    assert client.post(url, data={"reason": "Asks to pay outside"}).status_code == 302
    login_as(seller)
    assert client.get(url).status_code == 404  # one's own message
    login_as(admin)
    document = check_page(client.get("/moderation/conversations"))
    assert "Sam Seller and Bea Buyer" in text_of(document) or "Bea Buyer and Sam Seller" in text_of(document)
    assert "Asks to pay outside Gigsmith" in text_of(document)
    page = f"/moderation/conversations/{first.conversation_id}"
    check_page(client.get(page))
    assert client.post(page, data={"note": "Warned"}).status_code == 302
    assert conversations.open_reports_count() == 0


def test_strangers_get_404(client, login_as, make_user):
    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    first = conversations.start(buyer, seller, None, "Hello there", [], NOW)
    login_as(make_user("Stan"))
    assert client.get(f"/inbox/{first.conversation_id}").status_code == 404
    assert client.get(f"/moderation/conversations/{first.conversation_id}").status_code == 404


# Individual offers, agreement-only kworks, response time -------------------------------------------------------


def _offer_form(**changes):
    return {"description": "A landing page with a form", "price": "3 000", "delivery_days": "4", "revisions": "2",
            "expires_in_days": "3", "kwork_id": "", **changes}  # fmt: skip


def test_from_ask_for_an_offer_to_an_order_without_javascript(client, login_as, make_user, make_kwork, fund):
    from webapp.models import Order

    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    kwork = make_kwork(seller)
    login_as(buyer)
    page = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    ask = next(a for a in page.iter("a") if text_of(a) == "Ask for an individual offer").get("href")
    assert text_of(check_page(client.get(ask)).find(".//h1")) == "Describe your task for Sam Seller"
    thread = client.post(ask, data={"message": "A landing page for my bakery, by Friday"}).headers["Location"].split("#")[0]
    login_as(seller)
    document = check_page(client.get(thread))
    assert "Asks for an individual offer" in text_of(document)
    new = next(a for a in document.iter("a") if text_of(a) == "Make an individual offer").get("href")
    check_page(client.get(new))
    wrong = client.post(new, data=_offer_form(price="12", expires_in_days="99"))
    assert wrong.status_code == 422
    document = check_page(wrong)
    assert document.find(".//p[@id='price-error']") is not None and document.find(".//p[@id='expires_in_days-error']") is not None
    assert client.post(new, data=_offer_form()).status_code == 302
    login_as(buyer)
    document = check_page(client.get(thread))
    card = document.find(".//div[@class='panel offer-card']")
    assert "Waiting for the buyer" in text_of(card) and "3,000" in text_of(card)
    accept = card.find(".//form").get("action")
    short = client.post(accept)
    assert short.status_code == 302 and short.headers["Location"].startswith("/wallet/?amount=3000")
    fund(buyer, 3000)
    placed = client.post(accept)
    assert placed.status_code == 302 and placed.headers["Location"].startswith("/orders/")
    order = db.session.query(Order).filter_by(buyer_id=buyer.id).one()
    assert order.state == "new" and "A landing page for my bakery, by Friday" in order.requirements
    assert "Accepted" in text_of(check_page(client.get(thread)).find(".//div[@class='panel offer-card']"))


def test_declining_needs_a_reason_and_the_seller_can_withdraw(client, login_as, make_user, make_kwork):
    from webapp.services import offers

    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    kwork = make_kwork(seller)
    first = conversations.start(buyer, seller, kwork, "Hi", [], NOW)
    offer = offers.make(seller, first.conversation, offers.Terms("Site", 1000, 2, 1, 3), NOW)
    other = offers.make(seller, first.conversation, offers.Terms("Site again", 900, 2, 1, 3), NOW)
    login_as(buyer)
    url = f"/inbox/{first.conversation_id}/offers/{offer.id}/decline"
    check_page(client.get(url))
    assert client.post(url, data={"reason": ""}).status_code == 422
    assert client.post(url, data={"reason": "Too dear"}).status_code == 302
    login_as(seller)
    assert client.post(f"/inbox/{first.conversation_id}/offers/{other.id}/withdraw").status_code == 302
    text = text_of(check_page(client.get(f"/inbox/{first.conversation_id}")))
    assert "Declined" in text and "Too dear" in text and "Withdrawn by the seller" in text


def test_an_agreement_only_kwork_refuses_checkout_and_offers_describe_your_task(client, login_as, make_user, make_kwork):
    from webapp.models import Order

    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    kwork = make_kwork(seller)
    login_as(seller)
    assert client.post(f"/kworks/{kwork.id}/agreement", data={"value": "on"}).status_code == 302
    assert kwork.agreement_only
    login_as(buyer)
    page = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    assert not [a for a in page.iter("a") if "/orders/checkout/" in (a.get("href") or "")]
    describe = next(a for a in page.iter("a") if text_of(a) == "Describe your task")
    assert describe.get("href") == f"/inbox/with/{seller.id}?kwork={kwork.id}&ask=1"
    checkout = check_page(client.get(f"/orders/checkout/{kwork.id}"))
    assert "ordered only after agreement" in text_of(checkout)
    refused = client.post(f"/orders/checkout/{kwork.id}", data={"tier": "economy", "quantity": "1", "requirements": "x", "checkout_token": "t"})
    assert refused.status_code == 422 and db.session.query(Order).count() == 0


def test_the_response_time_shows_on_the_kwork_profile_and_dashboard(client, login_as, make_user, make_kwork):
    from datetime import timedelta

    seller = make_user("Sam Seller", role="seller")
    kwork = make_kwork(seller)
    from webapp.clock import now

    moment = now()
    first = conversations.start(make_user("Bea Buyer"), seller, kwork, "Hi", [], moment - timedelta(hours=3))
    conversations.post(seller, first.conversation, "Hello!", [], moment - timedelta(hours=1, minutes=30))
    assert "Usually replies within 2 hours" in text_of(check_page(client.get(f"/catalog/kworks/{kwork.id}")))
    assert "Usually replies within 2 hours" in text_of(check_page(client.get(f"/catalog/sellers/{seller.id}")))
    login_as(seller)
    assert "Usually replies within 2 hours" in text_of(check_page(client.get("/account/")))


def test_live_updates_can_be_paused(client, login_as, make_user):
    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    first = conversations.start(buyer, seller, None, "Hello there", [], NOW)
    login_as(seller)
    live = check_page(client.get(f"/inbox/{first.conversation_id}"))
    assert live.find(".//div[@id='poller']") is not None
    paused = check_page(client.get(f"/inbox/{first.conversation_id}?live=off"))
    assert paused.find(".//div[@id='poller']") is None and "Resume live updates" in text_of(paused)


def test_the_inbox_pages_older_conversations_with_and_without_htmx(client, login_as, make_user, monkeypatch):
    from datetime import timedelta

    monkeypatch.setattr(conversations, "INBOX_PAGE", 2)
    buyer = make_user("Bea Buyer")
    for number, name in enumerate(["Ann", "Bob", "Cid"]):
        conversations.start(buyer, make_user(name, role="seller"), None, f"Hi {name}", [], NOW + timedelta(minutes=number))
    login_as(buyer)
    document = check_page(client.get("/inbox/"))
    assert "Cid" in text_of(document.find(".//ol[@class='threads']")) and "Ann" not in text_of(document.find(".//ol[@class='threads']"))
    link = next(a for a in document.iter("a") if text_of(a) == "Older conversations")
    older = check_page(client.get(link.get("href")))
    assert text_of(older.find(".//ol[@class='threads']")).startswith("Ann")
    assert not any(text_of(a) == "Older conversations" for a in older.iter("a"))
    assert any(text_of(a) == "Back to the newest conversations" for a in older.iter("a"))
    response = client.get(link.get("href"), headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'hx-swap-oob="beforeend:#threads"' in body and "Ann" in body and "Bob" not in body
    assert "1 older conversation shown" in body and "<html" not in body
    # The search is kept in the link.
    searched = check_page(client.get("/inbox/?q=b"))
    assert not any(text_of(a) == "Older conversations" for a in searched.iter("a"))
    assert check_page(client.get("/inbox/?older=nonsense")).find(".//ol[@class='threads']") is not None


def test_the_header_count_polls_quietly_and_does_not_keep_the_session_alive(client, login_as, make_user, controlled_clock):
    from datetime import timedelta

    from webapp.models import UserSession

    seller, buyer = make_user("Sam Seller", role="seller"), make_user("Bea Buyer")
    message = conversations.start(buyer, seller, None, "Hello there", [], NOW)
    login_as(seller)
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'hx-get="/inbox/unread?shown=1"' in page and 'hx-trigger="every 60s"' in page
    htmx = {"HX-Request": "true"}
    assert client.get("/inbox/unread?shown=1", headers=htmx).status_code == 204  # unchanged: nothing swapped or said
    conversations.post(buyer, message.conversation, "Are you there?", [], NOW)
    more = client.get("/inbox/unread?shown=1", headers=htmx)
    body = more.get_data(as_text=True)
    assert more.status_code == 200 and 'id="inbox-count"' in body and 'hx-get="/inbox/unread?shown=2"' in body
    assert "2 unread messages" in body and "#sr-status" in body and "<html" not in body
    fewer = client.get("/inbox/unread?shown=5", headers=htmx).get_data(as_text=True)
    assert "shown=2" in fewer and "#sr-status" not in fewer  # read elsewhere: updated silently
    assert client.get("/inbox/unread").status_code == 302  # opened as an address: the inbox
    # Polling is not using the session: an hour later "last used" has not moved on.
    row = db.session.scalars(db.select(UserSession).where(UserSession.user_id == seller.id)).one()
    used = row.last_used_at
    controlled_clock.shift(timedelta(hours=1))
    assert client.get("/inbox/unread?shown=2", headers=htmx).status_code == 204
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).last_used_at == used
    # Signed out: 286 empties the count and stops htmx polling (never a login page in the header).
    with client.session_transaction() as session:
        session.clear()
    from flask import g

    g.pop("_login_user", None)  # requests share the test's app context, where Flask-Login keeps the user it loaded
    signed_out = client.get("/inbox/unread?shown=2", headers=htmx)
    assert signed_out.status_code == 286 and signed_out.get_data() == b""
