"""What makes the storefront: a kwork's pictures (cover first) and the buyers' favourites."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

MAX_PICTURES = 8  # a cover and up to seven more in the gallery


class KworkPicture(db.Model):
    """One picture of a kwork, kept as a few renditions (services/pictures.py); position 0 is the cover."""

    __tablename__ = "kwork_pictures"
    __table_args__ = (
        Index("ix_kwork_pictures_kwork_position", "kwork_id", "position"),
        CheckConstraint("width > 0 AND height > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kwork_id: Mapped[int] = mapped_column(ForeignKey("kworks.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    # 32 hex digits naming the renditions "pictures/<token>-<width>.webp|jpg" in the storage.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    alt: Mapped[str] = mapped_column(String(250))
    width: Mapped[int] = mapped_column()  # of the largest rendition
    height: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())

    kwork = relationship("Kwork", back_populates="pictures")


class Favourite(db.Model):
    """A kwork a user keeps on their Favourites page."""

    __tablename__ = "favourites"
    __table_args__ = (Index("ix_favourites_kwork", "kwork_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kwork_id: Mapped[int] = mapped_column(ForeignKey("kworks.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
