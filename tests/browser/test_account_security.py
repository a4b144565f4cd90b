"""Accounts people can secure, in a real browser, by keyboard alone, with axe on every page: a forgotten password
reset through the e-mailed link, the Signed-in devices page with a password change, and confirming the e-mail
address before selling."""
import re

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..mail import deliver, link_in, mails_to
from .conftest import assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")  # fmt: skip
NEW = "plum tractor lantern"


def mailed_link(address: str, prefix: str) -> str:
    deliver()
    link = link_in(mails_to(address)[-1], prefix)
    done_seeding()
    return link


def press_enter_on(page, locator):
    tab_to(page, locator)
    page.keyboard.press("Enter")


def test_a_forgotten_password_is_reset_through_the_emailed_link(page, make_user):
    make_user("Bea Buyer", email="bea@example.com")
    done_seeding()
    keyboard = page.keyboard
    page.goto("/auth/login")
    press_enter_on(page, page.get_by_role("link", name="Reset it"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_no_axe_violations(page, "forgot password")

    tab_to(page, page.get_by_label("Email address"))
    keyboard.type("bea@example.com")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/auth/check-email\?about=password$"))
    expect(page.get_by_role("status").filter(has_text="If an account exists for bea@example.com")).to_be_visible()
    assert_no_axe_violations(page, "check your email")

    page.goto(mailed_link("bea@example.com", "/auth/reset-password/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_no_axe_violations(page, "choose a new password")
    tab_to(page, page.get_by_label("New password", exact=True))
    keyboard.type("aaaaaaaaaa")
    keyboard.press("Tab")
    keyboard.type("aaaaaaaaaa")
    keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("This password is easy to guess")
    assert_no_axe_violations(page, "choose a new password, refused")
    press_enter_on(page, summary.get_by_role("link"))
    expect(page.get_by_label("New password", exact=True)).to_be_focused()
    keyboard.type(NEW)
    keyboard.press("Tab")
    keyboard.type(NEW)
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("status").filter(has_text="Log in with your new password")).to_be_visible()
    assert_no_axe_violations(page, "login after the reset")

    tab_to(page, page.get_by_label("Email address"))
    keyboard.type("bea@example.com")
    keyboard.press("Tab")
    keyboard.type(NEW)
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/$"))


def test_devices_are_listed_signed_out_and_a_password_change_ends_the_others(new_context, make_user):
    make_user("Bea Buyer", email="bea@example.com")
    done_seeding()
    phone = new_context(user_agent=IPHONE).new_page()
    log_in(phone, "bea@example.com")
    page = new_context(user_agent=FIREFOX).new_page()
    log_in(page, "bea@example.com")
    keyboard = page.keyboard

    page.goto("/account/profile")
    press_enter_on(page, page.get_by_role("link", name="Signed-in devices"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed-in devices")
    rows = page.locator(".kwork-rows > li")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="This device")).to_contain_text("Firefox 120 on Ubuntu")
    assert_no_axe_violations(page, "devices")

    press_enter_on(page, page.get_by_role("button", name=re.compile(r"^Sign out Mobile Safari 17 on iOS")))
    expect(page.get_by_role("status").filter(has_text="That device is signed out.")).to_be_visible()
    expect(rows).to_have_count(1)
    assert_no_axe_violations(page, "devices, one signed out")
    phone.reload()
    expect(phone).to_have_url(re.compile(r"/auth/login"))

    log_in(phone, "bea@example.com")  # back on the phone, then the password changes on the laptop
    press_enter_on(page, page.get_by_role("link", name="change your password"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_no_axe_violations(page, "change password")
    tab_to(page, page.get_by_label("Current password"))
    keyboard.type(PASSWORD)
    keyboard.press("Tab")
    keyboard.type(NEW)
    keyboard.press("Tab")
    keyboard.type(NEW)
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/devices$"))
    expect(page.get_by_role("status").filter(has_text="Your password is changed")).to_be_visible()
    expect(rows).to_have_count(1)
    phone.reload()
    expect(phone).to_have_url(re.compile(r"/auth/login"))

    press_enter_on(page, page.get_by_role("button", name="Sign out everywhere", exact=True))
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("status").filter(has_text="You are signed out on every device")).to_be_visible()


def test_selling_waits_for_the_confirmed_address(page, make_user):
    make_user("Nina New", email="nina@example.com", verified=False)
    done_seeding()
    log_in(page, "nina@example.com")
    press_enter_on(page, page.get_by_role("button", name="Switch to selling"))
    expect(page).to_have_url(re.compile(r"/account/email$"))
    expect(page.get_by_role("alert")).to_contain_text("Confirm your email address first")
    assert_no_axe_violations(page, "email address, unconfirmed")

    press_enter_on(page, page.get_by_role("button", name="Send the link again"))
    expect(page.get_by_role("status").filter(has_text="We sent a new link to nina@example.com")).to_be_visible()
    page.goto(mailed_link("nina@example.com", "/auth/verify-email/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Email address confirmed")
    assert_no_axe_violations(page, "email confirmed")

    press_enter_on(page, page.get_by_role("main").get_by_role("link", name="Go to your dashboard"))
    press_enter_on(page, page.get_by_role("button", name="Switch to selling"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Seller dashboard")
