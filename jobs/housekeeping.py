from webapp.clock import now

from . import app_context


def housekeeping() -> int:
    """Every hour (`rq cron jobs/cron.py`): delete server-side sessions that ended by themselves. Nothing depends on
    it happening on time (an ended session is refused whether or not its row is still there), so it is not a timer
    or outbox row; a missed run is made up by the next."""
    with app_context():
        from webapp.services import sessions

        return sessions.purge_ended(now())


def orphaned_uploads() -> int:
    """Every day (`rq cron jobs/cron.py`): delete stored objects older than a day that no row names (an upload whose
    transaction never committed and whose removal was lost with the process)."""
    with app_context():
        from webapp.services import uploads

        return uploads.sweep_orphans(now())
