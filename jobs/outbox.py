from webapp.clock import now

from . import app_context


def run(row_id: int):
    """The RQ job of an outbox row (webapp.queue): its entry point, then the row marked done."""
    with app_context():
        from webapp.services import outbox

        return outbox.run(row_id, now())
