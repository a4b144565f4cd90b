from webapp.clock import now

from . import app_context


def recompute_levels() -> int:
    """Once a day (`rq cron jobs/cron.py`): every seller's level from their figures; returns how many changed."""
    with app_context():
        from webapp.services import levels

        return len(levels.recompute_all(now()))
