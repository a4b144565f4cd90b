from webapp.clock import now

from . import app_context


def fire_due_timers() -> int:
    """Scheduled for the second its timers fall due: fires them, and any others due by then."""
    with app_context():
        from webapp.services import timers

        return timers.fire_due(now)


def fire_timer(timer_id: int) -> bool:
    """One timer: the job of a timer scheduled before timers due in the same second shared one job."""
    with app_context():
        from webapp.services import timers

        return timers.fire(timer_id, now())


def sweep_due_timers() -> int:
    with app_context():
        from webapp.services import timers

        return timers.sweep(now())
