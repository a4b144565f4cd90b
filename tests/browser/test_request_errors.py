"""An htmx request that fails says so: a notice at the top of the page and the polite live region, focus kept.

The catalog filter is the htmx request here; the browser's route interception makes it fail the ways a real one
can: an error answer from a proxy, an error page from the app, no connection at all.
"""
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_focus_not_lost, assert_no_axe_violations, is_focused, tab_to

pytestmark = pytest.mark.browser

FILTERED = re.compile(r"/catalog/\?")


def _search(page, words: str):
    """Type into the catalog search and press Enter, as a keyboard user would; the form is sent by htmx."""
    search = page.get_by_role("searchbox")
    if not is_focused(search):
        tab_to(page, search)
    page.keyboard.press("Control+A")
    page.keyboard.type(words)
    page.keyboard.press("Enter")
    return search


def _fail_htmx_requests(page, answer):
    def handle(route):
        if route.request.headers.get("hx-request") == "true":
            answer(route)
        else:
            route.continue_()

    page.route(FILTERED, handle)


def _expect_said(page, title: str, text: str):
    notice = page.locator("#request-error")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(title)
    expect(notice).to_contain_text(text)
    expect(page.locator("#sr-status")).to_have_text(f"{title}. {text}")


def test_a_failed_htmx_request_is_shown_and_announced(page, catalog_kworks):
    page.goto("/catalog/")
    expect(page.locator("#request-error")).to_be_hidden()

    # A 500 from something in front of the app (no error page of ours): the layout's own words.
    _fail_htmx_requests(page, lambda route: route.fulfill(status=502, content_type="text/plain", body="Bad gateway"))
    search = _search(page, "VPS")
    _expect_said(page, "Sorry, something went wrong", "Try again in a few minutes.")
    expect(search).to_be_focused()
    assert_focus_not_lost(page)
    expect(page.locator("#results-heading")).to_have_text("2 services")  # nothing was swapped
    assert_no_axe_violations(page, "catalog after a failed htmx request")

    # No connection: the request never got an answer.
    page.unroute(FILTERED)
    _fail_htmx_requests(page, lambda route: route.abort("internetdisconnected"))
    _search(page, "logo")
    _expect_said(page, "Your request did not reach Gigsmith", "Check your connection, then try again.")
    expect(search).to_be_focused()
    assert_no_axe_violations(page, "catalog after a request that never reached the server")

    # The app's own error page: its heading and sentence say what went wrong.
    not_found = page.request.get("/catalog/kworks/0")
    assert not_found.status == 404
    page.unroute(FILTERED)
    _fail_htmx_requests(page, lambda route: route.fulfill(status=404, content_type="text/html; charset=utf-8", body=not_found.body()))
    _search(page, "server")
    _expect_said(page, "Page not found", "If you typed the address, check it is correct.")
    assert_focus_not_lost(page)

    # Once the same control works again the notice goes, and the results are announced as usual.
    page.unroute(FILTERED)
    _search(page, "VPS")
    expect(page.locator("#sr-status")).to_have_text("1 service found")
    expect(page.locator("#request-error")).to_be_hidden()
    assert_no_axe_violations(page, "catalog after the request worked again")


def test_the_message_is_in_the_page_language(page, catalog_kworks):
    page.goto("/language/ru?next=/catalog/")
    _fail_htmx_requests(page, lambda route: route.fulfill(status=500, content_type="text/plain", body="boom"))
    _search(page, "VPS")
    _expect_said(page, "Извините, что-то пошло не так", "Попробуйте снова через несколько минут.")
