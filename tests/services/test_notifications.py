"""Who is told what: one notification per event to the party who must know or act, e-mailed by an RQ job into the
sandbox unless opted out, and timer warnings 24 hours ahead that fire once and never after the order moved on."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from webapp.adapters import mail
from webapp.domain.notifications import KINDS
from webapp.extensions import db
from webapp.models import Notification, SandboxMail, Timer
from webapp.services import cancellations, deadlines, notifications, orders, payouts, timers, voice_codes

from .test_payouts import add_card, last_spoken_code
from .test_timers import run_worker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
INFO = "I still have no access to the hosting account, so nothing can be set up."


def inbox(user) -> list[tuple[str, str]]:
    rows = db.session.query(Notification).filter_by(user_id=user.id).order_by(Notification.id)
    return [(row.kind, row.text) for row in rows]


def kinds(user) -> list[str]:
    return [kind for kind, _ in inbox(user)]


@pytest.fixture
def delivered(make_order):
    with time_machine.travel(START, tick=False):
        return make_order("delivered", now=START)


def test_every_order_step_tells_the_party_who_acts_next(make_order):
    order = make_order("awaiting_requirements", now=START)
    buyer, seller = order.buyer, order.seller
    assert kinds(seller) == ["new_order"] and kinds(buyer) == []
    [note] = db.session.query(Notification).filter_by(user_id=seller.id).all()
    assert (note.url, note.order_id, note.read_at) == (f"/orders/{order.id}", order.id, None)
    assert f"order #{order.id}" in note.text and "Buyer ordered" in note.text

    orders.send_requirements(buyer, order, "Root access and the domain", [], START)
    orders.start_work(seller, order, START)
    orders.deliver(seller, order, "Done", [], START)
    orders.request_revision(buyer, order, "Change the port", START)
    orders.deliver(seller, order, "Changed", [], START)
    orders.accept(buyer, order, START)
    assert kinds(seller) == ["new_order", "requirements_sent", "revision_requested", "order_completed"]
    assert kinds(buyer) == ["delivered", "delivered"]


def test_declining_an_extra_revision_tells_the_buyer_the_delivery_stands(make_order):
    order = make_order("delivered", now=START)
    order.revisions_included = 0
    db.session.commit()
    orders.request_revision(order.buyer, order, "One more change, please", START)
    orders.decline_revision(order.seller, order, "That was not in the package", START)
    assert "declined the extra revision" in inbox(order.buyer)[-1][1]


def test_a_cancellation_request_goes_to_the_other_party_and_its_answer_to_the_initiator(make_order):
    order = make_order("in_work", now=START)
    request = cancellations.request(order.seller, order, "force_majeure", "x" * 100, START)
    assert inbox(order.buyer)[-1] == ("cancellation_requested", f"Seller asked to cancel order #{order.id}: "
                                      f"{cancellations.rules.REASONS['force_majeure'].label}. Answer within 48 hours.")  # fmt: skip
    cancellations.answer(order.buyer, request, accept=False, reason_correct=None, now=START)
    assert inbox(order.seller)[-1] == ("cancellation_answered", f"Your request to cancel order #{order.id} was declined.")


def test_an_immediate_cancellation_tells_the_seller(make_order):
    order = make_order("new", now=START)
    cancellations.request(order.buyer, order, "mistake", "I ordered the wrong package by mistake.", START)
    assert order.state == "cancelled"
    assert inbox(order.seller)[-1][0] == "cancellation_requested" and "cancelled order" in inbox(order.seller)[-1][1]


def test_sent_information_and_an_unanswered_request_reach_the_initiator(make_order):
    order = make_order("in_work", now=START)
    request = cancellations.request(order.seller, order, "no_information", INFO, START)
    cancellations.provide_information(order.buyer, request, "Login: admin", START)
    assert inbox(order.seller)[-1][0] == "cancellation_answered" and "sent the information" in inbox(order.seller)[-1][1]

    other = make_order("in_work", now=START)
    cancellations.request(other.buyer, other, "misunderstanding", INFO, START)
    assert timers.sweep(START + timedelta(hours=49)) == 1
    assert inbox(other.buyer)[-1] == ("cancellation_answered", f"Order #{other.id} was cancelled: your request had no answer in time.")


def test_an_extension_request_tells_the_buyer(make_order):
    order = make_order("in_work", now=START)
    deadlines.request_extension(order.seller, order, 3, "The server provider is slow", START)
    assert inbox(order.buyer)[-1] == ("extension_requested",
                                      f"The seller asks for 3 more days on order #{order.id}. Without an answer in 2 days they are granted.")  # fmt: skip


def test_a_code_call_and_a_confirmed_payout_change_tell_the_user(make_user):
    seller = make_user("Seller", role="seller")
    seller.phone, seller.phone_verified_at = "+442079460958", START - timedelta(days=1)
    db.session.commit()
    add_card(seller)  # the job places the call
    assert inbox(seller) == [("voice_code_call", "We called +44 20 7946 0958 with your confirmation code.")]
    payouts.confirm(seller, last_spoken_code(), START)
    assert inbox(seller)[-1] == ("payout_change", "Your payout details changed: added Visa card ending 1111.")
    assert db.session.query(Notification).filter_by(user_id=seller.id, kind="payout_change").one().url == "/account/payouts"


def test_nothing_is_notified_when_the_change_rolls_back(make_order):
    order = make_order("in_work", now=START)
    with pytest.raises(orders.rules.IllegalTransition):
        orders.accept(order.buyer, order, START)  # not delivered: refused before anything is written
    db.session.rollback()
    assert kinds(order.seller) == ["new_order"]


# --- reading ------------------------------------------------------------------------------------------------------


def test_unread_count_mark_read_and_mark_all(make_user):
    anna, bob = make_user("Anna"), make_user("Bob")
    first = notifications.notify(anna.id, "moderation", "One")
    notifications.notify(anna.id, "moderation", "Two")
    notifications.notify(bob.id, "moderation", "Bob's")
    db.session.commit()
    assert notifications.unread_count(anna.id) == 2
    assert [n.text for n in notifications.recent(anna)] == ["Two", "One"]

    notifications.mark_read(anna, first.id, START)
    notifications.mark_read(anna, first.id, START + timedelta(hours=1))  # again: the first time stays
    assert first.read_at == START and notifications.unread_count(anna.id) == 1
    with pytest.raises(notifications.NotificationNotFound):
        notifications.mark_read(bob, first.id, START)
    assert notifications.mark_all_read(anna, START) == 1
    assert notifications.unread_count(anna.id) == 0 and notifications.unread_count(bob.id) == 1


def test_header_counts_are_the_inbox_and_bell_counts(make_user):
    from webapp.services import conversations

    anna, bob = make_user("Anna"), make_user("Bob")
    assert notifications.header_counts(anna.id) == (0, 0)
    notifications.notify(anna.id, "moderation", "One")
    notifications.notify(bob.id, "moderation", "Bob's")
    db.session.commit()
    conversations.start(bob, anna, None, "Hello Anna, a question about your work", [], START)
    conversations.start(bob, anna, None, "And one more thing", [], START + timedelta(minutes=1))
    for user in (anna, bob):
        assert notifications.header_counts(user.id) == (conversations.unread_total(user.id), notifications.unread_count(user.id))
    assert notifications.header_counts(anna.id)[0] == 2 and notifications.header_counts(bob.id)[0] == 0


def test_unknown_kinds_are_refused(make_user):
    with pytest.raises(ValueError):
        notifications.notify(make_user().id, "gossip", "Nope")


# --- e-mail -------------------------------------------------------------------------------------------------------


def test_each_notification_is_mailed_by_the_job_into_the_sandbox(make_order):
    order = make_order("new", now=START)
    assert db.session.query(SandboxMail).count() == 0  # enqueued after the commit, sent by the worker
    run_worker()
    [sent] = db.session.query(SandboxMail).all()
    assert sent.to == order.seller.email
    assert sent.subject == f"Gigsmith: Buyer ordered “{order.title}” (order #{order.id})"
    assert f"http://127.0.0.1:5000/orders/{order.id}" in sent.body
    assert "http://127.0.0.1:5000/notifications/settings" in sent.body


def test_opted_out_kinds_are_not_mailed_but_still_notified(make_order, make_user):
    seller = make_user("Seller", role="seller")
    notifications.set_emailed_kinds(seller, set(KINDS) - {"new_order"})
    assert "new_order" not in notifications.emailed_kinds(seller) and "delivered" in notifications.emailed_kinds(seller)
    order = make_order("new", seller=seller, now=START)
    orders.start_work(seller, order, START)
    orders.deliver(seller, order, "Done", [], START)
    run_worker()
    assert kinds(seller) == ["new_order"]
    assert [m.to for m in db.session.query(SandboxMail).all()] == [order.buyer.email]  # the delivery, to the buyer

    notifications.set_emailed_kinds(seller, set(KINDS))
    assert notifications.emailed_kinds(seller) == set(KINDS)


def test_smtp_backend_is_chosen_with_a_host_and_speaks_starttls(app, ctx, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ehlo(self):
            pass

        def has_extn(self, name):
            return name == "starttls"

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user, password))

        def send_message(self, message):
            sent.append(("send", message["From"], message["To"], message["Subject"], message.get_content().strip()))

    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    assert isinstance(mail.mailer(), mail.SandboxMailer)
    settings = {"SMTP_HOST": "smtp.example.com", "SMTP_PORT": 587, "SMTP_USER": "gigsmith", "SMTP_PASSWORD": "pw",
                "MAIL_FROM": "Gigsmith <no-reply@example.com>"}  # fmt: skip
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    mail.mailer().send("anna@example.com", "Hello", "Body text")
    assert sent == [("connect", "smtp.example.com", 587), ("starttls",), ("login", "gigsmith", "pw"),
                    ("send", "Gigsmith <no-reply@example.com>", "anna@example.com", "Hello", "Body text")]  # fmt: skip


# --- timer warnings -----------------------------------------------------------------------------------------------


def warnings_for(user) -> list[str]:
    return [text for kind, text in inbox(user) if kind == "timer_warning"]


def test_the_buyer_is_warned_once_24_hours_before_auto_completion(delivered):
    warning = db.session.query(Timer).filter_by(order_id=delivered.id, kind="warn_auto_complete").one()
    assert warning.due_at == START + timedelta(days=2)
    assert [t.kind for t in timers.running(delivered)] == ["auto_complete"]  # the order page lists consequences only
    with time_machine.travel(START + timedelta(days=1, hours=23), tick=False):
        run_worker()
    assert warnings_for(delivered.buyer) == []
    with time_machine.travel(START + timedelta(days=2, seconds=1), tick=False):
        run_worker()
        assert timers.fire(warning.id, START + timedelta(days=2, minutes=5)) is False  # fired: a second run does nothing
        assert timers.sweep(START + timedelta(days=2, minutes=5)) == 0
    assert warnings_for(delivered.buyer) == [f"Order #{delivered.id} will be completed automatically within 24 hours and "
                                             "the payment released to the seller. Accept the work or ask for a revision before then."]  # fmt: skip
    assert warnings_for(delivered.seller) == []
    with time_machine.travel(START + timedelta(days=3, seconds=1), tick=False):
        run_worker()
    assert delivered.state == "completed" and len(warnings_for(delivered.buyer)) == 1


def test_no_warning_once_the_order_moved_on(delivered):
    orders.accept(delivered.buyer, delivered, START + timedelta(days=1))
    warning = db.session.query(Timer).filter_by(order_id=delivered.id, kind="warn_auto_complete").one()
    assert warning.state == "cancelled"
    with time_machine.travel(START + timedelta(days=2, seconds=1), tick=False):
        run_worker()
        assert timers.fire(warning.id, START + timedelta(days=2, seconds=1)) is False
    assert warnings_for(delivered.buyer) == []


def test_a_cancellation_request_replaces_the_completion_warning_with_its_own(delivered):
    """The order freezes: no auto-completion, so no warning of it; the seller is warned to answer instead."""
    request = cancellations.request(delivered.buyer, delivered, "misunderstanding", INFO, START + timedelta(days=1))
    states = dict(db.session.query(Timer.kind, Timer.state).filter_by(order_id=delivered.id).all())
    assert states["warn_auto_complete"] == "cancelled" and states["warn_cancel_request_deadline"] == "scheduled"
    with time_machine.travel(START + timedelta(days=2, seconds=1), tick=False):
        run_worker()
    assert warnings_for(delivered.seller) == [f"Order #{delivered.id} will be cancelled within 24 hours unless you answer "
                                              "the cancellation request."]  # fmt: skip
    assert warnings_for(delivered.buyer) == [] and request.status == "open"


def test_an_answered_request_is_not_warned_about(make_order):
    order = make_order("in_work", now=START)
    request = cancellations.request(order.seller, order, "force_majeure", "x" * 100, START)
    cancellations.answer(order.buyer, request, accept=False, reason_correct=None, now=START + timedelta(hours=2))
    with time_machine.travel(START + timedelta(days=3), tick=False):
        run_worker()
        assert timers.sweep(START + timedelta(days=3)) == 0
    assert warnings_for(order.buyer) == []


def test_the_buyer_is_warned_to_send_the_information(make_order):
    with time_machine.travel(START, tick=False):
        order = make_order("in_work", now=START)
        cancellations.request(order.seller, order, "no_information", INFO, START)
    with time_machine.travel(START + timedelta(hours=24, seconds=1), tick=False):
        run_worker()
    assert warnings_for(order.buyer) == [f"Order #{order.id} will be cancelled within 24 hours unless you send the "
                                         "information the seller asked for."]  # fmt: skip
    assert order.state == "in_work"


def test_a_late_sweep_does_not_warn_about_what_already_happened(delivered):
    """Redis lost the jobs and the sweep runs after the due time: the order completes, nobody gets a stale warning."""
    assert timers.sweep(START + timedelta(days=3, minutes=5)) == 1
    assert delivered.state == "completed" and warnings_for(delivered.buyer) == []


# --- live order page ----------------------------------------------------------------------------------------------


def test_the_order_version_changes_only_when_the_summary_would(make_order):
    order = make_order("in_work", now=START)
    version = notifications.order_version(order)
    orders.post_message(order.buyer, order, "Any news?", [], START)
    assert notifications.order_version(order) == version  # messages are not part of the summary
    cancellations.request(order.seller, order, "force_majeure", "x" * 100, START)
    requested = notifications.order_version(order)
    assert requested != version
    cancellations.answer(order.buyer, order.open_cancellation, accept=True, reason_correct=True, now=START)
    assert notifications.order_version(order) not in (version, requested)


def test_voice_code_job_notifies_only_when_the_call_was_placed(make_user, monkeypatch):
    user = make_user("Anna")
    code = voice_codes.request_call(user, "+442079460958", "phone", "en", START)

    def refuse(*args):
        raise RuntimeError("provider down")

    monkeypatch.setattr(voice_codes.voice.TwilioCaller, "place_code_call", refuse)
    voice_codes.place_call(code.id, START)
    assert code.status == "failed" and inbox(user) == []
