from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")

from . import views  # noqa: E402,F401
from . import upgrade_views  # noqa: E402,F401
