"""The notification centre by keyboard: the bell opens the list, "Mark as read" keeps focus on the notification and
lowers the count, the bell's poll picks up a new notification and announces it once; axe on every state."""
import re

import pytest
from playwright.sync_api import expect

from webapp.extensions import db
from webapp.models import Notification, Order
from webapp.services import notifications, orders

from .conftest import assert_focus_not_lost, assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser

SELLER_EMAIL = "sam@example.com"


@pytest.fixture
def seller_with_news(make_user, make_order):
    seller = make_user("Sam Seller", email=SELLER_EMAIL, role="seller")
    order = make_order("new", seller=seller)  # tells the seller about the new order
    approved = notifications.notify(seller.id, "moderation", "“I will set up a VPS server” was approved.", "/kworks/")
    db.session.commit()
    new_order = db.session.query(Notification).filter_by(user_id=seller.id, kind="new_order").one()
    values = {"seller_id": seller.id, "order_id": order.id, "approved_id": approved.id, "new_order_id": new_order.id}
    done_seeding()
    return values


def test_open_the_list_from_the_bell_and_mark_read_by_keyboard(page, seller_with_news):
    page.clock.install()  # the bell polls every 30 s: the test moves the page's clock instead of waiting
    log_in(page, SELLER_EMAIL)
    bell = page.locator("#notification-bell")
    expect(bell).to_have_accessible_name("Notifications, 2 unread")

    tab_to(page, bell)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("heading", level=2, name="2 unread")).to_be_visible()
    assert_no_axe_violations(page, "notification list, two unread")

    approved = seller_with_news["approved_id"]
    tab_to(page, page.locator(f"#notification-{approved}-read"))
    page.keyboard.press("Enter")
    expect(bell).to_have_accessible_name("Notifications, 1 unread")
    expect(page.locator("#sr-status")).to_have_text("Marked as read")
    expect(page.locator(f"#notification-{approved}-link")).to_be_focused()  # the button went away; focus did not
    assert_focus_not_lost(page)
    expect(page.locator(f"#notification-{approved}-read")).to_have_count(0)
    assert_no_axe_violations(page, "notification list, one read")

    # Something new happens elsewhere; the next poll brings the count and says so once.
    notifications.notify(seller_with_news["seller_id"], "review", "Bea left a positive review on order #1.", "/orders/")
    db.session.commit()
    done_seeding()
    page.clock.run_for(31_000)
    expect(bell).to_have_accessible_name("Notifications, 2 unread")
    expect(page.locator("#sr-status")).to_have_text("2 unread notifications. Newest: Bea left a positive review on order #1.")

    tab_to(page, page.get_by_role("button", name="Mark all as read"))
    page.keyboard.press("Enter")
    expect(bell).to_have_accessible_name("Notifications")
    expect(page.get_by_role("heading", level=2, name="No unread notifications")).to_be_focused()
    expect(page.locator("#sr-status")).to_have_text("All notifications marked as read")
    assert_no_axe_violations(page, "notification list, all read")

    tab_to(page, page.locator(f"#notification-{seller_with_news['new_order_id']}-link"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Order #{seller_with_news['order_id']}")


def test_e_mail_settings_by_keyboard(page, seller_with_news):
    log_in(page, SELLER_EMAIL)
    page.goto("/notifications/settings")
    assert_no_axe_violations(page, "e-mail settings")
    box = page.get_by_role("checkbox", name="A buyer ordered one of your kworks")
    tab_to(page, box)
    expect(box).to_be_checked()
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    tab_to(page, page.get_by_role("button", name="Save e-mail choices"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your e-mail choices are saved")).to_be_visible()
    expect(page.get_by_role("checkbox", name="A buyer ordered one of your kworks")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="The buyer asked for a revision")).to_be_checked()


def test_the_order_page_announces_a_change_of_state_once_without_moving_focus(page, make_user, make_order):
    buyer = make_user("Bea Buyer", email="bea@example.com")
    order = make_order("in_work", buyer=buyer)
    order_id = order.id
    done_seeding()
    page.clock.install()
    log_in(page, "bea@example.com")
    page.goto(f"/orders/{order_id}")
    message = page.get_by_role("textbox", name="Message")
    tab_to(page, message)

    page.clock.run_for(21_000)  # a poll with nothing new: no swap, nothing said
    expect(page.locator("#sr-status")).to_have_text("")

    delivered = db.session.get(Order, order_id)
    orders.deliver(delivered.seller, delivered, "The server is ready.", [], delivered.started_at)
    done_seeding()
    page.clock.run_for(21_000)
    expect(page.locator("#order-summary")).to_contain_text("Delivered")
    # The bell's poll may speak in the same moment ("1 unread notification. Newest: Order … was delivered …");
    # whichever is heard last names the delivery.
    expect(page.locator("#sr-status")).to_have_text(re.compile("Order status changed to Delivered.|was delivered"))
    expect(message).to_be_focused()
    assert_no_axe_violations(page, "order page after a live update")
    expect(page.get_by_role("link", name="Reload the page")).to_be_visible()
