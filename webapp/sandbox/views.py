"""The sandbox phone and mailbox: in the demo (and tests) only, the calls and e-mails the sandbox backends recorded."""
from flask import abort, current_app
from flask_login import login_required
from sqlalchemy import select

from ..extensions import db
from ..htmx import render
from ..models import SandboxCall, SandboxMail
from . import bp


@bp.before_request
def demo_only():
    if not (current_app.config["DEMO_MODE"] or current_app.testing):
        abort(404)


@bp.get("/phone")
@login_required
def phone():
    calls = db.session.scalars(select(SandboxCall).order_by(SandboxCall.id.desc()).limit(20))
    return render("sandbox/phone.html", calls=list(calls))


@bp.get("/mail")
@login_required
def mailbox():
    mails = db.session.scalars(select(SandboxMail).order_by(SandboxMail.id.desc()).limit(50))
    return render("sandbox/mail.html", mails=list(mails))
