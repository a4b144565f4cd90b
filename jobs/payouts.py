from webapp.clock import now

from . import app_context


def settle_withdrawal(withdrawal_id: int) -> None:
    with app_context():
        from webapp.services import payouts

        payouts.settle_withdrawal(withdrawal_id, now())
