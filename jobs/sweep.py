from webapp.clock import now

from . import app_context


def sweep() -> tuple[int, int]:
    """Every 20 seconds (`rq cron jobs/cron.py`): fire timers whose job was lost, hand over outbox jobs that were."""
    with app_context():
        from webapp.services import outbox, timers

        return timers.sweep(now()), outbox.sweep(now())
