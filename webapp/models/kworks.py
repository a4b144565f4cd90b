from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.tiers import TIER_LEVELS
from ..extensions import db
from ..texts import lazy_gettext as _l
from .base import UTCDateTime, utcnow

KWORK_STATUSES = ("draft", "pending", "active", "paused", "rejected")


# The categories the first migration creates, named in the reader's language (the row keeps the English name).
CATEGORY_LABELS = {
    "design": _l("Design"),
    "programming": _l("Programming and IT"),
    "writing": _l("Writing and translation"),
    "marketing": _l("Marketing and SEO"),
    "video-audio": _l("Video and audio"),
    "business": _l("Business and admin"),
}


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)

    @property
    def label(self):
        return CATEGORY_LABELS.get(self.slug, self.name)


tier_options = Table(
    "tier_options",
    db.metadata,
    Column("tier_id", ForeignKey("tiers.id", ondelete="CASCADE"), primary_key=True),
    Column("option_id", ForeignKey("kwork_options.id", ondelete="CASCADE"), primary_key=True),
)


class Kwork(db.Model):
    __tablename__ = "kworks"
    __table_args__ = (
        CheckConstraint(f"status IN {KWORK_STATUSES!r}", name="status"),
        # The catalog lists active kworks newest first and filters by category.
        Index("ix_kworks_status_created", "status", "created_at"),
        Index("ix_kworks_category_status_price", "category_id", "status", "price_from"),  # a category by price (0039)
        # Counting the catalog's matches reads this index alone (an index-only scan) instead of every kwork row.
        Index("ix_kworks_listed", "status", "deleted_at", "seller_id", "id"),
        # The catalog's price sorts walk it in order and stop at the page's end; price filters read a range.
        Index("ix_kworks_status_price", "status", "price_from"),
        # ix_kworks_best_match (status, seller_rank DESC, seller_completion DESC NULLS LAST, rating DESC NULLS LAST,
        # created_at DESC, id DESC), the catalog's Best match order, is made by migration 0038 alone: SQLite refuses
        # NULLS LAST in an index, so its columns differ by database.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(String(80), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    buyer_instructions: Mapped[str] = mapped_column(Text, default="")
    is_packaged: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    # What the moderator last approved (services.kworks.snapshot), so the queue can show what changed since.
    approved_snapshot: Mapped[dict | None] = mapped_column(JSON)
    # Filled by the reviews service (orders issue); None means "no finished orders yet".
    rating: Mapped[int | None] = mapped_column()
    # What every catalog card shows, stored so a page of cards joins no tiers and counts no reviews (migration
    # 0037): the Economy tier's price and delivery days (None while a draft leaves them empty), kept by
    # services.kworks.refresh_card_prices; the published reviews, kept by services.reviews.refresh_kwork_ratings.
    # services.card_columns recomputes all three from scratch.
    price_from: Mapped[int | None] = mapped_column()
    delivery_days_from: Mapped[int | None] = mapped_column()
    review_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # The seller's ranking inputs, copied here so Best match walks one index of kworks (migration 0038): the rank of
    # their level (domain/levels.py) and their completion rate, as on users. Kept by services.levels.recompute_all
    # and services.kworks.save_kwork; services.card_columns recomputes them.
    seller_rank: Mapped[int] = mapped_column(default=0, server_default="0")
    seller_completion: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # "Order only after agreement": packages can't be bought directly, only through an individual offer.
    agreement_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Soft delete: orders (a later issue) keep pointing at the kwork they bought.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # "unnested": where a kwork is itself outer-joined (a conversation's kwork), its seller is chained as another
    # outer join rather than nested as "LEFT JOIN (kworks JOIN users)", which SQLite plans by materialising every
    # kwork joined to its seller (64 ms per conversation at 10,000 kworks). Loaded directly, it stays an inner join.
    seller = relationship("User", lazy="joined", innerjoin="unnested")
    category = relationship("Category", lazy="joined")
    tiers: Mapped[list["Tier"]] = relationship(
        back_populates="kwork", cascade="all, delete-orphan", order_by="Tier.position"
    )
    options: Mapped[list["KworkOption"]] = relationship(
        back_populates="kwork", cascade="all, delete-orphan", order_by="KworkOption.position"
    )
    # Paid extras (domain/extras.py), in the editor's order.
    extras: Mapped[list["KworkExtra"]] = relationship(
        back_populates="kwork", cascade="all, delete-orphan", order_by="KworkExtra.position", passive_deletes=True
    )
    portfolio_items: Mapped[list["PortfolioItem"]] = relationship(back_populates="kwork")
    # Cover first (position 0), then the gallery; `cover` alone is what a catalog card needs.
    pictures: Mapped[list["KworkPicture"]] = relationship(
        back_populates="kwork", cascade="all, delete-orphan", order_by="KworkPicture.position", passive_deletes=True
    )
    cover: Mapped["KworkPicture | None"] = relationship(
        primaryjoin="and_(KworkPicture.kwork_id == Kwork.id, KworkPicture.position == 0)", viewonly=True, uselist=False
    )

    def tier(self, level: str) -> "Tier | None":
        return next((t for t in self.tiers if t.level == level), None)

    @property
    def offered_tiers(self) -> list["Tier"]:
        """The tiers a buyer can order: all three when packaged, else only the single (economy) one."""
        return list(self.tiers) if self.is_packaged else [t for t in self.tiers if t.level == "economy"]


class Tier(db.Model):
    __tablename__ = "tiers"
    __table_args__ = (
        UniqueConstraint("kwork_id", "level", name="uq_tiers_kwork_level"),
        CheckConstraint(f"level IN {TIER_LEVELS!r}", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kwork_id: Mapped[int] = mapped_column(ForeignKey("kworks.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)
    # Nullable while the kwork is a draft: the editor hints at what is still empty.
    price: Mapped[int | None] = mapped_column()  # whole currency units
    delivery_days: Mapped[int | None] = mapped_column()
    revisions: Mapped[int | None] = mapped_column()
    description: Mapped[str] = mapped_column(String(200), default="")

    kwork: Mapped[Kwork] = relationship(back_populates="tiers")
    options: Mapped[list["KworkOption"]] = relationship(secondary=tier_options, back_populates="tiers")


class KworkOption(db.Model):
    """A row of the tier grid ("Server setup"), ticked per tier."""

    __tablename__ = "kwork_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    kwork_id: Mapped[int] = mapped_column(ForeignKey("kworks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(60))

    kwork: Mapped[Kwork] = relationship(back_populates="options")
    tiers: Mapped[list[Tier]] = relationship(secondary=tier_options, back_populates="options")


class KworkExtra(db.Model):
    """A paid extra a buyer may add at checkout ("Express delivery"): price in whole units, days added per unit."""

    __tablename__ = "kwork_extras"

    id: Mapped[int] = mapped_column(primary_key=True)
    kwork_id: Mapped[int] = mapped_column(ForeignKey("kworks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(60))
    price: Mapped[int] = mapped_column()
    days: Mapped[int] = mapped_column(default=0)
    quantity_allowed: Mapped[bool] = mapped_column(default=False, server_default=false())
    max_quantity: Mapped[int] = mapped_column(default=1)

    kwork: Mapped[Kwork] = relationship(back_populates="extras")


class PortfolioItem(db.Model):
    """A piece of past work: an uploaded image or a link. Kept in the seller's portfolio when its kwork goes."""

    __tablename__ = "portfolio_items"
    __table_args__ = (CheckConstraint("(image_name IS NULL) <> (link_url IS NULL)", name="image_xor_link"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kwork_id: Mapped[int | None] = mapped_column(ForeignKey("kworks.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    image_name: Mapped[str | None] = mapped_column(String(80))
    link_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())

    kwork: Mapped[Kwork | None] = relationship(back_populates="portfolio_items")
