from datetime import datetime, timezone

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.domain.tiers import KworkDraft, OptionDraft, TierDraft
from webapp.extensions import db
from webapp.models import Kwork, PortfolioItem
from webapp.services import kworks

from ..conftest import full_draft

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)


@pytest.fixture
def seller(make_user):
    return make_user("Seller", role="seller")


def test_partial_draft_saves_and_reports_what_is_missing(seller):
    kwork = kworks.save_kwork(seller, KworkDraft(title="Half done"), submit=False)
    assert kwork.status == "draft" and kwork.title == "Half done"
    assert {t.level for t in kwork.tiers} == {"economy", "standard", "business"}
    assert kworks.draft_from_kwork(kwork).tiers["economy"].price is None


def test_draft_save_still_refuses_broken_rules(seller):
    draft = KworkDraft(title="Half done")
    draft.tiers["economy"].price = 100
    with pytest.raises(ValidationFailed) as refused:
        kworks.save_kwork(seller, draft, submit=False)
    assert [i.field for i in refused.value.issues] == ["economy-price"]
    assert db.session.query(Kwork).count() == 0


def test_incomplete_kwork_cannot_be_submitted_and_says_why(seller):
    draft = full_draft()
    draft.tiers["business"].price = None
    draft.buyer_instructions = " "
    with pytest.raises(ValidationFailed) as refused:
        kworks.save_kwork(seller, draft, submit=True)
    assert [i.message for i in refused.value.issues] == [
        "Enter what you need from the buyer to start",
        "Enter the Business price",
    ]


def test_submitted_kwork_waits_for_moderation_with_options_per_tier(seller):
    options = [
        OptionDraft("Server setup", frozenset({"economy", "standard", "business"})),
        OptionDraft("", frozenset()),  # blank row: dropped
        OptionDraft("Monitoring", frozenset({"business"})),
    ]
    kwork = kworks.save_kwork(seller, full_draft(options=options), submit=True)
    assert kwork.status == "pending"
    assert [o.name for o in kwork.options] == ["Server setup", "Monitoring"]
    assert {t.level for t in kwork.options[1].tiers} == {"business"}
    assert [o.name for o in kwork.tier("economy").options] == ["Server setup"]
    draft = kworks.draft_from_kwork(kwork)
    assert draft.options[1] == OptionDraft("Monitoring", frozenset({"business"}))


def test_editing_an_active_kwork_sends_it_back_to_moderation_and_needs_completeness(seller, make_kwork):
    kwork = make_kwork(seller)
    assert kwork.status == "active"
    draft = kworks.draft_from_kwork(kwork)
    draft.title = "A better title"
    kworks.save_kwork(seller, draft, kwork=kwork, submit=False)  # "save" on a live kwork still submits
    assert kwork.status == "pending"
    draft.description = ""
    with pytest.raises(ValidationFailed):
        kworks.save_kwork(seller, draft, kwork=kwork, submit=False)


def test_a_seller_cannot_save_another_sellers_kwork(seller, make_user, make_kwork):
    kwork = make_kwork(seller)
    intruder = make_user("Intruder")
    with pytest.raises(kworks.KworkNotFound):
        kworks.save_kwork(intruder, full_draft("Hijacked"), kwork=kwork, submit=True)
    with pytest.raises(kworks.KworkNotFound):
        kworks.get_own_kwork(intruder, kwork.id)
    db.session.refresh(kwork)
    assert kwork.title != "Hijacked"


def test_unknown_category_is_refused(seller):
    draft = full_draft()
    draft.category_id = 999_999
    with pytest.raises(ValidationFailed) as refused:
        kworks.save_kwork(seller, draft, submit=True)
    assert refused.value.issues[-1].message == "Select a category from the list"


def test_pause_and_activate(seller, make_kwork):
    kwork = make_kwork(seller)
    kworks.set_paused(seller, kwork, True)
    assert kwork.status == "paused"
    with pytest.raises(DomainError, match="Only an active kwork can be paused"):
        kworks.set_paused(seller, kwork, True)
    kworks.set_paused(seller, kwork, False)
    assert kwork.status == "active"
    draft_kwork = make_kwork(seller, status="draft", title="Draft one")
    with pytest.raises(DomainError):
        kworks.set_paused(seller, draft_kwork, False)


def test_moderation_approve_and_reject(seller, make_user, make_kwork):
    from webapp.models import AuditEntry, Notification

    admin = make_user("Ada Admin", admin=True)
    kwork = make_kwork(seller, status="pending")
    with pytest.raises(ValidationFailed):
        kworks.reject(admin, kwork, "  ")
    kworks.reject(admin, kwork, "Remove the phone number from the description")
    assert (kwork.status, kwork.rejection_reason) == ("rejected", "Remove the phone number from the description")
    with pytest.raises(DomainError):
        kworks.approve(admin, kwork)
    kworks.save_kwork(seller, kworks.draft_from_kwork(kwork), kwork=kwork, submit=True)
    assert kwork.status == "pending" and kwork.rejection_reason == ""
    assert kworks.changes_since_approval(kwork) is None  # never approved: the moderator reads it whole
    kworks.approve(admin, kwork)
    assert kwork.status == "active" and kwork.approved_snapshot == kworks.snapshot(kwork)

    log = [(e.action, e.target_type, e.target_id, e.actor_id, e.before, e.after, e.reason)
           for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]  # fmt: skip
    assert log == [
        ("kwork.reject", "kwork", kwork.id, admin.id, {"status": "pending"}, {"status": "rejected"},
         "Remove the phone number from the description"),
        ("kwork.approve", "kwork", kwork.id, admin.id, {"status": "pending"}, {"status": "active"}, ""),
    ]  # fmt: skip
    told = [(n.user_id, n.kind, n.url) for n in db.session.query(Notification).order_by(Notification.id)]
    assert told == [(seller.id, "moderation", f"/kworks/{kwork.id}/edit"), (seller.id, "moderation", f"/catalog/kworks/{kwork.id}")]


def test_changes_since_approval_lists_each_changed_field_word_by_word(seller, make_kwork):
    kwork = make_kwork(seller)  # approved
    draft = kworks.draft_from_kwork(kwork)
    draft.description = "Server setup from scratch, with a security report."
    draft.tiers["standard"] = TierDraft("standard", 2500, 2, 2, "Better")
    kworks.save_kwork(seller, draft, kwork=kwork, submit=True)

    changes = {change.label: change.segments for change in kworks.changes_since_approval(kwork)}
    assert list(changes) == ["Description", "Standard: price"]
    described = [(s.kind, s.text) for s in changes["Description"] if s.kind != "same"]
    assert described == [("added", "security ")]
    assert [(s.kind, s.text) for s in changes["Standard: price"]] == [("removed", "2000"), ("added", "2500")]


@pytest.mark.parametrize("keep", [True, False])
def test_delete_kwork_keeps_or_deletes_its_portfolio(seller, make_kwork, app, keep):
    kwork = make_kwork(seller)
    image_item = kworks.add_portfolio_item(seller, title="Screenshot", kwork=kwork, image=PNG)
    kworks.add_portfolio_item(seller, title="Live site", kwork=kwork, link_url="https://example.com")
    image_path = app.config["UPLOAD_DIR"] / image_item.image_name
    assert image_path.exists()

    assert kworks.tally(seller) == kworks.KworkTally({kwork.status: 1}, None)
    kworks.delete_kwork(seller, kwork, keep_portfolio=keep, now=NOW)

    assert kwork.deleted_at == NOW
    assert kworks.seller_kworks(seller) == [] and kworks.tally(seller) == kworks.KworkTally({}, None)
    items = kworks.seller_portfolio(seller)
    if keep:
        assert sorted(i.title for i in items) == ["Live site", "Screenshot"]
        assert all(i.kwork_id is None for i in items) and image_path.exists()
    else:
        assert items == [] and not image_path.exists()
    with pytest.raises(kworks.KworkNotFound):
        kworks.get_own_kwork(seller, kwork.id)


@pytest.mark.parametrize(
    "image, link, message",
    [
        (None, None, "Upload an image or enter a link to the work"),
        (PNG, "https://example.com", "Upload an image or enter a link, not both"),
        (b"<?php evil();", None, "The image must be a PNG, JPEG, GIF or WebP file"),
    ],
)
def test_portfolio_item_needs_one_real_image_or_a_link(seller, image, link, message):
    with pytest.raises(ValidationFailed) as refused:
        kworks.add_portfolio_item(seller, title="Work", image=image, link_url=link)
    assert refused.value.issues[0].message == message
    assert db.session.query(PortfolioItem).count() == 0


def test_portfolio_image_size_limit(seller, app):
    with pytest.raises(ValidationFailed, match="smaller than 5 MB"):
        kworks.add_portfolio_item(seller, title="Huge", image=PNG + b"\x00" * app.config["MAX_IMAGE_BYTES"])


def test_portfolio_item_of_another_seller_cannot_be_deleted(seller, make_user):
    item = kworks.add_portfolio_item(seller, title="Mine", link_url="https://example.com")
    with pytest.raises(DomainError):
        kworks.delete_portfolio_item(make_user("Other"), item.id)
    kworks.delete_portfolio_item(seller, item.id)
    assert db.session.get(PortfolioItem, item.id) is None
