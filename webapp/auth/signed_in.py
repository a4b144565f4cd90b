"""Who a request is signed in as: Flask-Login's user loader, and signing a browser in and out.

Flask-Login keeps "<user id>:<session token>" (User.get_id) in Flask's session cookie, and in the remember cookie
when asked to. The loader accepts it only while the server-side session it names is alive (services/sessions.py)
and the user is not suspended; anything else is forgotten, the remember cookie deleted with it.
"""
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user, login_user, logout_user

from ..clock import now
from ..extensions import db, login_manager
from ..models import User
from ..services import sessions

# What survives the session being cleared at login and logout: the language picked from the footer.
KEPT_ACROSS_LOGIN = ("language",)


@login_manager.user_loader
def load_user(alternative_id: str) -> User | None:
    parsed = sessions.parse_id(alternative_id)
    if parsed is None:
        return _forget()
    user_id, token = parsed
    found = sessions.find_with_user(user_id, sessions.token_hash(token))
    moment = now()
    if found is None:
        return _forget()
    user, row = found
    # A suspension ends every session the user already has, not just future logins (and deletes them, too).
    if not user.is_active or not sessions.is_alive(row, moment):
        return _forget()
    if sessions.due_for_touch(row, moment) and not _changes_pending() and not _passive_request():
        sessions.touch(row.id, user_id, moment)
    user.session_token = token
    return user


_PASSIVE_VIEWS: set = set()


def passive(view):
    """Mark a view that a page asks for by itself (a poll): it reads who is signed in but does not count as using
    the session, so "last used" and "last seen" do not move and an idle session still ends after IDLE_LIMIT."""
    _PASSIVE_VIEWS.add(view)
    return view


def _passive_request() -> bool:
    return has_request_context() and current_app.view_functions.get(request.endpoint) in _PASSIVE_VIEWS


def _changes_pending() -> bool:
    """The user is loaded when first asked for: should a view have changed rows already, touching (which commits)
    must wait for another request."""
    unit = db.session()
    return bool(unit.new or unit.dirty or unit.deleted)


def _forget() -> None:
    """A cookie naming no live session: drop it, so the browser stops sending it."""
    session.pop("_user_id", None)
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        session["_remember"] = "clear"  # Flask-Login deletes the remember cookie on the way out
    return None


def _clear_session() -> None:
    """Start the cookie session afresh: nothing set before (a session fixed by someone else, an old CSRF secret)
    carries over a login or a logout."""
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    session.update(kept)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's token for this request


def sign_in(user: User, *, remember: bool) -> None:
    """Sign this browser in as `user`: a new server-side session, a cleared cookie session (so a new CSRF secret),
    and Flask-Login's cookies naming the new session."""
    _row, token = sessions.start(user, remember=remember, user_agent=request.user_agent.string,
                                 address=request.remote_addr, now=now())  # fmt: skip
    _clear_session()
    user.session_token = token
    login_user(user, remember=remember)


def forget_browser() -> None:
    """Sign this browser out locally (its server-side session already ended or about to): cookies cleared."""
    _clear_session()
    logout_user()


def sign_out() -> None:
    """Log out: this browser's session ends on the server too, so a copy of its cookies is refused from now on."""
    if current_user.is_authenticated:
        sessions.sign_out(current_user, token=current_user.session_token)
    forget_browser()


def current_token_hash() -> str | None:
    """The hash of this browser's session token, to mark it among the devices."""
    token = current_user.session_token if current_user.is_authenticated else None
    return sessions.token_hash(token) if token else None


def remembered() -> bool:
    """Whether this browser's session was to be remembered ("Keep me logged in")."""
    hashed = current_token_hash()
    row = sessions.find(current_user.id, hashed) if hashed else None
    return bool(row and row.remember)
