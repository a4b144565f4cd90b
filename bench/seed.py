"""A benchmark-sized marketplace, written with SQLAlchemy Core executemany (one statement per table chunk).

Going through the services row by row would take hours at this size; the rows written here are the ones the
services would have written (states with their timestamps, events, messages, reviews, cancellation requests,
escrow postings for open orders), with ids assigned up front so rows can point at each other without reading
anything back. Random but reproducible (fixed seed).
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from sqlalchemy import func, select, text

from webapp.domain import orders as rules
from webapp.domain.tiers import TIER_LEVELS
from webapp.extensions import db
from webapp.models import (
    CancellationRequest,
    Category,
    Entry,
    Kwork,
    KworkOption,
    KworkPicture,
    LedgerAccount,
    Order,
    OrderEvent,
    OrderMessage,
    Posting,
    Review,
    Conversation,
    ConversationMember,
    ConversationMessage,
    Tier,
    User,
)
from webapp.models.kworks import tier_options
from webapp.services import ledger

PASSWORD = "bench-password"
SELLER_EMAIL = "seller1@bench.example"  # the seller whose pages are measured
# The tables written, in this order (each refers only to those before it).
SEEDED_MODELS = (User, LedgerAccount, Kwork, Tier, KworkOption, Order, OrderEvent, OrderMessage, Review, CancellationRequest,
                 Posting, Entry, Conversation, ConversationMessage, KworkPicture)  # fmt: skip
BIG_THREAD = 50  # messages on the order the order-page benchmark opens
INBOX_THREADS = 1000  # conversations in the bench seller's inbox (as many buyers as there are, if fewer)
BIG_CONVERSATION = 500  # messages in the conversation the conversation-page benchmark opens
CHUNK = 20_000  # rows per executemany call: bounded memory per statement on both databases

# Order states with their share of the 100,000 orders; delivered orders are what the timer benchmark completes.
STATE_SHARES = {
    rules.COMPLETED: 0.55,
    rules.CANCELLED: 0.10,
    rules.DELIVERED: 0.12,
    rules.IN_WORK: 0.09,
    rules.REVISION: 0.05,
    rules.NEW: 0.05,
    rules.AWAITING_REQUIREMENTS: 0.04,
}
KWORK_STATUS_SHARES = {"active": 0.90, "paused": 0.04, "pending": 0.03, "draft": 0.02, "rejected": 0.01}
CANCEL_REASONS = [  # (reason, initiator role, counts against the seller, share)
    ("mutual", "buyer", False, 0.40),
    ("mistake", "buyer", False, 0.25),
    ("buyer_other", "buyer", False, 0.15),
    ("no_information", "seller", False, 0.10),
    ("seller_late", "buyer", True, 0.10),
]
VERBS = ["set up", "design", "write", "fix", "translate", "optimise", "build", "review", "migrate", "animate"]
THINGS = ["a VPS server", "a logo", "a landing page", "a Django bug", "a product description", "an email campaign",
          "a WordPress site", "a Telegram bot", "a pitch deck", "a database backup plan", "an explainer video"]  # fmt: skip
OPTION_NAMES = ["Source files", "Commercial use", "Express delivery", "Extra revision", "Report", "Support for 30 days"]
LOREM = ("Clear scope, fixed price and a short report of everything done. I have done this many times for small "
         "businesses and startups, and I answer messages within a few hours on working days. ")  # fmt: skip


@dataclass(frozen=True)
class Sizes:
    sellers: int = 2_000
    kworks: int = 10_000
    buyers: int = 20_000
    orders: int = 100_000

    def scaled(self, factor: float) -> "Sizes":
        return Sizes(*(max(10, int(n * factor)) for n in (self.sellers, self.kworks, self.buyers, self.orders)))


@dataclass(frozen=True)
class Seeded:
    """What the benchmarks open: rows chosen so each page shows a typical (or, for messages, a heavy) case."""

    seller_email: str
    seller_id: int
    kwork_id: int
    big_order_id: int
    conversation_id: int
    category_slug: str
    rows: dict[str, int]


def _pick(shares: dict, rng: random.Random):
    return rng.choices(list(shares), weights=list(shares.values()))[0]


class _Ids:
    """Next free primary key per table, read once: ids are assigned in Python so rows can reference each other."""

    def __init__(self, connection, *models):
        self.next = {m.__table__.name: (connection.scalar(select(func.max(m.id))) or 0) + 1 for m in models}

    def take(self, model) -> int:
        name = model.__table__.name
        self.next[name] += 1
        return self.next[name] - 1


def seed(sizes: Sizes = Sizes(), now: datetime | None = None) -> Seeded:
    rng = random.Random(7)
    now = now or datetime.now(timezone.utc)
    tables: dict = {model: [] for model in SEEDED_MODELS}
    members = []  # conversation_members rows (keyed by conversation and user, no id of their own)
    links = []  # tier_options rows
    with db.engine.begin() as connection:
        ids = _Ids(connection, *tables)
        categories = connection.execute(select(Category.id, Category.slug)).all()
        topup_account = connection.scalar(select(LedgerAccount.id).where(LedgerAccount.code == ledger.EXTERNAL_TOPUP))

    password_hash = PasswordHasher().hash(PASSWORD)  # one hash for everyone: hashing 22,000 would take minutes

    wallets = {}  # user id → wallet account id (a wallet is opened with its user)

    def add_user(email: str, name: str, role: str) -> int:
        user_id, wallets[user_id] = ids.take(User), ids.take(LedgerAccount)
        tables[User].append(dict(id=user_id, email=email, password_hash=password_hash, display_name=name,
                                 about=LOREM, active_role=role, created_at=now - timedelta(days=rng.randint(30, 900)),
                                 avatar_token=f"{user_id:032x}" if role == "seller" else None))  # fmt: skip
        tables[LedgerAccount].append(dict(id=wallets[user_id], code=ledger.wallet_code(user_id), user_id=user_id,
                                          balance=0, allow_negative=False))  # fmt: skip
        return user_id

    sellers = [add_user(f"seller{n}@bench.example", f"Seller {n}", "seller") for n in range(1, sizes.sellers + 1)]
    buyers = [add_user(f"buyer{n}@bench.example", f"Buyer {n}", "buyer") for n in range(1, sizes.buyers + 1)]

    # Kworks with three tiers and 3–5 options ticked per tier.
    kworks = {}  # id → (seller, title, status, tiers by level, option names)
    for n in range(sizes.kworks):
        kwork_id, seller = ids.take(Kwork), sellers[n % len(sellers)]
        status = _pick(KWORK_STATUS_SHARES, rng)
        title = f"I will {rng.choice(VERBS)} {rng.choice(THINGS)}"[:80]
        base, days = rng.randrange(500, 5000, 100), rng.randint(1, 4)
        tiers = {}
        for position, level in enumerate(TIER_LEVELS):
            tier = dict(id=ids.take(Tier), kwork_id=kwork_id, level=level, position=position, price=base * 2**position,
                        delivery_days=days + 2 * position, revisions=position + 1, description=f"{level.title()} package")  # fmt: skip
            tiers[level] = tier
            tables[Tier].append(tier)
        names = rng.sample(OPTION_NAMES, rng.randint(3, 5))
        for position, name in enumerate(names):
            option_id = ids.take(KworkOption)
            tables[KworkOption].append(dict(id=option_id, kwork_id=kwork_id, position=position, name=name))
            for level in TIER_LEVELS[min(position, 2):] if position else TIER_LEVELS:
                links.append(dict(tier_id=tiers[level]["id"], option_id=option_id))
        created = now - timedelta(days=rng.randint(1, 700), seconds=rng.randint(0, 86_400))
        kworks[kwork_id] = (seller, title, status, tiers, names)
        # Every kwork has its cover, every seller an avatar, as on a live site (cards show both): the rows only,
        # since the pages measured render the pictures' addresses, never the files.
        tables[KworkPicture].append(dict(id=ids.take(KworkPicture), kwork_id=kwork_id, position=0, token=f"{kwork_id:032x}",
                                         alt=f"Cover: {title}", width=1200, height=800, created_at=now))  # fmt: skip
        tables[Kwork].append(dict(id=kwork_id, seller_id=seller, category_id=rng.choice(categories)[0], title=title,
                                  description=LOREM * 3, buyer_instructions="Access details and what you expect.",
                                  is_packaged=True, status=status, rejection_reason="", approved_snapshot=None,
                                  rating=None, created_at=created, updated_at=created, deleted_at=None,
                                  price_from=tiers["economy"]["price"], delivery_days_from=tiers["economy"]["delivery_days"],
                                  review_count=0, seller_rank=0, seller_completion=None))  # fmt: skip
    orderable = [k for k, (_, _, status, _, _) in kworks.items() if status in ("active", "paused")]

    outcomes: dict[int, list[tuple[datetime, int, bool | None]]] = {}  # kwork → (finished at, order id, review)
    bench_seller = sellers[0]
    bench_kworks = [k for k in orderable if kworks[k][0] == bench_seller]
    big_order_id = None
    for n in range(sizes.orders):
        order_id = ids.take(Order)
        if big_order_id is None:
            state, kwork_id, big_order_id = rules.IN_WORK, bench_kworks[0], order_id
        else:
            state, kwork_id = _pick(STATE_SHARES, rng), rng.choice(orderable)
        seller, title, _, tiers, names = kworks[kwork_id]
        buyer = rng.choice(buyers)
        tier = tiers[rng.choices(TIER_LEVELS, weights=(5, 3, 2))[0]]
        finished = state in (rules.COMPLETED, rules.CANCELLED)
        created = now - timedelta(days=rng.uniform(20, 365) if finished else rng.uniform(0.2, 15))
        order = dict(id=order_id, buyer_id=buyer, seller_id=seller, kwork_id=kwork_id, repeat_of_id=None,
                     checkout_token=f"bench-{order_id}", state=state, tier_level=tier["level"], title=title,
                     tier_description=tier["description"], included_options=names[:2], unit_price=tier["price"] * 100,
                     quantity=1, total=tier["price"] * 100, delivery_days=tier["delivery_days"],
                     revisions_included=tier["revisions"], revisions_used=1 if state == rules.REVISION else 0,
                     auto_completed=False, buyer_instructions="Access details and what you expect.",
                     requirements=None if state == rules.AWAITING_REQUIREMENTS else "The details you asked for.",
                     created_at=created, requirements_sent_at=None, started_at=None, deadline_at=None,
                     delivered_at=None, completed_at=None, cancelled_at=None, pause_requested_at=None,
                     pause_reason=None, paused_at=None)  # fmt: skip
        history = [("place", buyer, None, rules.NEW if order["requirements"] else rules.AWAITING_REQUIREMENTS, created)]
        messages = []
        moment = created
        if order["requirements"]:
            order["requirements_sent_at"] = created
            messages.append((buyer, "requirements", order["requirements"], created))
        if state not in (rules.AWAITING_REQUIREMENTS, rules.NEW) and not (state == rules.CANCELLED and rng.random() < 0.5):
            moment += timedelta(hours=rng.uniform(1, 24))
            order["started_at"] = moment
            # One in five orders in work runs late: the lists mark them.
            late = state in (rules.IN_WORK, rules.REVISION) and rng.random() < 0.2
            order["deadline_at"] = now - timedelta(hours=5) if late else moment + timedelta(days=tier["delivery_days"])
            history.append(("start", seller, rules.NEW, rules.IN_WORK, moment))
            if state in (rules.DELIVERED, rules.REVISION, rules.COMPLETED):
                moment += timedelta(days=rng.uniform(0.1, min(3, tier["delivery_days"])))
                order["delivered_at"] = moment
                history.append(("deliver", seller, rules.IN_WORK, rules.DELIVERED, moment))
                messages.append((seller, "delivery", "Here is the result, with the report.", moment))
            if state == rules.REVISION:
                history.append(("request_revision", buyer, rules.DELIVERED, rules.REVISION, moment))
                messages.append((buyer, "revision_request", "Please change the colours.", moment))
        if state == rules.COMPLETED:
            moment += timedelta(hours=rng.uniform(1, 48))
            order["completed_at"] = moment
            history.append(("accept", buyer, rules.DELIVERED, rules.COMPLETED, moment))
        if state == rules.CANCELLED:
            moment += timedelta(hours=rng.uniform(1, 72))
            order["cancelled_at"] = moment
            from_state = rules.IN_WORK if order["started_at"] else history[-1][3]
            reason, role, counts, _ = rng.choices(CANCEL_REASONS, weights=[r[3] for r in CANCEL_REASONS])[0]
            tables[CancellationRequest].append(dict(
                id=ids.take(CancellationRequest), order_id=order_id, initiator_id=buyer if role == "buyer" else seller,
                initiator_role=role, reason=reason, comment="We agreed to stop the order here, thank you.",
                state_when_requested=from_state, status="applied", created_at=moment - timedelta(hours=1),
                answered_at=moment, reason_agreed=not counts, auto_applied=False, counts_against_seller=counts,
                buyer_may_review=False, spared_if_reordered=reason == "mutual", exempt_reason=None))  # fmt: skip
            history.append(("cancel", buyer if role == "buyer" else seller, from_state, rules.CANCELLED, moment))
        for _ in range(BIG_THREAD if order_id == big_order_id else rng.randint(0, 2)):
            moment_of = created + timedelta(minutes=rng.randint(1, 600))
            messages.append((rng.choice((buyer, seller)), "message", "A question about the work, and its answer.", moment_of))
        for action, actor, from_state, to_state, at in history:
            tables[OrderEvent].append(dict(id=ids.take(OrderEvent), order_id=order_id, actor_id=actor, action=action,
                                           from_state=from_state, to_state=to_state, comment="", created_at=at))  # fmt: skip
        for author, kind, body, at in sorted(messages, key=lambda m: m[3]):
            tables[OrderMessage].append(dict(id=ids.take(OrderMessage), order_id=order_id, author_id=author, kind=kind,
                                             body=body, created_at=at))  # fmt: skip

        review = None
        if state == rules.COMPLETED and rng.random() < 0.6:
            review = rng.random() < 0.92
            tables[Review].append(dict(
                id=ids.take(Review), order_id=order_id, kwork_id=kwork_id, seller_id=seller, buyer_id=buyer,
                positive=review, text=LOREM if review else "The work came late and missed half of what we agreed on.",
                reply="Thank you!" if rng.random() < 0.2 else None, created_at=order["completed_at"],
                updated_at=order["completed_at"], replied_at=None, status="published", via_support=False,
                report_reason=None, reported_at=None, hidden_reason=None))  # fmt: skip
        if state == rules.COMPLETED:
            outcomes.setdefault(kwork_id, []).append((order["completed_at"], order_id, review))
        if state in rules.OPEN_STATES:
            _escrow(tables, ids, order, topup_account, wallets[buyer])
        tables[Order].append(order)

    # The bench seller's inbox: a conversation with each of INBOX_THREADS buyers, most recent first, one of them long.
    conversation_id = None
    for number, buyer in enumerate(buyers[:INBOX_THREADS]):
        thread = ids.take(Conversation)
        conversation_id = conversation_id or thread
        count = BIG_CONVERSATION if thread == conversation_id else rng.randint(1, 4)
        started = now - timedelta(days=1 + number % 300, minutes=number)
        last_id = last_at = first_reply = None
        for index in range(count):
            author = buyer if index % 2 == 0 else bench_seller
            last_id, last_at = ids.take(ConversationMessage), started + timedelta(minutes=7 * index)
            if index == 1:
                first_reply = last_at
            tables[ConversationMessage].append(dict(id=last_id, conversation_id=thread, author_id=author,
                                                    body="Could you also set up the mail server? Here are the details.",
                                                    created_at=last_at, flags=[], flagged=False, asks_for_offer=False))  # fmt: skip
        low, high = sorted((buyer, bench_seller))
        tables[Conversation].append(dict(id=thread, user_low_id=low, user_high_id=high, started_by_id=buyer,
                                         kwork_id=bench_kworks[0], created_at=started, last_message_id=last_id,
                                         last_message_at=last_at, first_reply_at=first_reply))  # fmt: skip
        members.append(dict(conversation_id=thread, user_id=bench_seller, other_id=buyer, unread=number % 3))
        members.append(dict(conversation_id=thread, user_id=buyer, other_id=bench_seller, unread=0))

    # The cached rating the catalog sorts by, from the same outcomes the reviews service would count, and the count
    # of published reviews its cards show (every seeded review is published); the price columns are set above, and
    # so are the seller's rank and completion rate: the seeded users keep the defaults (level "new", no rate yet).
    for row in tables[Kwork]:
        finished = sorted(outcomes.get(row["id"], []), key=lambda o: (o[0], o[1]), reverse=True)
        row["rating"] = rules.rating([review for _, _, review in finished]).percent
        row["review_count"] = sum(review is not None for _, _, review in finished)

    with db.engine.begin() as connection:
        for model, rows in tables.items():
            for start in range(0, len(rows), CHUNK):
                connection.execute(model.__table__.insert(), rows[start : start + CHUNK])
            if model is KworkOption:  # the tier grid's links need both tiers and options
                for start in range(0, len(links), CHUNK):
                    connection.execute(tier_options.insert(), links[start : start + CHUNK])
            if model is Conversation:
                for start in range(0, len(members), CHUNK):
                    connection.execute(ConversationMember.__table__.insert(), members[start : start + CHUNK])
        connection.execute(
            LedgerAccount.__table__.update()
            .where(LedgerAccount.id == topup_account)
            .values(balance=LedgerAccount.balance - sum(o["total"] for o in tables[Order] if o["state"] in rules.OPEN_STATES))
        )
        if connection.dialect.name == "postgresql":
            # Ids were given explicitly: move each sequence past them so the app's own inserts don't collide.
            for model in tables:
                name = model.__table__.name
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))

    rows = {model.__table__.name: len(found) for model, found in tables.items()} | {"tier_options": len(links),
                                                                                      "conversation_members": len(members)}
    # The filtered catalog page lists the bench kwork's category: the same choice at every scale, and one `find`
    # can make again from the rows.
    category_id = next(row["category_id"] for row in tables[Kwork] if row["id"] == bench_kworks[0])
    return Seeded(SELLER_EMAIL, bench_seller, bench_kworks[0], big_order_id, conversation_id,
                  next(slug for id_, slug in categories if id_ == category_id), rows)


def find() -> Seeded:
    """The Seeded of a database that `seed` filled before (`python -m bench --reuse`), from its rows: the bench
    seller, the first order (the big one, of the seller's first kwork), the first conversation, that kwork's
    category, and each table's row count."""
    seller_id = db.session.scalar(select(User.id).where(User.email == SELLER_EMAIL))
    big_order_id, kwork_id = db.session.execute(select(Order.id, Order.kwork_id).order_by(Order.id).limit(1)).one()
    conversation_id = db.session.scalar(select(func.min(Conversation.id)))
    category_slug = db.session.scalar(select(Category.slug).join(Kwork, Kwork.category_id == Category.id).where(Kwork.id == kwork_id))
    tables = [model.__table__ for model in SEEDED_MODELS] + [tier_options, ConversationMember.__table__]
    rows = {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in tables}
    return Seeded(SELLER_EMAIL, seller_id, kwork_id, big_order_id, conversation_id, category_slug, rows)


def _escrow(tables: dict, ids: _Ids, order: dict, topup_account: int, wallet_id: int) -> None:
    """An open order's money, as checkout leaves it: the buyer's top-up, then the total moved into escrow."""
    wallet = ledger.wallet_code(order["buyer_id"])
    escrow_id, escrow = ids.take(LedgerAccount), ledger.escrow_code(order["id"])
    tables[LedgerAccount].append(dict(id=escrow_id, code=escrow, user_id=None, balance=order["total"], allow_negative=False))
    movements = {
        "topup": [(ledger.EXTERNAL_TOPUP, topup_account, -order["total"]), (wallet, wallet_id, order["total"])],
        "order_payment": [(wallet, wallet_id, -order["total"]), (escrow, escrow_id, order["total"])],
    }
    for kind, moves in movements.items():
        posting_id = ids.take(Posting)
        key = f"bench-topup-{order['id']}" if kind == "topup" else f"order-{order['id']}-payment"
        fingerprint = ledger._fingerprint(kind, [ledger.Movement(code, amount) for code, _, amount in moves])
        tables[Posting].append(dict(id=posting_id, idempotency_key=key, kind=kind, memo="", fingerprint=fingerprint,
                                    created_at=order["created_at"]))  # fmt: skip
        for _, account_id, amount in moves:
            tables[Entry].append(dict(id=ids.take(Entry), posting_id=posting_id, account_id=account_id, amount=amount))
