"""Reflow (WCAG 1.4.10) at 320 CSS pixels: no page-level sideways scrolling; wide tables scroll in their wrapper."""
import pytest
from playwright.sync_api import expect

from .conftest import VPS, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def small_screen(new_context):
    context = new_context(viewport={"width": 320, "height": 800})
    return context.new_page()


# Which elements make the page wider: hide each in turn and keep those whose absence narrows the page.
_WIDENERS = """(limit) => {
  const root = document.documentElement, wide = root.scrollWidth, found = [];
  for (const el of document.querySelectorAll('body *')) {
    const before = el.style.display;
    el.style.display = 'none';
    const narrower = root.scrollWidth < wide;
    el.style.display = before;
    if (narrower) found.push(el);
  }
  // Absolutely positioned ones (say, visually hidden text escaping a scrolling wrapper) are the usual cause;
  // otherwise the innermost ones: their ancestors narrow the page only because they contain them.
  const positioned = found.filter(el => ['absolute', 'fixed'].includes(getComputedStyle(el).position));
  const innermost = found.filter(el => !found.some(other => other !== el && el.contains(other)));
  return (positioned.length ? positioned : innermost).slice(0, limit).map(el => {
    const style = getComputedStyle(el);
    const classes = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes} (position: ${style.position}, ` +
           `in .table-scroll: ${!!el.closest('.table-scroll')}, text: "${(el.textContent || '').trim().slice(0, 30)}")`;
  });
}"""


def page_scroll_problem(page, what: str) -> str | None:
    """None when the page fits 320 CSS pixels; else a description naming the elements that widen it."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width <= 320:
        return None
    culprits = page.evaluate(_WIDENERS, 6)
    return f"{what} ({page.url}) scrolls sideways at 320px: scrollWidth={width}; widened by: {culprits}"


def test_responsive_320(small_screen, catalog_kworks):
    """Reflow (WCAG 1.4.10): no sideways page scroll at 320 CSS px; wide tables scroll inside .table-scroll."""
    page = small_screen
    problems = []

    def check(path: str, what: str, heading: str):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        problem = page_scroll_problem(page, what)
        if problem:
            problems.append(problem)
        assert_no_axe_violations(page, f"{what} at 320px")

    check("/catalog/", "the catalog", "Find a service")
    check(f"/catalog/kworks/{catalog_kworks['vps_id']}", "the kwork page", VPS)
    log_in(page, catalog_kworks["seller_email"])
    check("/kworks/new", "the new kwork editor", "Create a kwork")
    check(f"/kworks/{catalog_kworks['vps_id']}/edit", "the kwork editor", "Edit kwork")
    assert not problems, "\n".join(problems)


def test_small_screens_get_package_cards_and_a_menu_button(new_context, catalog_kworks):
    """At 375 px: one card per package with its order link (the table stays for screen readers), and the header's
    links behind a Menu button with aria-expanded; at 1280 px the table and the links as they were."""
    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    page.goto(f"/catalog/kworks/{catalog_kworks['vps_id']}")
    cards = page.locator(".package-card")
    expect(cards).to_have_count(3)
    expect(cards.nth(1)).to_be_visible()
    # The visible order links are the cards'; the table is still read by screen readers, its order row gone.
    expect(page.get_by_role("link", name="Order Standard for RUB 2,000")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(1)
    assert page.locator(".kwork-packages .table-scroll").evaluate("t => t.getBoundingClientRect().width") <= 1
    # One flex item inside the button: the visible words keep their space ("Order for", never "Orderfor") on one line.
    order = page.get_by_role("link", name="Order Economy for RUB 1,000")
    assert " ".join(order.text_content().split()) == "Order Economy for RUB 1,000"
    assert order.evaluate("a => a.firstElementChild.getClientRects().length") >= 1
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert_no_axe_violations(page, "kwork page at 375px")

    wide = new_context(viewport={"width": 1280, "height": 900}).new_page()
    wide.goto(f"/catalog/kworks/{catalog_kworks['vps_id']}")
    expect(wide.locator(".package-cards")).to_be_hidden()
    expect(wide.get_by_role("link", name="Order Standard for RUB 2,000")).to_be_visible()
    expect(wide.get_by_role("button", name="Menu")).to_be_hidden()

    no_js = new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False).new_page()
    no_js.goto(f"/catalog/kworks/{catalog_kworks['vps_id']}")
    expect(no_js.get_by_role("link", name="Log in", exact=True)).to_be_visible()  # without JavaScript the links are listed
    expect(no_js.get_by_role("button", name="Menu")).to_have_count(0)


_LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => { for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value; })
    .observe({ type: 'layout-shift', buffered: true });
  setTimeout(() => resolve(total), 300);
})"""


def test_header_menu_folded_from_the_first_paint(small_screen, catalog_kworks):
    """On a phone the header's menu is folded before the page is first drawn (static/js/early.js), not when the
    deferred app.js runs: folding it then shifted the whole page down the screen (Lighthouse: CLS 0.44)."""
    page = small_screen
    page.goto("/catalog/")
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    assert page.evaluate(_LAYOUT_SHIFT) < 0.01
