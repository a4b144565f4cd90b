"""Sandboxes: the fake payment page, phone and mailbox that let a demo run end to end without real services.

They answer "paid", "called" and "delivered" without anything having happened, so they exist in the demo and the
tests only: production refuses to start without the real services (webapp/config.py), never registers the
sandbox pages, and a sandbox backend can't be chosen there.
"""
from functools import wraps

from flask import Flask, abort, current_app


def allowed(app: Flask | None = None) -> bool:
    app = app or current_app
    return bool(app.config.get("DEMO_MODE") or app.testing) and app.config.get("ENVIRONMENT") != "production"


def only(view):
    """A sandbox page: 404 wherever sandboxes are not allowed."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not allowed():
            abort(404)
        return view(*args, **kwargs)

    return guarded
