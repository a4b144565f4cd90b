"""Conversations: who may write, one thread per pair, unread counters, the pre-check, reports, notifications and the
response time."""
from datetime import datetime, timedelta, timezone

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.models import ConversationMember, MessageReport, Notification
from webapp.services import blocking, conversations

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


@pytest.fixture
def pair(make_user, make_kwork):
    seller = make_user("Sam Seller", role="seller")
    buyer = make_user("Bea Buyer")
    return buyer, seller, make_kwork(seller)


def test_contacting_a_seller_twice_uses_one_thread_and_counts_unread(pair):
    buyer, seller, kwork = pair
    first = conversations.start(buyer, seller, kwork, "Can you set up nginx too?", [], NOW)
    second = conversations.start(buyer, seller, None, "And a firewall?", [], NOW + timedelta(minutes=1))
    assert first.conversation_id == second.conversation_id
    conversation = conversations.get_for(seller, first.conversation_id)
    assert conversation.kwork_id == kwork.id and conversation.started_by_id == buyer.id
    assert conversations.unread_total(seller.id) == 2 and conversations.unread_total(buyer.id) == 0
    conversations.mark_read(seller, conversation)
    assert conversations.unread_total(seller.id) == 0
    reply = conversations.post(seller, conversation, "Yes, both.", [], NOW + timedelta(minutes=5))
    assert conversations.unread_total(buyer.id) == 1
    [thread] = conversations.inbox(buyer)
    assert (thread.other.id, thread.last.id, thread.unread) == (seller.id, reply.id, 1)
    assert conversation.first_reply_at == NOW + timedelta(minutes=5)


def test_nobody_else_sees_or_writes_in_a_conversation(pair, make_user):
    buyer, seller, kwork = pair
    message = conversations.start(buyer, seller, kwork, "Hello", [], NOW)
    stranger = make_user("Stan Stranger")
    with pytest.raises(conversations.ConversationNotFound):
        conversations.get_for(stranger, message.conversation_id)
    with pytest.raises(conversations.ConversationNotFound):
        conversations.post(stranger, message.conversation, "Hi", [], NOW)


@pytest.mark.parametrize("text", ["", "   \n  ", "x" * 5001])
def test_a_blank_or_overlong_message_is_a_field_error(pair, text):
    buyer, seller, kwork = pair
    with pytest.raises(ValidationFailed) as error:
        conversations.start(buyer, seller, kwork, text, [], NOW)
    assert error.value.issues[0].field == "message"


def test_nobody_writes_to_themselves_or_to_a_suspended_user(pair):
    buyer, seller, kwork = pair
    with pytest.raises(DomainError, match="yourself"):
        conversations.start(seller, seller, kwork, "Hi me", [], NOW)
    seller.suspended_at = NOW
    db.session.commit()
    with pytest.raises(DomainError, match="can’t receive messages"):
        conversations.start(buyer, seller, kwork, "Hello", [], NOW)


def test_a_blocked_buyer_cannot_write_but_the_seller_still_can(pair, make_order):
    buyer, seller, kwork = pair
    message = conversations.start(buyer, seller, kwork, "Hello", [], NOW)
    blocking.block(seller, buyer, "abusive", NOW)
    with pytest.raises(ValidationFailed) as error:
        conversations.post(buyer, message.conversation, "Why?", [], NOW)
    assert "blocked" in error.value.issues[0].message
    with pytest.raises(DomainError, match="blocked"):
        conversations.start(buyer, seller, None, "Again", [], NOW)
    assert conversations.post(seller, message.conversation, "Goodbye.", [], NOW).id


@pytest.mark.parametrize(("text", "rule"), [
    ("Write me at sam@example.com", "An e-mail address"),
    ("Call +7 916 123-45-67", "A phone number"),
    ("Let's talk on telegram", "A messenger handle or link"),
    ("Pay me directly by PayPal, no fees", "Asks to pay outside Gigsmith"),
    ("Оплата напрямую на карту, без комиссии", "Asks to pay outside Gigsmith"),
])  # fmt: skip
def test_the_precheck_flags_contacts_and_payments_between_strangers(pair, text, rule):
    buyer, seller, kwork = pair
    message = conversations.start(seller, buyer, None, text, [], NOW)
    assert message.flagged and rule in [flag["rule"] for flag in message.flags]
    assert message in conversations.flagged()


def test_the_precheck_leaves_people_with_an_order_together_alone(pair, make_order):
    buyer, seller, kwork = pair
    make_order("completed", buyer=buyer, kwork=kwork)
    message = conversations.start(seller, buyer, None, "Write me at sam@example.com", [], NOW)
    assert not message.flagged and message.flags == []


def test_a_plain_question_is_not_flagged(pair):
    buyer, seller, kwork = pair
    message = conversations.start(buyer, seller, kwork, "Before ordering: can you set up a mail server too?", [], NOW)
    assert not message.flagged


def test_reporting_a_message_and_an_admin_closing_the_reports(pair, make_user):
    buyer, seller, kwork = pair
    admin = make_user("Ada Admin", admin=True)
    message = conversations.start(seller, buyer, None, "You are an idiot", [], NOW)
    conversation = message.conversation
    with pytest.raises(DomainError, match="own message"):
        conversations.report(seller, conversation, message.id, "Mine", NOW)
    with pytest.raises(ValidationFailed):
        conversations.report(buyer, conversation, message.id, "  ", NOW)
    report = conversations.report(buyer, conversation, message.id, "Insults", NOW)
    assert conversations.report(buyer, conversation, message.id, "Again", NOW).id == report.id
    assert conversations.open_reports_count() == 1
    assert [row[0].id for row in conversations.reported()] == [conversation.id]
    assert conversations.close_reports(admin, conversation.id, "Warned the seller", NOW) == 1
    assert conversations.open_reports_count() == 0
    assert db.session.get(MessageReport, report.id).closed_by_id == admin.id


def test_one_notification_per_thread_every_fifteen_minutes_in_the_recipients_language(pair):
    buyer, seller, kwork = pair
    seller.language = "ru"
    db.session.commit()
    conversations.start(buyer, seller, kwork, "One", [], NOW)
    conversations.start(buyer, seller, kwork, "Two", [], NOW + timedelta(minutes=5))
    assert db.session.query(Notification).filter_by(user_id=seller.id, kind="new_message").count() == 1
    conversations.start(buyer, seller, kwork, "Three", [], NOW + timedelta(minutes=16))
    sent = db.session.query(Notification).filter_by(user_id=seller.id, kind="new_message").all()
    assert len(sent) == 2 and "Bea Buyer" in sent[0].text and "сообщение" in sent[0].text
    member = db.session.get(ConversationMember, (conversations.between(seller, buyer.id).id, seller.id))
    assert member.unread == 3


def test_response_time_is_the_median_first_reply_of_the_last_thirty_days(make_user):
    seller = make_user("Sam Seller", role="seller")
    for number, minutes in enumerate([30, 60, 240]):
        buyer = make_user(f"Buyer {number}")
        message = conversations.start(buyer, seller, None, "Hello?", [], NOW)
        conversations.post(seller, message.conversation, "Hi!", [], NOW + timedelta(minutes=minutes))
    old = make_user("Old Buyer")
    conversations.start(old, seller, None, "Hello?", [], NOW - timedelta(days=40))
    assert conversations.response_time(seller.id, NOW + timedelta(hours=5)) == timedelta(minutes=60)
    assert conversations.response_time(old.id, NOW) is None


def test_an_unanswered_thread_counts_up_to_now_and_an_even_count_takes_the_middle_two(make_user):
    seller = make_user("Sam Seller", role="seller")
    for number, minutes in enumerate([30, 60, 240, None]):
        buyer = make_user(f"Buyer {number}")
        message = conversations.start(buyer, seller, None, "Hello?", [], NOW)
        if minutes is not None:
            conversations.post(seller, message.conversation, "Hi!", [], NOW + timedelta(minutes=minutes))
    # Waits 30, 60, 240 and 300 minutes (the unanswered one, five hours on): the median is halfway between 60 and 240.
    assert conversations.response_time(seller.id, NOW + timedelta(hours=5)) == timedelta(minutes=150)


def test_search_by_the_other_persons_name(pair, make_user):
    buyer, seller, kwork = pair
    other = make_user("Olga Other", role="seller")
    conversations.start(buyer, seller, kwork, "Hi Sam", [], NOW)
    conversations.start(buyer, other, None, "Hi Olga", [], NOW + timedelta(minutes=1))
    assert [t.other.display_name for t in conversations.inbox(buyer)] == ["Olga Other", "Sam Seller"]
    assert [t.other.display_name for t in conversations.inbox(buyer, "sam")] == ["Sam Seller"]
    assert conversations.inbox(buyer, "100%_") == []


def test_the_email_follows_the_settings_and_the_recipients_language(pair):
    from webapp.models import SandboxMail
    from webapp.services import notifications

    buyer, seller, kwork = pair
    seller.language = "fr"
    db.session.commit()
    conversations.start(buyer, seller, kwork, "Bonjour", [], NOW)
    sent = db.session.query(Notification).filter_by(user_id=seller.id, kind="new_message").one()
    assert notifications.send_email(sent.id)
    mail = db.session.query(SandboxMail).filter_by(to=seller.email).one()
    assert "Bea Buyer vous a envoyé un message." in mail.body
    notifications.set_emailed_kinds(buyer, set(notifications.emailed_kinds(buyer)) - {"new_message"})
    conversations.post(seller, conversations.between(buyer, seller.id), "Merci", [], NOW)
    to_buyer = db.session.query(Notification).filter_by(user_id=buyer.id, kind="new_message").one()
    assert not notifications.send_email(to_buyer.id)


def test_the_inbox_pages_by_the_last_message_and_keeps_the_search(pair, make_user):
    buyer, seller, kwork = pair
    # Five threads; two share a last-message time, so the id breaks the tie.
    names = ["Ann", "Bob", "Cid", "Dan", "Bea"]
    times = [NOW, NOW + timedelta(minutes=1), NOW + timedelta(minutes=1), NOW + timedelta(minutes=2), NOW + timedelta(minutes=3)]
    for name, at in zip(names, times):
        conversations.start(buyer, make_user(name, role="seller"), None, f"Hi {name}", [], at)
    first, cursor = conversations.inbox_page(buyer, limit=2)
    assert [t.other.display_name for t in first] == ["Bea", "Dan"]
    # A new message moves a thread of a later page to the top; the next page does not shift because of it.
    cid = conversations.get_for(buyer, next(t for t in conversations.inbox(buyer, "cid")).conversation.id)
    conversations.post(buyer, cid, "Still there?", [], NOW + timedelta(minutes=5))
    token = conversations.InboxCursor.parse(cursor.token())
    assert token == cursor
    second, cursor = conversations.inbox_page(buyer, older=token, limit=2)
    assert [t.other.display_name for t in second] == ["Bob", "Ann"]
    assert cursor is None or conversations.inbox_page(buyer, older=cursor, limit=2) == ([], None)
    # Searching pages too: "b" matches Bea and Bob.
    found, cursor = conversations.inbox_page(buyer, "b", limit=1)
    assert [t.other.display_name for t in found] == ["Bea"]
    assert [t.other.display_name for t in conversations.inbox_page(buyer, "b", older=cursor, limit=1)[0]] == ["Bob"]


def test_a_cursor_that_is_not_one_gives_the_first_page():
    for token in (None, "", "abc", "12", "-3", "1-", "99999999999999999999-1", "1-2-3"):
        assert conversations.InboxCursor.parse(token) is None
