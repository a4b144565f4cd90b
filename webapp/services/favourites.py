"""A buyer's favourites: kworks kept on their Favourites page, marked with a heart on cards and kwork pages."""
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..domain.errors import DomainError
from ..extensions import db
from ..models import Favourite, Kwork, User
from . import begin_write


class KworkNotAvailable(DomainError):
    """No such kwork in the catalog (never existed, deleted, or not active)."""


def set_favourite(user: User, kwork_id: int, favourite: bool, *, now) -> bool:
    """Keep the kwork among the user's favourites, or take it off; the same answer twice changes nothing.

    Guards: adding needs a kwork that is in the catalog (active, not deleted), else KworkNotAvailable; removing
    works for any kwork (one that left the catalog can still be taken off the list). Returns the new state.
    """
    begin_write()
    if not favourite:
        db.session.execute(delete(Favourite).where(Favourite.user_id == user.id, Favourite.kwork_id == kwork_id))
        db.session.commit()
        return False
    status = db.session.scalar(select(Kwork.status).where(Kwork.id == kwork_id, Kwork.deleted_at.is_(None)))
    if status != "active":
        db.session.rollback()
        raise KworkNotAvailable("This service is not in the catalog")
    exists = db.session.get(Favourite, (user.id, kwork_id))
    if exists is None:
        db.session.add(Favourite(user_id=user.id, kwork_id=kwork_id, created_at=now))
        try:
            db.session.commit()
        except IntegrityError:  # the same click twice at once: the other request added it
            db.session.rollback()
    else:
        db.session.commit()
    return True


def ids_among(user: User | None, kwork_ids) -> set[int]:
    """Which of these kworks the user keeps as favourites, in one query (none for a visitor)."""
    ids = list(kwork_ids)
    if user is None or not getattr(user, "is_authenticated", False) or not ids:
        return set()
    return set(db.session.scalars(select(Favourite.kwork_id).where(Favourite.user_id == user.id, Favourite.kwork_id.in_(ids))))
