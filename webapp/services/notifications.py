"""The notification centre: what a user must know or act on, kept until they mark it read."""
from ..domain.notifications import KINDS
from ..extensions import db
from ..models import Notification


def notify(user_id: int, kind: str, text: str, url: str = "", *, order_id: int | None = None) -> Notification:
    """Add a notification inside the caller's unit of work (the caller commits with the change it reports)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(user_id=user_id, kind=kind, text=text, url=url, order_id=order_id)
    db.session.add(notification)
    return notification
