"""The kwork editor in a real browser: keyboard only with htmx, and the same journey with JavaScript off."""
import re

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..mail import deliver, link_in, mails_to
from .conftest import active_element_id, assert_focus_not_lost, assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser

TITLE = "I will set up a VPS server with a firewall"
TIERS = [  # in the editor's tab order: one fieldset per package, Economy to Business
    ("economy-price", "1000"), ("economy-delivery_days", "2"), ("economy-revisions", "1"), ("economy-description", "Basic setup"),
    ("standard-price", "2500"), ("standard-delivery_days", "3"), ("standard-revisions", "2"), ("standard-description", "Setup and hardening"),
    ("business-price", "5000"), ("business-delivery_days", "5"), ("business-revisions", "3"),
    ("business-description", "Everything, plus monitoring"),
]


def type_into_next(page, field_id: str, text: str):
    """Tab to the next stop, check it is the expected field, and type."""
    page.keyboard.press("Tab")
    expect(page.locator(f"#{field_id}")).to_be_focused()
    page.keyboard.type(text)


def tick_next(page, name: str):
    """Tab to the next checkbox, check its accessible name and that it shows focus, tick it with Space."""
    page.keyboard.press("Tab")
    box = page.get_by_role("checkbox", name=name, exact=True)
    expect(box).to_be_focused()
    assert_checkbox_focus_drawn(box)
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def assert_checkbox_focus_drawn(box):
    """The native box is transparent, so the focus ring is drawn on the label's box: check it is really there."""
    outline = box.evaluate(
        "el => getComputedStyle(document.querySelector(`label[for='${el.id}']`), '::before').outlineStyle"
    )
    assert outline not in ("", "none"), f"no visible focus ring for {box}"


def test_seller_creates_packaged_kwork_with_keyboard_only(page, ctx):
    keyboard = page.keyboard

    # Register through the real form.
    page.goto("/auth/register")
    assert_no_axe_violations(page)
    tab_to(page, page.get_by_label("Display name"))
    keyboard.type("Kim Keyboard")
    type_into_next(page, "email", "kim@example.com")
    type_into_next(page, "password", PASSWORD)
    type_into_next(page, "confirm", PASSWORD)
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Create account")).to_be_focused()
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/auth/check-email"))
    expect(page.get_by_role("status").filter(has_text="We sent an email to kim@example.com")).to_be_visible()
    assert_no_axe_violations(page)

    # Selling waits for the address: open the link from the e-mail, then log in by keyboard.
    deliver()
    link = link_in(mails_to("kim@example.com")[0], "/auth/verify-email/")
    done_seeding()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Email address confirmed")
    tab_to(page, page.get_by_role("main").get_by_role("link", name="Log in"))
    keyboard.press("Enter")
    tab_to(page, page.get_by_label("Email address"))
    keyboard.type("kim@example.com")
    keyboard.press("Tab")
    keyboard.type(PASSWORD)
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/$"))

    # Switch to selling from the header.
    tab_to(page, page.get_by_role("button", name="Switch to selling"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seller dashboard")
    expect(page.get_by_role("button", name="Switch to buying")).to_be_visible()
    assert_no_axe_violations(page)

    # Open the editor from My kworks in the main navigation.
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="My kworks"))
    keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Create a kwork"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a kwork")
    assert_no_axe_violations(page)

    # The checklist lists every missing field as a link that moves focus to the field.
    checklist = page.locator(".checklist")
    expect(checklist.get_by_role("heading")).to_have_text("Still to fill in before you can submit for moderation")
    expect(checklist.get_by_role("link")).to_have_count(16)  # 4 fields + 3 tiers × 4
    expect(checklist.get_by_role("link").first).to_have_text("Enter a title")
    tab_to(page, checklist.get_by_role("link", name="Enter a title"))
    keyboard.press("Enter")
    expect(page.locator("#title")).to_be_focused()

    keyboard.type(TITLE)
    keyboard.press("Tab")
    expect(page.get_by_label("Category", exact=True)).to_be_focused()
    keyboard.type("Programming")  # a closed select's type-ahead
    expect(page.locator("#category_id option:checked")).to_have_text("Programming and IT")
    type_into_next(page, "description", "I install and secure a fresh VPS, then send you a short report.")
    # "What I need from the buyer to start" is left empty on purpose: the first submit must fail.
    keyboard.press("Tab")
    expect(page.locator("#buyer_instructions")).to_be_focused()

    keyboard.press("Tab")
    three_packages = page.get_by_role("radio", name="Three packages: Economy, Standard and Business")
    expect(three_packages).to_be_focused()
    expect(three_packages).to_be_checked()

    for field_id, value in TIERS:
        type_into_next(page, field_id, value)
    expect(page.get_by_label("Economy price", exact=True)).to_have_value("1000")

    keyboard.press("Tab")
    expect(page.get_by_role("region", name="Options included in each package")).to_be_focused()
    keyboard.press("Tab")
    first_name = page.get_by_role("textbox", name="Option 1 name")
    expect(first_name).to_be_focused()
    keyboard.type("Server setup")

    # "Add another option": htmx swaps the grid, focuses the new row's name and announces it.
    add_option = page.get_by_role("button", name="Add another option")
    tab_to(page, add_option)
    keyboard.press("Enter")
    second_name = page.get_by_role("textbox", name="Option 2 name")
    expect(second_name).to_be_focused()
    assert active_element_id(page) == "options-1-name"
    expect(page.locator("#sr-status")).to_have_text("Option 2 added")
    assert_focus_not_lost(page)
    expect(page).to_have_url(re.compile(r"/kworks/new$"))  # only the grid was swapped
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(first_name).to_have_value("Server setup")
    assert_no_axe_violations(page, "editor after adding an option")
    keyboard.type("Domain setup")

    # Back to the first row (its checkboxes are now named after it) and tick all three packages with Space.
    box = page.get_by_role("checkbox", name="Server setup, Economy", exact=True)
    tab_to(page, box, backwards=True)
    expect(box).to_be_focused()
    assert_checkbox_focus_drawn(box)
    keyboard.press("Space")
    expect(box).to_be_checked()
    tick_next(page, "Server setup, Standard")
    tick_next(page, "Server setup, Business")
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove option 1")).to_be_focused()
    keyboard.press("Tab")
    expect(second_name).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_role("checkbox", name="Option 2, Economy", exact=True)).to_be_focused()
    keyboard.press("Tab")
    tick_next(page, "Option 2, Business")

    # A third row, removed again with htmx: focus goes to "Add another option" and the removal is announced.
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove option 2")).to_be_focused()
    keyboard.press("Tab")
    expect(add_option).to_be_focused()
    keyboard.press("Space")
    expect(page.get_by_role("textbox", name="Option 3 name")).to_be_focused()
    expect(page.locator("#sr-status")).to_have_text("Option 3 added")
    remove_third = page.get_by_role("button", name="Remove option 3")
    tab_to(page, remove_third)
    keyboard.press("Enter")
    expect(add_option).to_be_focused()
    expect(page.locator("#sr-status")).to_have_text("Option 3 removed")
    expect(page.get_by_role("textbox", name="Option 3 name")).to_have_count(0)
    assert_focus_not_lost(page)
    # The re-rendered rows are named after the typed names, with every tick kept.
    expect(page.get_by_role("checkbox", name="Domain setup, Business", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Server setup, Standard", exact=True)).to_be_checked()

    # Submit with the buyer instructions missing: 422, "Error:" title, focused summary linking to the field.
    submit = page.get_by_role("button", name="Submit for moderation")
    tab_to(page, submit)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        keyboard.press("Enter")
    assert posted.value.status == 422
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(["Enter what you need from the buyer to start"])
    expect(page.locator("#buyer_instructions-error")).to_contain_text("Enter what you need from the buyer to start")
    expect(page.locator("#buyer_instructions")).to_have_attribute("aria-describedby", re.compile("buyer_instructions-error"))
    # The answers are kept, including the ticks and the row added without saving.
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(page.get_by_role("checkbox", name="Server setup, Economy", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Domain setup, Business", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Domain setup, Economy", exact=True)).not_to_be_checked()
    expect(page.locator(".checklist")).to_have_count(0)  # the summary replaces the checklist
    assert_no_axe_violations(page, "editor with errors")

    keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    keyboard.press("Enter")
    expect(page.locator("#buyer_instructions")).to_be_focused()
    keyboard.type("Root access to the server and the domain name.")

    tab_to(page, page.get_by_role("button", name="Submit for moderation"))
    keyboard.press("Enter")

    # My kworks lists it as waiting for moderation.
    expect(page).to_have_url(re.compile(r"/kworks/$"))
    expect(page.get_by_role("status").filter(has_text="sent to moderation")).to_be_visible()
    row = page.locator(".kwork-row").filter(has=page.get_by_role("link", name=TITLE, exact=True))
    expect(row).to_have_count(1)
    expect(row.locator(".status")).to_have_text("Waiting for moderation")
    assert_no_axe_violations(page, "My kworks")


def test_editor_without_javascript(new_context, make_user):
    make_user("Nora NoScript", email="nora@example.com", role="seller")
    done_seeding()
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, "nora@example.com")

    page.goto("/kworks/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a kwork")
    assert_no_axe_violations(page, "editor without JavaScript")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Category", exact=True).select_option(label="Programming and IT")
    page.get_by_label("Description", exact=True).fill("I install and secure a fresh VPS.")
    page.get_by_label("What I need from the buyer to start").fill("Root access.")
    for field_id, value in TIERS:
        page.locator(f"#{field_id}").fill(value)
    page.get_by_role("textbox", name="Option 1 name").fill("Server setup")
    page.get_by_role("checkbox", name="Option 1, Economy", exact=True).check()

    # "Add another option" is a plain submit button: the whole page comes back with one more row, focused.
    with page.expect_navigation():
        page.get_by_role("button", name="Add another option").click()
    expect(page).to_have_url(re.compile(r"/kworks/new$"))
    second_name = page.get_by_role("textbox", name="Option 2 name")
    expect(second_name).to_be_focused()
    assert active_element_id(page) == "options-1-name"
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(page.locator("#business-description")).to_have_value("Everything, plus monitoring")
    expect(page.get_by_role("checkbox", name="Server setup, Economy", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Server setup, Standard", exact=True)).not_to_be_checked()
    assert_no_axe_violations(page, "editor after adding an option without JavaScript")
    second_name.fill("Domain setup")
    page.get_by_role("checkbox", name="Option 2, Business", exact=True).check()

    # A third row, then remove it again: focus goes back to "Add another option".
    with page.expect_navigation():
        page.get_by_role("button", name="Add another option").click()
    expect(page.get_by_role("textbox", name="Option 3 name")).to_be_focused()
    with page.expect_navigation():
        page.get_by_role("button", name="Remove option 3").click()
    expect(page.get_by_role("textbox", name="Option 3 name")).to_have_count(0)
    expect(page.get_by_role("button", name="Add another option")).to_be_focused()
    expect(page.get_by_role("checkbox", name="Domain setup, Business", exact=True)).to_be_checked()

    # Save as draft: the editor of the saved kwork, everything kept.
    with page.expect_navigation():
        page.get_by_role("button", name="Save as draft").click()
    expect(page).to_have_url(re.compile(r"/kworks/\d+/edit$"))
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible()
    expect(page.locator("strong.status")).to_have_text("Draft")
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(page.get_by_role("checkbox", name="Server setup, Economy", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Domain setup, Business", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Domain setup, Economy", exact=True)).not_to_be_checked()
    assert_no_axe_violations(page, "draft editor without JavaScript")

    with page.expect_navigation():
        page.get_by_role("button", name="Submit for moderation").click()
    expect(page).to_have_url(re.compile(r"/kworks/$"))
    row = page.locator(".kwork-row").filter(has=page.get_by_role("link", name=TITLE, exact=True))
    expect(row.locator(".status")).to_have_text("Waiting for moderation")
    assert_no_axe_violations(page, "My kworks without JavaScript")
