"""Browser fixtures: the session app served on a real port, headless system Chromium, axe and keyboard helpers.

The live server runs the session `app` (tests/conftest.py) in a thread, so tests can seed rows with the usual
factories and the browser sees them. CSRF protection is switched on for each browser test (the test config turns
it off for the test client) and restored afterwards, so the browser exercises the real tokens.
"""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..conftest import PASSWORD

CHROMIUM = os.environ.get("GIGSMITH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Every action and assertion waits at most this long: a local server answers in milliseconds.
TIMEOUT_MS = 5_000


def _unavailable(reason: str):
    if os.environ.get("GIGSMITH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (GIGSMITH_REQUIRE_BROWSER=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="gigsmith-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app, _server):
    """The base URL of the running app, with CSRF protection on for the duration of the test."""
    previous = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield _server
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous


@pytest.fixture(scope="session")
def _playwright():
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}; install the distribution's chromium package to run browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    try:
        browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:  # noqa: BLE001 - any launch failure means "no usable browser here"
        _unavailable(f"Chromium at {CHROMIUM} would not start: {error}")
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    yield browser
    browser.close()


def _new_context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server, **options)
    # Remembered for assert_no_axe_violations: axe cannot run in a page whose scripts are disabled.
    context.gigsmith_javascript = options.get("java_script_enabled", True)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    # Chromium logs every Content-Security-Policy refusal (an inline script or style, eval) to the console.
    context.gigsmith_csp_violations = []
    context.on("console", lambda message: _note_csp_violation(context, message))
    return context


def _note_csp_violation(context, message) -> None:
    if "Content Security Policy" in message.text:
        context.gigsmith_csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")


def assert_no_csp_violations(context) -> None:
    """Nothing the pages did so far was refused by the Content-Security-Policy (the audit checks every page)."""
    violations, context.gigsmith_csp_violations = context.gigsmith_csp_violations, []
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def context(browser, live_server):
    context = _new_context(browser, live_server)
    yield context
    context.close()
    assert_no_csp_violations(context)


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def new_context(browser, live_server):
    """Factory for extra contexts (a second user, JavaScript off); all are closed after the test."""
    contexts = []

    def make(**options):
        context = _new_context(browser, live_server, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    for context in contexts:
        assert_no_csp_violations(context)


# --- data ------------------------------------------------------------------------------------------------------

VPS = "I will set up a VPS server"
LOGO = "I will design a logo for your shop"


@pytest.fixture
def catalog_kworks(make_user, make_kwork):
    """Two active kworks by one seller; plain values, so the test thread holds no rows the server could wait on."""
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    vps = make_kwork(seller, title=VPS)
    make_kwork(seller, title=LOGO)
    values = {"seller_id": seller.id, "seller_email": "sam@example.com", "vps_id": vps.id}
    done_seeding()
    return values


# --- axe -------------------------------------------------------------------------------------------------------


def assert_no_axe_violations(page, context: str = ""):
    """Run axe-core (WCAG 2.0–2.2 A/AA and best practices) on the page as it is now; fail listing every violation.

    In a context with JavaScript disabled axe.run never settles (its promise needs the page's event loop), so the
    page's current HTML is checked in a JavaScript-enabled twin at the same URL, with the page's own scripts
    blocked, which renders exactly what a visitor without JavaScript gets.
    """
    if hasattr(page.context, "gigsmith_csp_violations"):
        assert_no_csp_violations(page.context)
    if getattr(page.context, "gigsmith_javascript", True):
        violations = _axe_violations(page)
    else:
        violations = _axe_violations_of_snapshot(page)
    if violations:
        lines = [f"{len(violations)} axe violation(s) on {context or page.url} ({page.url}):"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>")
            for node in violation["nodes"]:
                target = " ".join(str(part) for part in node["target"])
                lines.append(f"    {target}")
                summary = (node.get("failureSummary") or "").replace("\n", " ")
                if summary:
                    lines.append(f"      {summary}")
        pytest.fail("\n".join(lines), pytrace=False)


_axe = None


def _axe_violations(page) -> list[dict]:
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    # resultTypes only trims the passes and incomplete lists from the result; every rule still runs.
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options)
    return results.response.get("violations", [])


def _axe_violations_of_snapshot(page) -> list[dict]:
    # The document request never carries the #fragment a redirect may have added (/orders/1#message-3).
    html, url = page.content(), page.url.split("#", 1)[0]
    twin_context = page.context.browser.new_context(java_script_enabled=True, viewport=page.viewport_size)
    try:
        twin_context.set_default_timeout(TIMEOUT_MS)

        def serve(route):
            request = route.request
            if request.resource_type == "document" and request.url == url:
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            elif request.resource_type == "script":
                route.abort()
            else:
                route.continue_()

        twin_context.route("**/*", serve)
        twin = twin_context.new_page()
        twin.goto(url)
        assert twin.url == url, f"the audited twin ended up at {twin.url}, not {url}"
        return _axe_violations(twin)
    finally:
        twin_context.close()


# --- keyboard ----------------------------------------------------------------------------------------------------


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, *, backwards: bool = False, limit: int = 60):
    """Press Tab (or Shift+Tab) until `locator` has focus, as a keyboard user would; fail if it never gets there."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        if is_focused(locator):
            return locator
        seen.append(page.evaluate(_DESCRIBE_ACTIVE))
    raise AssertionError(f"{key} never reached {locator}; focus went through: {seen}")


_DESCRIBE_ACTIVE = """() => {
  const el = document.activeElement;
  if (!el) return "(none)";
  const text = (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
  return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? "[name=" + el.name + "]" : "") + (text ? " '" + text + "'" : "");
}"""


def active_element_id(page) -> str:
    return page.evaluate("() => document.activeElement ? document.activeElement.id : ''")


def assert_focus_not_lost(page):
    assert page.evaluate("() => document.activeElement !== document.body && document.activeElement !== null"), (
        "focus dropped to <body>"
    )


def log_in(page, email: str, password: str = PASSWORD):
    """Log in through the real form (mouse-free is not the point here; see the keyboard test for that)."""
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account/")


def done_seeding():
    """End the test thread's database transaction after seeding rows.

    The app opens every SQLite transaction with BEGIN IMMEDIATE, so a session left open here (even after only
    reading `kwork.id`) would hold the write lock and the live server's requests would wait for it.
    """
    from webapp.extensions import db

    db.session.close()
