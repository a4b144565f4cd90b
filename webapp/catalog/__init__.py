from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

from . import views  # noqa: E402,F401
