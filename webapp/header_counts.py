"""The two counts in a signed-in user's header – Inbox and the bell – read once per page, in one statement.

Both are template globals (`unread_messages()`, `unread_notifications()`) that the layout calls in different places;
the first call reads both, the second takes what the first read. They are kept on the request, not on `g`, which
can outlive a request (tests reuse one app context for several). None when the database can't answer: the error
page for that failure must still render.
"""
from flask import request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .services import notifications


def _counts() -> tuple[int | None, int | None]:
    current = request._get_current_object()
    counts = getattr(current, "_header_counts", None)
    if counts is None:
        try:
            counts = notifications.header_counts(current_user.id)
        except SQLAlchemyError:
            counts = (None, None)
        current._header_counts = counts
    return counts


def unread_messages() -> int | None:
    """The header's Inbox count."""
    return _counts()[0]


def unread_notifications() -> int | None:
    """The bell's count."""
    return _counts()[1]
