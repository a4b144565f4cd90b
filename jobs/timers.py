from webapp.clock import now

from . import app_context


def fire_timer(timer_id: int) -> bool:
    with app_context():
        from webapp.services import timers

        return timers.fire(timer_id, now())


def sweep_due_timers() -> int:
    with app_context():
        from webapp.services import timers

        return timers.sweep(now())
