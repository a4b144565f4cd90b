"""`python -m bench screenshots`: the main pages at 375 and 1280 CSS pixels, from the demo data, as PNG files.

Seeds the demo marketplace (webapp/seed.py, pictures drawn with Pillow) into a temporary SQLite database, serves the
app on a loopback port in this process and opens each page in headless Chromium (/usr/bin/chromium, or
GIGSMITH_CHROMIUM) through Playwright: as a visitor, as the demo buyer and as the demo seller. Full-page
screenshots go to --out (default: screenshots/ in the current folder), named <page>-<width>.png.

    .venv/bin/python -m bench screenshots [--out DIR] [--only catalog,kwork]
"""
import argparse
import os
import threading
from pathlib import Path

from werkzeug.serving import make_server

WIDTHS = (375, 1280)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


def _pages(ids: dict) -> list[tuple[str, str | None, str]]:
    """(name, who: None for a visitor or the demo e-mail, path)."""
    return [
        ("catalog", None, "/catalog/"),
        ("search", None, "/catalog/?q=server"),
        ("kwork", None, f"/catalog/kworks/{ids['kwork']}"),
        ("seller", None, f"/catalog/sellers/{ids['seller']}"),
        ("login", None, "/auth/login"),
        ("buyer-dashboard", "carla@example.com", "/account/"),
        ("favourites", "carla@example.com", "/catalog/favourites"),
        ("inbox", "carla@example.com", "/inbox/"),
        ("order", "carla@example.com", f"/orders/{ids['order']}"),
        ("checkout", "carla@example.com", f"/orders/checkout/{ids['kwork']}?tier=standard"),
        ("seller-dashboard", "anna@example.com", "/account/"),
        ("levels", None, "/levels"),
        ("seller-kworks", "anna@example.com", "/kworks/"),
        ("kwork-editor", "anna@example.com", f"/kworks/{ids['kwork']}/edit"),
        ("kwork-pictures", "anna@example.com", f"/kworks/{ids['kwork']}/pictures"),
    ]


def _demo_app():
    from flask_migrate import upgrade
    from sqlalchemy import select

    from webapp import create_app, seed
    from webapp.config import DevelopmentConfig
    from webapp.extensions import db
    from webapp.models import Kwork, Order, User
    from webapp.services import favourites
    from webapp.clock import now

    config = DevelopmentConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(os.environ['GIGSMITH_INSTANCE_PATH']) / 'screenshots.sqlite3'}"
    config.UPLOAD_DIR = Path(os.environ["GIGSMITH_INSTANCE_PATH"]) / "uploads"
    config.RATELIMIT_ENABLED = False
    app = create_app(config)
    with app.app_context():
        upgrade()
        seed.run()
        anna = db.session.scalar(select(User).where(User.email == "anna@example.com"))
        carla = db.session.scalar(select(User).where(User.email == "carla@example.com"))
        kwork = db.session.scalar(select(Kwork).where(Kwork.seller_id == anna.id).order_by(Kwork.id))
        order = db.session.scalar(select(Order).where(Order.buyer_id == carla.id).order_by(Order.id.desc()))
        favourites.set_favourite(carla, kwork.id, True, now=now())
        ids = {"kwork": kwork.id, "seller": anna.id, "order": order.id if order else 1}
        db.session.remove()
    return app, ids


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench screenshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="screenshots", help="folder for the PNG files (created)")
    parser.add_argument("--only", default="", help="comma-separated page names, e.g. catalog,kwork")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    from webapp.seed import DEMO_PASSWORD

    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per screenshot, not per request
    app, ids = _demo_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    wanted = {name for name in args.only.split(",") if name}
    taken = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("GIGSMITH_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS)
            contexts = {}
            for name, who, path in _pages(ids):
                if wanted and name not in wanted:
                    continue
                for width in WIDTHS:
                    key = (who, width)
                    if key not in contexts:
                        context = browser.new_context(base_url=base, viewport={"width": width, "height": 900}, locale="en-GB")
                        if who:
                            page = context.new_page()
                            page.goto("/auth/login")
                            page.get_by_label("Email").fill(who)
                            page.get_by_label("Password").fill(DEMO_PASSWORD)
                            page.get_by_role("button", name="Log in").click()
                            page.wait_for_url("**/account/")
                            page.close()
                        contexts[key] = context
                    page = contexts[key].new_page()
                    page.goto(path, wait_until="networkidle")
                    # Lazy pictures below the fold load once scrolled to; a full-page shot should show them.
                    page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
                    page.wait_for_load_state("networkidle")
                    target = out / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    page.close()
                    taken += 1
                    print(f"{target}  {path}")
            browser.close()
    finally:
        server.shutdown()
    print(f"{taken} screenshots in {out}/")
    return 0
