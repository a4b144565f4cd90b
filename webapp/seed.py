"""Demo data: a few sellers with approved kworks, a buyer, an admin and a dispute to decide. Safe to run again: it adds only what is missing."""
from datetime import datetime, timedelta

from sqlalchemy import select

from .domain.tiers import TIER_LEVELS, KworkDraft, OptionDraft, TierDraft
from .extensions import db
from .clock import now
from .models import Category, Kwork, Order, User
from .services import accounts, cancellations, conversations, disputes, kworks, ledger, levels, offers, orders, pictures, reviews

DEMO_PASSWORD = "demo-password"

USERS = [
    # email, display name, about, working hours, role the account starts in, admin
    ("anna@example.com", "Anna Petrova", "Full-stack developer, 9 years of Linux servers and Python.", "Mon–Fri, 10:00–19:00 MSK", "seller", False),
    ("boris@example.com", "Boris Design", "Brand identity and landing pages for small businesses.", "Every day, 12:00–22:00 MSK", "seller", False),
    ("carla@example.com", "Carla Buyer", "I run an online shop and order design and dev work.", "", "buyer", False),
    ("admin@example.com", "Gigsmith Moderator", "", "", "buyer", True),
]
# Days a demo account has existed: seller levels ask for time on the site (webapp/domain/levels.py), and Boris is
# meant to reach Level 1 in the demo while Anna stays a New seller.
DEMO_TENURE_DAYS = {"boris@example.com": 60, "anna@example.com": 10}
REPEAT_ORDERS = 5  # Boris's further completed logo orders from Carla: with the reviewed one, Level 1's count


def _tiers(*rows):
    """Tier drafts for the given rows, Economy first; levels without a row stay empty."""
    tiers = {level: TierDraft(level) for level in TIER_LEVELS}
    for level, (price, days, revisions, description) in zip(TIER_LEVELS, rows):
        tiers[level] = TierDraft(level, price, days, revisions, description)
    return tiers


KWORKS = [
    (
        "anna@example.com",
        "programming",
        KworkDraft(
            title="I will set up a secure VPS server for your website",
            description="Ubuntu or Debian server set up from scratch: updates, firewall, SSH keys, web server, "
            "HTTPS certificates and automatic backups. You get a short report of everything done.",
            buyer_instructions="Server provider and access details (IP, root password or SSH key), the domain name, "
            "and what will run on the server (site engine, database).",
            tiers=_tiers(
                (1500, 1, 1, "Basic setup for one site"),
                (3500, 2, 2, "Setup plus database and backups"),
                (7000, 3, 3, "Production-ready with monitoring"),
            ),
            options=[
                OptionDraft("Server setup", frozenset({"economy", "standard", "business"})),
                OptionDraft("HTTPS certificate", frozenset({"economy", "standard", "business"})),
                OptionDraft("Database install", frozenset({"standard", "business"})),
                OptionDraft("Daily backups", frozenset({"standard", "business"})),
                OptionDraft("Uptime monitoring", frozenset({"business"})),
            ],
        ),
    ),
    (
        "anna@example.com",
        "programming",
        KworkDraft(
            title="I will fix a bug in your Python or Django project",
            description="One clearly described bug fixed in a Python 3 or Django project, with a test that proves it.",
            buyer_instructions="A description of the bug, how to reproduce it, and access to the repository.",
            is_packaged=False,
            tiers=_tiers((2000, 2, 2, "")),
        ),
    ),
    (
        "boris@example.com",
        "design",
        KworkDraft(
            title="I will design a logo with three concepts",
            description="Three original logo concepts, then revisions on the one you pick. Vector files included.",
            buyer_instructions="Your company name, what you do, colours you like or dislike, and logos you admire.",
            tiers=_tiers(
                (2500, 3, 1, "One concept, PNG files"),
                (5000, 4, 3, "Three concepts, vector files"),
                (9000, 5, 5, "Three concepts plus a mini brand book"),
            ),
            options=[
                OptionDraft("Vector source files", frozenset({"standard", "business"})),
                OptionDraft("Favicon", frozenset({"economy", "standard", "business"})),
                OptionDraft("Brand colour palette", frozenset({"business"})),
            ],
        ),
    ),
    (
        "boris@example.com",
        "design",
        KworkDraft(
            title="I will design a one-page landing page in Figma",
            description="A responsive landing page design for desktop and mobile, ready for a developer.",
            buyer_instructions="Texts for the page (or a brief), your logo, and two or three sites you like.",
            tiers=_tiers(
                (4000, 3, 1, "Desktop design"),
                (7000, 5, 2, "Desktop and mobile"),
                (12000, 7, 3, "Desktop, mobile and UI kit"),
            ),
            options=[
                OptionDraft("Mobile version", frozenset({"standard", "business"})),
                OptionDraft("UI kit", frozenset({"business"})),
            ],
        ),
    ),
    (
        "anna@example.com",
        "writing",
        KworkDraft(
            title="I will write technical documentation for your API",
            description="Clear reference and getting-started docs for a REST API, in Markdown.",
            buyer_instructions="The API specification or access to a test instance, and who will read the docs.",
            tiers=_tiers(
                (3000, 3, 1, "Up to 10 endpoints"),
                (6000, 5, 2, "Up to 30 endpoints"),
                (10000, 8, 3, "Up to 60 endpoints plus a tutorial"),
            ),
            options=[OptionDraft("Getting-started tutorial", frozenset({"business"}))],
        ),
    ),
]


def _demo_money_and_orders(users: dict[str, User], now: datetime) -> int:
    """Give the demo buyer money to spend and one finished, reviewed order, so ratings and history show."""
    buyer = users["carla@example.com"]
    ledger.post(
        "seed-topup-carla",
        "topup",
        [ledger.Movement(ledger.EXTERNAL_TOPUP, -2_000_000), ledger.Movement(ledger.wallet_code(buyer.id), 2_000_000)],
        memo="Demo balance",
    )
    db.session.commit()
    if db.session.scalar(select(Order.id).where(Order.buyer_id == buyer.id)):
        return 0
    kwork = db.session.scalar(select(Kwork).where(Kwork.title == KWORKS[2][2].title))
    seller = kwork.seller
    order = orders.place_order(
        buyer, kwork, "standard", quantity=1, checkout_token="seed-order-1", now=now,
        requirements="Shop name: Carla's Candles. Warm colours, something hand-made looking.",
    )  # fmt: skip
    orders.start_work(seller, order, now)
    orders.deliver(seller, order, "Three concepts attached, vector files included.", [], now)
    orders.accept(buyer, order, now)
    reviews.save_review(buyer, order, positive=True, text="Lovely concepts, quick and friendly.", now=now)
    for number in range(REPEAT_ORDERS):
        repeat = orders.place_order(buyer, kwork, "economy", quantity=1, checkout_token=f"seed-repeat-{number}", now=now,
                                    requirements="Another shop of mine: same style as before, please.")  # fmt: skip
        orders.start_work(seller, repeat, now)
        orders.deliver(seller, repeat, "Concepts attached.", [], now)
        orders.accept(buyer, repeat, now)
    _demo_dispute(buyer, now)
    return 2 + REPEAT_ORDERS


def _demo_dispute(buyer: User, now: datetime) -> None:
    """A cancellation the seller disagrees with, waiting in the moderators' dispute queue."""
    kwork = db.session.scalar(select(Kwork).where(Kwork.title == KWORKS[0][2].title))
    seller = kwork.seller
    order = orders.place_order(buyer, kwork, "economy", quantity=1, checkout_token="seed-order-2", now=now,
                               requirements="A server for the shop; I will send the provider login later.")  # fmt: skip
    orders.start_work(seller, order, now)
    request = cancellations.request(seller, order, "no_information",
                                    "I asked three times for the server login and got nothing, so I can't start.", now)  # fmt: skip
    cancellations.answer(buyer, request, accept=True, reason_correct=False, now=now)
    disputes.escalate(seller, order, "The messages show I asked for the login on day one; this should not count against me.", now)


def _demo_conversations(users: dict[str, User], now: datetime) -> int:
    """Two threads in Carla's inbox: a question to Anna about her API documentation kwork that ends in an individual
    offer waiting for Carla, and a short question to Boris before ordering a landing page. Each is added only if the
    two have no conversation yet. Returns how many were added."""
    carla, anna, boris = users["carla@example.com"], users["anna@example.com"], users["boris@example.com"]
    added = 0
    if conversations.between(carla, anna.id) is None:
        docs = db.session.scalar(select(Kwork).where(Kwork.seller_id == anna.id, Kwork.title == KWORKS[4][2].title))
        at = now - timedelta(hours=3)
        first = conversations.start(carla, anna, docs, "Hello Anna! Our shop has a small REST API for partners, about "
                                    "15 endpoints, and an OpenAPI file. Can you document it, with one getting-started "
                                    "example in Python?", [], at, asks_for_offer=True)  # fmt: skip
        thread = first.conversation
        conversations.post(anna, thread, "Hello Carla! Yes, 15 endpoints with a Python example is a good fit. Who will "
                           "read the docs: your partners' developers, or shop managers too?", [], at + timedelta(minutes=40))  # fmt: skip
        conversations.post(carla, thread, "Developers only. It would help to have it by the end of next week.", [],
                           at + timedelta(minutes=55))  # fmt: skip
        offers.make(anna, thread, offers.Terms("Reference for 15 endpoints from your OpenAPI file, a getting-started "
                                               "page with a Python example, published as Markdown.", 4500, 5, 2, 7,
                                               docs.id), at + timedelta(hours=1, minutes=10))  # fmt: skip
        added += 1
    if conversations.between(carla, boris.id) is None:
        landing = db.session.scalar(select(Kwork).where(Kwork.seller_id == boris.id, Kwork.title == KWORKS[3][2].title))
        at = now - timedelta(days=1)
        first = conversations.start(carla, boris, landing, "Hi Boris, can the landing page reuse the logo and colours "
                                    "from my shop, or do you start from scratch?", [], at)  # fmt: skip
        conversations.post(boris, first.conversation, "Hi Carla, I reuse what you have: send the logo file with the order "
                           "and I keep your colours.", [], at + timedelta(hours=2))  # fmt: skip
        added += 1
    return added


DEMO_ALT = {
    0: "Cover: “{title}” in white letters on the category’s colours",
    1: "Example of the delivered work: a page with highlighted sections",
}
AVATAR_COLOURS = {"anna@example.com": (14, 116, 144), "boris@example.com": (190, 24, 93)}


def _add_pictures(kwork: Kwork, category_slug: str) -> None:
    from . import demo_pictures

    for variant, alt in DEMO_ALT.items():
        pictures.add_picture(kwork.seller, kwork.id, demo_pictures.kwork_picture(kwork.title, category_slug, variant),
                             alt.format(title=kwork.title))  # fmt: skip


def _pictures_for_older_demo_data(users: dict[str, User]) -> None:
    """Demo databases seeded before there were pictures get them too; sellers get their profile pictures."""
    from . import demo_pictures

    for email, category_slug, draft in KWORKS:
        kwork = db.session.scalar(select(Kwork).where(Kwork.seller_id == users[email].id, Kwork.title == draft.title))
        if kwork is not None and not pictures.has_cover(kwork.id):
            _add_pictures(kwork, category_slug)
    for email, colour in AVATAR_COLOURS.items():
        if users[email].avatar_token is None:
            pictures.set_avatar(users[email], demo_pictures.avatar(users[email].display_name, colour))


def run() -> dict[str, int]:
    """Add the demo users, kworks and orders that are not there yet; returns how many of each were created."""
    created = {"users": 0, "kworks": 0}
    users = {}
    for email, name, about, hours, role, is_admin in USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = accounts.register(email, name, DEMO_PASSWORD, verified_at=now())  # demo addresses count as confirmed
            accounts.update_profile(user, display_name=name, about=about, working_hours=hours)
            user.is_admin = is_admin
            user.active_role = role
            user.created_at = now() - timedelta(days=DEMO_TENURE_DAYS.get(email, 0))
            db.session.commit()
            created["users"] += 1
        users[email] = user

    for email, category_slug, draft in KWORKS:
        seller = users[email]
        exists = db.session.scalar(select(Kwork.id).where(Kwork.seller_id == seller.id, Kwork.title == draft.title))
        if exists:
            continue
        draft.category_id = db.session.scalar(select(Category.id).where(Category.slug == category_slug))
        kwork = kworks.save_kwork(seller, draft, submit=False)
        _add_pictures(kwork, category_slug)  # a kwork needs its cover before moderation
        kwork = kworks.save_kwork(seller, draft, kwork=kwork, submit=True)
        kworks.approve(users["admin@example.com"], kwork)
        created["kworks"] += 1
    _pictures_for_older_demo_data(users)
    created["orders"] = _demo_money_and_orders(users, now())
    created["conversations"] = _demo_conversations(users, now())
    levels.recompute_all(now())  # what the daily job would give them, so the demo shows level badges at once
    return created
