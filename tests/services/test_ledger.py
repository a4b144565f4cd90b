import pytest

from webapp.extensions import db
from webapp.models import Posting, TopUp
from webapp.services import ledger, wallet

from ..conftest import assert_ledger_consistent


def test_topup_through_the_sandbox_credits_once(make_user):
    user = make_user()
    topup = wallet.start_topup(user, 1500)
    assert topup.status == "pending" and wallet.balance(user) == 0
    wallet.confirm_topup(topup)
    wallet.confirm_topup(topup)  # the provider may call twice
    assert wallet.balance(user) == 150000
    assert ledger.balance(ledger.EXTERNAL_TOPUP) == -150000
    assert_ledger_consistent()


def test_declined_topup_credits_nothing(make_user):
    user = make_user()
    topup = wallet.decline_topup(wallet.start_topup(user, 1500))
    assert topup.status == "declined" and wallet.balance(user) == 0
    with pytest.raises(ledger.DomainError):
        wallet.confirm_topup(topup)


@pytest.mark.parametrize("amount", [None, 99, 500_001])
def test_topup_amount_limits(make_user, amount):
    with pytest.raises(ledger.DomainError):
        wallet.start_topup(make_user(), amount)
    assert db.session.query(TopUp).count() == 0


def test_unbalanced_posting_is_refused(ctx):
    with pytest.raises(ValueError):
        ledger.post("bad", "test", [ledger.Movement(ledger.EXTERNAL_TOPUP, -100), ledger.Movement("wallet:1", 99)])


def test_overdraft_is_refused_and_nothing_is_written(make_user, fund):
    user = make_user()
    fund(user, 100)
    before = db.session.query(Posting).count()
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post("too-much", "test", [ledger.Movement(ledger.wallet_code(user.id), -10001), ledger.Movement("escrow:1", 10001)])
    db.session.rollback()
    assert db.session.query(Posting).count() == before
    assert wallet.balance(user) == 10000
    assert_ledger_consistent()


def test_idempotency_key_replays_and_refuses_a_different_payload(make_user, fund):
    user = make_user()
    fund(user, 100)
    movements = [ledger.Movement(ledger.wallet_code(user.id), -500), ledger.Movement(ledger.PLATFORM_COMMISSION, 500)]
    first = ledger.post("key-1", "test", movements)
    db.session.commit()
    assert ledger.post("key-1", "test", list(reversed(movements))).id == first.id
    assert wallet.balance(user) == 9500
    with pytest.raises(ledger.IdempotencyConflict):
        ledger.post("key-1", "test", [ledger.Movement(ledger.wallet_code(user.id), -600), ledger.Movement(ledger.PLATFORM_COMMISSION, 600)])


def test_check_constraint_backs_up_the_service(make_user):
    """Even a write that bypasses the service can't overdraw a wallet."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from webapp.models import LedgerAccount

    user = make_user()
    with pytest.raises(IntegrityError):
        db.session.execute(update(LedgerAccount).where(LedgerAccount.code == ledger.wallet_code(user.id)).values(balance=-1))
        db.session.flush()
    db.session.rollback()


def test_many_postings_at_once_move_each_balance_by_their_sum(make_user, fund):
    """post_many: one posting per transfer, each with its own entries; each account updated once, by the total."""
    anna, boris = make_user(), make_user()
    fund(anna, 100)
    made = ledger.post_many([
        ledger.Transfer("many-1", "test", [ledger.Movement(ledger.wallet_code(anna.id), -3000), ledger.Movement(ledger.wallet_code(boris.id), 3000)]),
        ledger.Transfer("many-2", "test", [ledger.Movement(ledger.wallet_code(anna.id), -2000), ledger.Movement(ledger.PLATFORM_COMMISSION, 2000)]),
        ledger.Transfer("many-3", "test", [ledger.Movement(ledger.wallet_code(boris.id), -500), ledger.Movement(ledger.PLATFORM_COMMISSION, 500)]),
    ])  # fmt: skip
    db.session.commit()
    assert [p.idempotency_key for p in made] == ["many-1", "many-2", "many-3"]
    assert [sorted(e.amount for e in p.entries) for p in made] == [[-3000, 3000], [-2000, 2000], [-500, 500]]
    assert (wallet.balance(anna), wallet.balance(boris)) == (5000, 2500)
    assert ledger.post_many([ledger.Transfer("many-2", "test", [
        ledger.Movement(ledger.PLATFORM_COMMISSION, 2000), ledger.Movement(ledger.wallet_code(anna.id), -2000)])])[0].id == made[1].id  # fmt: skip
    assert wallet.balance(anna) == 5000  # a replayed key moves nothing
    assert_ledger_consistent()


def test_many_postings_are_all_refused_when_one_account_would_go_below_zero(make_user, fund):
    anna, boris = make_user(), make_user()
    fund(anna, 100)
    before = db.session.query(Posting).count()
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post_many([
            ledger.Transfer("fine", "test", [ledger.Movement(ledger.wallet_code(anna.id), -3000), ledger.Movement(ledger.wallet_code(boris.id), 3000)]),
            ledger.Transfer("overdraws", "test", [ledger.Movement(ledger.wallet_code(boris.id), -3001), ledger.Movement(ledger.PLATFORM_COMMISSION, 3001)]),
        ])  # fmt: skip
    db.session.rollback()
    assert db.session.query(Posting).count() == before
    assert (wallet.balance(anna), wallet.balance(boris)) == (10000, 0)
    assert_ledger_consistent()


def test_one_key_asked_for_twice_in_a_batch_is_made_once_or_refused(make_user, fund):
    anna = make_user()
    fund(anna, 100)
    movements = [ledger.Movement(ledger.wallet_code(anna.id), -500), ledger.Movement(ledger.PLATFORM_COMMISSION, 500)]
    first, again = ledger.post_many([ledger.Transfer("twice", "test", movements), ledger.Transfer("twice", "test", movements)])
    db.session.commit()
    assert first is again and wallet.balance(anna) == 9500
    other = [ledger.Movement(ledger.wallet_code(anna.id), -600), ledger.Movement(ledger.PLATFORM_COMMISSION, 600)]
    with pytest.raises(ledger.IdempotencyConflict):
        ledger.post_many([ledger.Transfer("twice-2", "test", movements), ledger.Transfer("twice-2", "test", other)])
