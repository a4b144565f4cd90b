"""The audit log: every admin action, with the record before and after and the admin's reason."""
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry, User


def record(actor: User, action: str, target, *, before: dict, after: dict, reason: str = "") -> AuditEntry:
    """Add an entry in the caller's unit of work, so the log and the change commit (or roll back) together."""
    entry = AuditEntry(
        actor_id=actor.id, action=action, target_type=type(target).__name__.lower(), target_id=target.id,
        before=before, after=after, reason=reason,
    )  # fmt: skip
    db.session.add(entry)
    return entry


def entries(*, target_type: str | None = None, target_id: int | None = None, limit: int = 100) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    return list(db.session.scalars(query))
