"""The Content-Security-Policy is enforced in a real browser, and the pages work under it (htmx included)."""
import pytest
from playwright.sync_api import expect

from .conftest import assert_no_csp_violations

pytestmark = pytest.mark.browser


def test_an_injected_inline_script_is_refused_and_noticed(page, catalog_kworks):
    page.goto("/catalog/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "document.body.dataset.injected = 'ran'";
        document.body.appendChild(script);
    }""")
    assert page.evaluate("() => document.body.dataset.injected") is None  # it never ran
    page.wait_for_timeout(100)  # the console message arrives asynchronously
    with pytest.raises(pytest.fail.Exception, match="Content-Security-Policy violations"):
        assert_no_csp_violations(page.context)


def test_htmx_swaps_under_the_policy(page, catalog_kworks):
    page.goto("/catalog/")
    page.get_by_role("searchbox").fill("VPS")
    with page.expect_response(lambda r: "/catalog/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_role("searchbox").press("Enter")
    expect(page.locator("#results-heading")).to_have_text("1 service for “VPS”")
    assert page.evaluate("() => document.querySelector('style') === null")  # htmx added no indicator <style>
    assert_no_csp_violations(page.context)
