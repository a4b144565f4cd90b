"""A seller's kworks: editing with package tiers and options, moderation status, pausing and deletion."""
import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, func, select

from .. import links
from ..domain import diff
from ..domain.diff import FieldChange
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..domain.extras import ExtraDraft
from ..domain.tiers import TIER_LEVELS, TIER_NAMES, KworkDraft, OptionDraft, TierDraft, problems_for_submission, rule_violations
from ..extensions import db
from ..models import Category, Kwork, KworkExtra, KworkOption, PortfolioItem, Tier, User
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import audit, begin_write, card_columns, email_verification, locking, pictures, uploads
from .notifications import notify

# A kwork already live or in the queue is only ever saved by re-submitting it: it can't fall back to a draft.
SUBMITTED_STATUSES = ("pending", "active", "paused")


class KworkNotFound(DomainError):
    """No such kwork for this seller (also raised for another seller's kwork, so its existence stays private)."""


def get_own_kwork(seller: User, kwork_id: int) -> Kwork:
    kwork = db.session.get(Kwork, kwork_id)
    if kwork is None or kwork.seller_id != seller.id or kwork.deleted_at is not None:
        raise KworkNotFound("Kwork not found")
    return kwork


def _lock_own(seller: User, kwork_id: int) -> Kwork:
    """Begin a writing unit of work holding the seller's kwork's row lock; the kwork as read under it."""
    kwork = locking.lock(Kwork, kwork_id)
    if kwork is None or kwork.seller_id != seller.id or kwork.deleted_at is not None:
        raise KworkNotFound("Kwork not found")
    return kwork


def seller_kworks(seller: User) -> list[Kwork]:
    return list(
        db.session.scalars(
            select(Kwork).where(Kwork.seller_id == seller.id, Kwork.deleted_at.is_(None)).order_by(Kwork.created_at.desc())
        ).unique()
    )


# Built once: the seller dashboard runs it per page (see services/sessions._USER_WITH_SESSION). The ratings ride
# along: the dashboard's level panel needs the seller's kwork rating, over the same kworks, and one statement costs
# a page less than two (about 0.2 ms of a web worker's CPU each).
_TALLY = (
    select(Kwork.status, func.count(), func.sum(Kwork.rating), func.count(Kwork.rating))
    .where(Kwork.seller_id == bindparam("seller_id"), Kwork.deleted_at.is_(None))
    .group_by(Kwork.status)
)  # fmt: skip


@dataclass(frozen=True)
class KworkTally:
    by_status: dict[str, int]  # how many kworks in each status, statuses without one left out
    rating: int | None  # the seller's kwork rating (services.levels): the mean of the rated ones' ratings, rounded down


def tally(seller: User) -> KworkTally:
    """How many kworks the seller has in each status and their kwork rating (deleted kworks left out), in one
    grouped statement, without loading them."""
    rows = db.session.execute(_TALLY, {"seller_id": seller.id}).all()
    total, rated = sum(int(row[2] or 0) for row in rows), sum(row[3] for row in rows)
    return KworkTally({row[0]: row[1] for row in rows}, total // rated if rated else None)


_CATEGORIES = select(Category).order_by(Category.position, Category.name)  # built once: the catalog runs it per page


def categories() -> list[Category]:
    return list(db.session.scalars(_CATEGORIES))


def draft_from_kwork(kwork: Kwork) -> KworkDraft:
    tiers = {level: TierDraft(level) for level in TIER_LEVELS}
    for tier in kwork.tiers:
        tiers[tier.level] = TierDraft(tier.level, tier.price, tier.delivery_days, tier.revisions, tier.description)
    options = [
        OptionDraft(option.name, frozenset(tier.level for tier in option.tiers)) for option in kwork.options
    ]
    return KworkDraft(
        title=kwork.title,
        category_id=kwork.category_id,
        description=kwork.description,
        buyer_instructions=kwork.buyer_instructions,
        is_packaged=kwork.is_packaged,
        tiers=tiers,
        options=options,
        extras=[ExtraDraft(e.title, e.price, e.days, e.quantity_allowed, e.max_quantity if e.quantity_allowed else None)
                for e in kwork.extras],  # fmt: skip
    )


def problems(draft: KworkDraft, *, kwork: Kwork | None, submit: bool) -> list[FieldIssue]:
    """What stops `save_kwork` from accepting this draft (see its guards)."""
    submit = submit or (kwork is not None and kwork.status in SUBMITTED_STATUSES)
    issues = problems_for_submission(draft) if submit else rule_violations(draft)
    if draft.category_id is not None and db.session.get(Category, draft.category_id) is None:
        issues.append(FieldIssue("category_id", _("Select a category from the list")))
    if submit and current_app.config.get("KWORK_COVER_REQUIRED", True) and not pictures.has_cover(kwork.id if kwork else None):
        # The editor links to the Pictures page; a new kwork gets one once its draft is saved.
        issues.append(FieldIssue("pictures", _("Add a cover picture before sending the kwork to moderation")))
    return issues


def save_kwork(seller: User, draft: KworkDraft, *, kwork: Kwork | None = None, submit: bool) -> Kwork:
    """Create or update a kwork from the editor.

    Guards: every filled value follows the tier rules; submitting (and any save of a kwork already submitted)
    also needs every required field and a cover picture (KWORK_COVER_REQUIRED, on by default). Raises ValidationFailed listing each problem by field.
    Effects: a submitted kwork goes to "pending" (hidden from the catalog until a moderator approves it);
    otherwise it stays a draft. Option rows with neither a name nor a ticked package are dropped, and so are
    extra rows with neither a title nor a price (domain/extras.py checks the filled ones, at most 10). The
    kwork's stored card price and delivery days (price_from, delivery_days_from) follow its Economy tier; a new
    kwork gets its seller's level rank and completion rate (seller_rank, seller_completion) for Best match.
    """
    if kwork is not None:
        kwork = _lock_own(seller, kwork.id)  # its status, as a moderator's decision may just have left it
    else:
        begin_write()
    submit = submit or (kwork is not None and kwork.status in SUBMITTED_STATUSES)
    email_verification.require_verified_email(seller, when=submit)
    if issues := problems(draft, kwork=kwork, submit=submit):
        raise ValidationFailed(issues)

    created = kwork is None
    if created:
        kwork = Kwork(seller=seller)
        db.session.add(kwork)
    kwork.title = draft.title.strip()
    kwork.category_id = draft.category_id
    kwork.description = draft.description.strip()
    kwork.buyer_instructions = draft.buyer_instructions.strip()
    kwork.is_packaged = draft.is_packaged
    kwork.status = "pending" if submit else "draft"
    kwork.rejection_reason = ""

    tiers_by_level = {tier.level: tier for tier in kwork.tiers}
    for position, level in enumerate(TIER_LEVELS):
        tier = tiers_by_level.get(level)
        if tier is None:
            tier = Tier(level=level)
            kwork.tiers.append(tier)
        source = draft.tiers.get(level) or TierDraft(level)
        tier.position = position
        tier.price, tier.delivery_days, tier.revisions = source.price, source.delivery_days, source.revisions
        tier.description = source.description.strip()
        tiers_by_level[level] = tier

    kwork.options.clear()
    kept = [option for option in draft.options if option.name.strip()]
    for position, option in enumerate(kept):
        kwork.options.append(
            KworkOption(
                position=position,
                name=option.name.strip(),
                tiers=[tiers_by_level[level] for level in TIER_LEVELS if level in option.levels],
            )
        )
    kwork.extras.clear()
    kept_extras = [extra for extra in draft.extras if not extra.is_blank()]
    for position, extra in enumerate(kept_extras):
        kwork.extras.append(
            KworkExtra(
                position=position,
                title=extra.title.strip(),
                price=extra.price,
                days=extra.days or 0,
                quantity_allowed=extra.quantity_allowed,
                max_quantity=(extra.max_quantity or 1) if extra.quantity_allowed else 1,
            )
        )
    db.session.flush()
    card_columns.refresh_prices([kwork.id])  # the catalog card's "from" price and days, under the kwork's lock
    if created:
        # Best match's copy of the seller's level rank and completion rate, read after the insert (its foreign key
        # check waits for a levels run that holds the seller), so the new kwork ranks like the seller's others.
        card_columns.refresh_seller_columns([kwork.id])
    db.session.commit()
    return kwork


def set_paused(seller: User, kwork: Kwork, paused: bool) -> Kwork:
    """Pause an active kwork (hidden from the catalog) or activate a paused one. No moderation involved."""
    kwork = _lock_own(seller, kwork.id)
    if paused and kwork.status != "active":
        raise DomainError(_("Only an active kwork can be paused"))
    if not paused and kwork.status != "paused":
        raise DomainError(_("Only a paused kwork can be activated"))
    kwork.status = "paused" if paused else "active"
    db.session.commit()
    return kwork


def set_agreement_only(seller: User, kwork: Kwork, agreement_only: bool) -> Kwork:
    """"Order only after agreement": its packages can't be bought directly, only through an individual offer made in
    a conversation (services.offers). No moderation involved."""
    kwork = _lock_own(seller, kwork.id)
    kwork.agreement_only = agreement_only
    db.session.commit()
    return kwork


def delete_kwork(seller: User, kwork: Kwork, *, keep_portfolio: bool, now: datetime) -> None:
    """Remove a kwork from the seller's list and the catalog.

    The row is kept (soft delete) because orders refer to it. Its portfolio items either move to the seller's
    general portfolio (keep_portfolio) or are deleted with their images.
    """
    kwork = _lock_own(seller, kwork.id)
    kwork.deleted_at = now
    for item in list(kwork.portfolio_items):
        if keep_portfolio:
            item.kwork_id = None
        else:
            _delete_portfolio_item_row(item)
    db.session.commit()


# The approved snapshot is stored data, compared with later ones: its labels and package names stay in English
# whatever the moderator's language, and are translated only when shown (`changes_since_approval`).
_STORED_TIER_NAMES = {"economy": "Economy", "standard": "Standard", "business": "Business"}
SNAPSHOT_LABELS = {
    "Title": _l("Title"),
    "Category": _l("Category"),
    "Description": _l("Description"),
    "What the seller needs from the buyer": _l("What the seller needs from the buyer"),
    "Packages": _l("Packages"),
    "Options": _l("Options"),
    "Extras": _l("Extras"),
}
SNAPSHOT_TIER_LABELS = {  # "Economy: price"
    "price": _l("%(package)s: price"),
    "delivery days": _l("%(package)s: delivery days"),
    "revisions": _l("%(package)s: revisions"),
    "description": _l("%(package)s: description"),
}
SNAPSHOT_VALUES = {"Three packages": _l("Three packages"), "One package": _l("One package")}
_OPTION_LEVELS = re.compile(r"^(.*) \(((?:Economy|Standard|Business)(?:, (?:Economy|Standard|Business))*)?\)$")


def snapshot(kwork: Kwork) -> dict[str, str]:
    """The kwork as a buyer reads it, one labelled text per field: stored at approval, compared at the next."""
    fields = {
        "Title": kwork.title,
        "Category": kwork.category.name if kwork.category else "",
        "Description": kwork.description,
        "What the seller needs from the buyer": kwork.buyer_instructions,
        "Packages": "Three packages" if kwork.is_packaged else "One package",
    }
    for tier in kwork.offered_tiers:
        name = _STORED_TIER_NAMES[tier.level] if kwork.is_packaged else "Package"
        fields[f"{name}: price"] = "" if tier.price is None else str(tier.price)
        fields[f"{name}: delivery days"] = "" if tier.delivery_days is None else str(tier.delivery_days)
        fields[f"{name}: revisions"] = "" if tier.revisions is None else str(tier.revisions)
        fields[f"{name}: description"] = tier.description
    fields["Options"] = "\n".join(
        f"{option.name} ({', '.join(_STORED_TIER_NAMES[t.level] for t in sorted(option.tiers, key=lambda t: t.position))})"
        for option in kwork.options
    )
    if kwork.extras:  # absent when there are none, so kworks approved before extras existed show no change
        fields["Extras"] = "\n".join(
            f"{extra.title}: {extra.price} +{extra.days}d" + (f" ×{extra.max_quantity}" if extra.quantity_allowed else "")
            for extra in kwork.extras
        )
    return fields


def changes_since_approval(kwork: Kwork) -> list[FieldChange] | None:
    """What the seller changed since the last approval, in the viewer's language (labels, package names and the
    package count translated); None for a kwork never approved before."""
    if kwork.approved_snapshot is None:
        return None
    return diff.changes(_shown(kwork.approved_snapshot), _shown(snapshot(kwork)))


def _shown(fields: dict[str, str]) -> dict[str, str]:
    """A stored (English) snapshot as the viewer reads it; labels and values it does not know stay as they are."""
    levels = {english: level for level, english in _STORED_TIER_NAMES.items()}

    def package(english: str) -> str:
        return str(TIER_NAMES[levels[english]]) if english in levels else _("Package")

    def label(key: str) -> str:
        if key in SNAPSHOT_LABELS:
            return str(SNAPSHOT_LABELS[key])
        name, _sep, part = key.partition(": ")
        if part in SNAPSHOT_TIER_LABELS and (name in levels or name == "Package"):
            return str(SNAPSHOT_TIER_LABELS[part]) % {"package": package(name)}
        return key

    def value(key: str, text: str) -> str:
        if key == "Packages" and text in SNAPSHOT_VALUES:
            return str(SNAPSHOT_VALUES[text])
        if key == "Options":
            lines = []
            for line in text.split("\n"):
                match = _OPTION_LEVELS.match(line)
                if match:
                    names = ", ".join(package(n) for n in match.group(2).split(", ")) if match.group(2) else ""
                    line = f"{match.group(1)} ({names})"
                lines.append(line)
            return "\n".join(lines)
        return text

    return {label(key): value(key, text) for key, text in fields.items()}


def approve(admin: User, kwork: Kwork) -> Kwork:
    """Publish a pending kwork; what was approved is kept so the next review shows only what changed."""
    kwork = locking.lock(Kwork, kwork.id)  # two moderators, or a moderator and the seller editing, one at a time
    if kwork.status != "pending":
        raise DomainError(_("Only a kwork waiting for moderation can be approved"))
    kwork.status = "active"
    kwork.approved_snapshot = snapshot(kwork)
    audit.record(admin, "kwork.approve", kwork, before={"status": "pending"}, after={"status": "active"})
    notify(kwork.seller_id, "moderation", _l("“%(title)s” was approved and is now in the catalog."),
           links.path("catalog.kwork", kwork_id=kwork.id), title=kwork.title)  # fmt: skip
    db.session.commit()
    return kwork


def reject(admin: User, kwork: Kwork, reason: str) -> Kwork:
    kwork = locking.lock(Kwork, kwork.id)
    if kwork.status != "pending":
        raise DomainError(_("Only a kwork waiting for moderation can be rejected"))
    if not reason.strip():
        raise ValidationFailed([FieldIssue("reason", _("Enter the reason the seller will see"))])
    kwork.status = "rejected"
    kwork.rejection_reason = reason.strip()
    audit.record(admin, "kwork.reject", kwork, before={"status": "pending"}, after={"status": "rejected"}, reason=kwork.rejection_reason)
    notify(kwork.seller_id, "moderation", _l("“%(title)s” was not approved: %(reason)s"),
           links.path("kworks.edit", kwork_id=kwork.id), title=kwork.title, reason=kwork.rejection_reason)  # fmt: skip
    db.session.commit()
    return kwork


def add_portfolio_item(
    seller: User, *, title: str, kwork: Kwork | None = None, image: bytes | None = None, link_url: str | None = None
) -> PortfolioItem:
    """Add a piece of past work: exactly one of an image (PNG, JPEG, GIF or WebP) or a link."""
    begin_write()
    if kwork is not None:
        kwork = get_own_kwork(seller, kwork.id)
    if image is None and link_url is None:
        raise ValidationFailed([FieldIssue("image", _("Upload an image or enter a link to the work"))])
    if image is not None and link_url is not None:
        raise ValidationFailed([FieldIssue("image", _("Upload an image or enter a link, not both"))])
    image_name = uploads.store_image(image) if image is not None else None
    item = PortfolioItem(seller_id=seller.id, kwork=kwork, title=title.strip(), image_name=image_name, link_url=link_url)
    db.session.add(item)
    db.session.commit()
    return item


def seller_portfolio(seller: User) -> list[PortfolioItem]:
    return list(
        db.session.scalars(
            select(PortfolioItem)
            .where(PortfolioItem.seller_id == seller.id)
            .order_by(PortfolioItem.created_at.desc(), PortfolioItem.id.desc())
        )
    )


def delete_portfolio_item(seller: User, item_id: int) -> None:
    begin_write()
    item = db.session.get(PortfolioItem, item_id)
    if item is None or item.seller_id != seller.id:
        raise DomainError("Portfolio item not found")
    _delete_portfolio_item_row(item)
    db.session.commit()


def _delete_portfolio_item_row(item: PortfolioItem) -> None:
    if item.image_name:
        uploads.delete_image(item.image_name)
    db.session.delete(item)
