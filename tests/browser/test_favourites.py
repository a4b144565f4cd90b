"""The heart, by keyboard with htmx and by full page posts without JavaScript, and the Favourites page."""
import pytest
from playwright.sync_api import expect

from .conftest import VPS, assert_no_axe_violations, log_in, tab_to

pytestmark = pytest.mark.browser


@pytest.fixture
def buyer(make_user):
    from .conftest import done_seeding

    make_user("Bea Buyer", email="bea@example.com")
    done_seeding()
    return "bea@example.com"


def test_keyboard_heart_toggles_in_place_and_announces(new_context, catalog_kworks, buyer):
    page = new_context().new_page()
    log_in(page, buyer)
    page.goto(f"/catalog/kworks/{catalog_kworks['vps_id']}")
    heart = page.get_by_role("button", name="Save to favourites")
    expect(heart).to_have_attribute("aria-pressed", "false")
    tab_to(page, heart)
    page.keyboard.press("Enter")
    expect(page.locator("#sr-status")).to_have_text("Saved to your favourites.")
    heart = page.get_by_role("button", name="Save to favourites")
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(heart).to_be_focused()  # the swapped button has the same id: focus stays on it
    assert_no_axe_violations(page, "kwork page, saved")
    page.keyboard.press("Space")
    expect(page.locator("#sr-status")).to_have_text("Removed from your favourites.")
    expect(page.get_by_role("button", name="Save to favourites")).to_have_attribute("aria-pressed", "false")


def test_without_javascript_the_heart_is_a_form_and_the_page_lists_favourites(new_context, catalog_kworks, buyer):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, buyer)
    page.goto("/catalog/")
    page.get_by_role("button", name=f"Save to favourites: {VPS}").click()
    expect(page.get_by_role("status").filter(has_text="Saved to your favourites.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Save to favourites: {VPS}")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Favourites").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Favourites")
    expect(page.get_by_role("heading", level=3)).to_have_text(VPS)
    assert_no_axe_violations(page, "favourites page without JavaScript")
