from flask import Blueprint

bp = Blueprint("kworks", __name__, url_prefix="/kworks")

from . import views  # noqa: E402,F401
