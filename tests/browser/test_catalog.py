"""The catalog, kwork and seller pages in a real browser: focus visibility, the htmx filter, small screens."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import VPS, assert_focus_not_lost, assert_no_axe_violations, is_focused, tab_to

pytestmark = pytest.mark.browser


def test_keyboard_focus_is_visible(page, catalog_kworks):
    page.goto("/catalog/")
    assert_no_axe_violations(page)
    focused = []
    show_results = page.get_by_role("button", name="Show results")
    # From the top of the page to the filter form's button: skip link, header links, every filter control.
    while not focused or not is_focused(show_results):
        assert len(focused) < 30, f"Tab never reached the Show results button: {focused}"
        page.keyboard.press("Tab")
        assert_focus_not_lost(page)
        state = page.evaluate(
            """() => {
              const el = document.activeElement, style = getComputedStyle(el);
              return {
                what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || '').trim().slice(0, 30),
                focusVisible: el.matches(':focus-visible'),
                outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth),
                background: style.backgroundColor,
              };
            }"""
        )
        focused.append(state["what"])
        assert state["focusVisible"], f"{state['what']} is focused by Tab but does not match :focus-visible"
        assert state["outlineStyle"] != "none" and state["outlineWidth"] >= 2, (
            f"{state['what']} shows no focus outline: {state}"
        )
    # The walk really went through the header and the whole filter form.
    assert any(what.startswith("a ") and "Skip to main content" in what for what in focused), focused
    for control in ("input#q", "select#category", "input#price_min", "input#price_max", "select#sort"):
        assert any(what.startswith(control) for what in focused), (control, focused)


def test_catalog_filter_htmx(page, catalog_kworks):
    page.goto("/catalog/")
    expect(page.locator("#results-heading")).to_have_text("2 services")
    assert_no_axe_violations(page)

    search = page.get_by_role("searchbox")
    tab_to(page, search)
    page.keyboard.type("VPS")
    with page.expect_response(lambda r: "/catalog/" in r.url and r.request.headers.get("hx-request") == "true") as swap:
        page.keyboard.press("Enter")
    assert swap.value.status == 200

    heading = page.locator("#results-heading")
    expect(heading).to_be_focused()
    expect(heading).to_have_text("1 service for “VPS”")
    expect(page.locator("#sr-status")).to_have_text("1 service found")
    expect(page).to_have_url(re.compile(r"/catalog/\?(.*&)?q=VPS(&|$)"))
    expect(page).to_have_title(re.compile(r"^(Search results|Catalog) – Gigsmith$"))
    cards = page.locator(".kwork-cards > li")
    expect(cards).to_have_count(1)
    expect(page.get_by_role("link", name=VPS, exact=True)).to_be_visible()
    expect(page.get_by_role("searchbox")).to_have_value("VPS")  # the swapped form keeps the query
    # The live region is the page's own, not a copy swapped in with the results.
    expect(page.locator("#sr-status")).to_have_count(1)
    assert_no_axe_violations(page, "catalog after an htmx search")

    # A search with no results says so, and again moves focus to the heading.
    tab_to(page, page.get_by_role("searchbox"), backwards=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("nothing like this")
    page.keyboard.press("Enter")
    expect(page.locator("#sr-status")).to_have_text("0 services found")
    expect(heading).to_be_focused()
    expect(page.get_by_text("No services match.")).to_be_visible()

    # The kwork page and the seller's page, reached by keyboard from the catalog.
    page.goto("/catalog/?q=VPS")
    tab_to(page, page.get_by_role("link", name=VPS, exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/catalog/kworks/{catalog_kworks['vps_id']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(VPS)
    expect(page.get_by_role("table", name=re.compile("^Packages compared"))).to_be_visible()
    assert_no_axe_violations(page, "kwork page")

    tab_to(page, page.get_by_role("link", name="Sam Seller", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/catalog/sellers/{catalog_kworks['seller_id']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Seller")
    assert_no_axe_violations(page, "seller page")
