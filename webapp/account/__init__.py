from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from . import sign_in, views  # noqa: E402,F401
