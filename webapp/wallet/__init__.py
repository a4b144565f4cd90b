from flask import Blueprint

bp = Blueprint("wallet", __name__, url_prefix="/wallet")

from . import views  # noqa: E402,F401
