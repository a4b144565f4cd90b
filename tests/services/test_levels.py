"""Seller levels, computed: the daily recomputation for every seller in a fixed number of statements, each change
stored once and told to the seller with its reason, the mail of a batch in one job, the job on rq's cron and a real
worker, and the catalog's Best match ranking by the stored level and completion rate."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from croniter import croniter
from sqlalchemy import update

from webapp.extensions import db
from webapp.models import Kwork, Notification, OutboxJob, SandboxMail, User
from webapp.queue import get_queue
from webapp.services import card_columns, catalog, levels, ratings

from ..conftest import cancel_by_agreement
from .test_timers import run_worker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
LATER = START + timedelta(days=1)


def set_level(*users, level="level_1"):
    db.session.execute(update(User).where(User.id.in_([u.id for u in users])).values(level=level))
    db.session.commit()


def notes(user) -> list[str]:
    return [n.text for n in db.session.query(Notification).filter_by(user_id=user.id, kind="level_changed")]


@pytest.fixture
def level_1_seller(make_user, make_kwork, make_order):
    """A seller 40 days on the site with five completed orders on one kwork: everything Level 1 asks for."""
    seller = make_user("Sam Seller", role="seller")
    seller.created_at = START - timedelta(days=40)
    db.session.commit()
    kwork = make_kwork(seller)
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            make_order("completed", kwork=kwork, now=START)
    return seller


def test_a_seller_who_meets_every_criterion_goes_up_once_and_is_told_why(level_1_seller):
    changes = levels.recompute_all(LATER)
    db.session.expire_all()
    assert [(c.user_id, c.old, c.new) for c in changes] == [(level_1_seller.id, "new", "level_1")]
    assert (level_1_seller.level, level_1_seller.level_changed_at, level_1_seller.completion_rate) == ("level_1", LATER, 100)
    assert notes(level_1_seller) == ["Your seller level went up from New seller to Level 1: you meet every criterion of Level 1."]
    assert levels.recompute_all(LATER + timedelta(days=1)) == []  # nothing changed: nobody is told again
    assert len(notes(level_1_seller)) == 1


def test_a_seller_who_misses_their_level_goes_down_with_each_missing_criterion_in_their_language(level_1_seller, make_user):
    set_level(level_1_seller, level="top")
    newcomer = make_user("Nina", role="seller")
    newcomer.language = "ru"
    db.session.commit()
    set_level(newcomer, level="level_1")
    levels.recompute_all(LATER)
    db.session.expire_all()
    assert level_1_seller.level == "level_1"
    assert notes(level_1_seller) == [
        "Your seller level went down from Top seller to Level 1. Completed orders: 5; Top seller asks for at least 100. "
        "Days on Gigsmith: 41; Top seller asks for at least 365."
    ]
    assert newcomer.level == "new"
    [text] = notes(newcomer)
    assert "Уровень 1" in text and "не известен" in text  # written in the seller's language: Russian


def test_the_recomputation_runs_as_many_statements_for_six_sellers_as_for_two(level_1_seller, make_user, statements):
    levels.recompute_all(LATER)  # the seller with orders settles (level and completion rate stored)
    first = [make_user(f"Seller {n}", role="seller") for n in range(2)]
    set_level(*first)
    statements.clear()
    levels.recompute_all(LATER)
    for_two = len(statements)
    more = first + [make_user(f"More {n}", role="seller") for n in range(4)]
    set_level(*more)
    statements.clear()
    changes = levels.recompute_all(LATER + timedelta(days=1))
    assert len(changes) == 6 and len(statements) == for_two, "\n".join(s.split("\n")[0][:90] for s in statements)


def test_the_figures_of_all_sellers_at_once_agree_with_each_sellers_own(make_user, make_kwork, make_order):
    """Completed, cancelled by agreement, and cancelled then ordered again within 14 days (which does not count)."""
    sellers = [make_user(f"Seller {n}", role="seller") for n in range(3)]
    with time_machine.travel(START, tick=False):
        for n, seller in enumerate(sellers):
            kwork = make_kwork(seller)
            for _ in range(n + 1):
                make_order("completed", kwork=kwork, now=START)
            cancelled = make_order("cancelled", kwork=kwork, now=START)
            if n == 1:
                make_order("new", kwork=kwork, buyer=cancelled.buyer, now=START + timedelta(days=2))
    together = ratings.figures_by_seller()
    for seller in sellers:
        assert together[seller.id] == ratings.figures(seller.id)
    assert together[sellers[1].id].counted_for_completion == 0 and together[sellers[0].id].counted_for_completion == 1


def test_the_dashboards_tally_gives_the_same_kwork_rating_as_the_daily_job(make_user, make_kwork):
    """services.kworks.tally counts the seller's kworks by status and reads their kwork rating in one statement: the
    mean of the rated kworks' ratings over every status, rounded down, deleted kworks left out, as levels reads it."""
    from webapp.services import kworks as kwork_service

    seller, newcomer = make_user("Rated", role="seller"), make_user("Unrated", role="seller")
    rated = [make_kwork(seller) for _ in range(4)]
    unrated = make_kwork(newcomer)
    for kwork, rating, status in zip(rated, (100, 81, None, 50), ("active", "paused", "active", "active")):
        db.session.execute(update(Kwork).where(Kwork.id == kwork.id).values(rating=rating, status=status))
    db.session.execute(update(Kwork).where(Kwork.id == rated[3].id).values(deleted_at=START))
    db.session.commit()
    tally = kwork_service.tally(seller)
    assert tally.by_status == {"active": 2, "paused": 1}
    assert tally.rating == levels._kwork_ratings([seller.id])[seller.id] == (100 + 81) // 2
    assert kwork_service.tally(newcomer) == kwork_service.KworkTally({unrated.status: 1}, None)
    assert levels.figures_for(seller, LATER, kwork_rating=tally.rating) == levels.figures_for(seller, LATER)


def test_the_emails_of_a_batch_go_out_in_one_job_on_a_real_worker(level_1_seller, make_user):
    other = make_user("Olga", role="seller")
    set_level(other)
    levels.recompute_all(LATER)
    jobs = db.session.query(OutboxJob).filter_by(func="jobs.mail.send_notification_emails").all()
    assert len(jobs) == 1 and len(jobs[0].args[0]) == 2
    run_worker()
    told = [mail.to for mail in db.session.query(SandboxMail) if "Your seller level went" in mail.body]
    assert sorted(told) == sorted([level_1_seller.email, other.email])


def test_the_daily_job_is_on_rq_cron_and_runs_on_a_real_worker_with_the_controlled_clock(level_1_seller):
    from rq import cron

    import jobs.cron  # noqa: F401 - registers the cron jobs
    from jobs.levels import recompute_levels

    [entry] = [e for e in cron._job_data_registry if e["func"] is recompute_levels]
    assert entry["cron"] == jobs.cron.LEVELS_CRON
    runs = croniter(entry["cron"], START)
    first, second = runs.get_next(datetime), runs.get_next(datetime)
    assert second - first == timedelta(days=1)  # once a day

    get_queue().enqueue("jobs.levels.recompute_levels")
    run_worker()
    assert db.session.get(User, level_1_seller.id).level == "level_1"


def test_flask_levels_runs_it_by_hand(app, level_1_seller):
    result = app.test_cli_runner().invoke(args=["levels"])
    assert result.exit_code == 0, result.output
    assert "1 seller level changed." in result.output and f"user {level_1_seller.id}: new -> level_1" in result.output


def test_best_match_ranks_by_text_then_level_then_completion_rate_then_rating(make_user, make_kwork):
    sellers = {name: make_user(name, role="seller") for name in ("Top", "High", "Low", "New")}  # Top's kwork is oldest
    kworks = {name: make_kwork(seller, title="I will set up a VPS server") for name, seller in sellers.items()}
    for name, level, rate in (("Low", "level_1", 80), ("High", "level_1", 97), ("Top", "top", 96)):
        db.session.execute(update(User).where(User.id == sellers[name].id).values(level=level, completion_rate=rate))
    card_columns.recompute_card_columns()  # the copies on kworks Best match reads, as the levels job keeps them
    db.session.commit()

    def order(**query):
        return [card.kwork.seller.display_name for card in catalog.search(catalog.CatalogQuery(**query), per_page=10).cards]

    assert order() == ["Top", "High", "Low", "New"]
    assert order(text="vps server") == ["Top", "High", "Low", "New"]  # equal text relevance: reputation decides
    assert order(sort="newest") == ["New", "Low", "High", "Top"]  # the other sort orders are untouched
    db.session.execute(update(Kwork).where(Kwork.id == kworks["New"].id).values(rating=100))
    db.session.execute(update(User).where(User.id == sellers["New"].id).values(level="top", completion_rate=96))
    card_columns.recompute_card_columns()
    db.session.commit()
    assert order()[:2] == ["New", "Top"]  # same level and completion rate: the better kwork rating first
