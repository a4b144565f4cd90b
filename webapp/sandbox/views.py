"""The sandbox phone and mailbox: in the demo (and tests) only, the calls and e-mails the sandbox backends recorded
for the logged-in user – a code spoken to someone else's phone or a mail to someone else is theirs alone."""
from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import sandboxes
from ..extensions import db
from ..htmx import render
from ..models import SandboxCall, SandboxMail, VoiceCode
from . import bp


@bp.before_request
def demo_only():
    if not sandboxes.allowed():
        abort(404)


@bp.get("/phone")
@login_required
def phone():
    # A call belongs to whoever asked for its code (by the call's id), not to whoever typed that number.
    mine = select(VoiceCode.call_sid).where(VoiceCode.user_id == current_user.id, VoiceCode.call_sid.is_not(None))
    calls = db.session.scalars(select(SandboxCall).where(SandboxCall.call_sid.in_(mine)).order_by(SandboxCall.id.desc()).limit(20))
    return render("sandbox/phone.html", calls=list(calls))


@bp.get("/mail")
@login_required
def mailbox():
    mails = db.session.scalars(select(SandboxMail).where(SandboxMail.to == current_user.email).order_by(SandboxMail.id.desc()).limit(50))
    return render("sandbox/mail.html", mails=list(mails))
