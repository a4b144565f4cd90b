"""Payout details change only after the voice code; withdrawals wait 24 hours after a change."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.models import PayoutDetail, SandboxCall
from webapp.services import ledger, payouts, voice_codes, wallet

from ..conftest import assert_ledger_consistent
from .test_timers import run_worker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
CARD = "4111 1111 1111 1111"


def last_spoken_code() -> str:
    row = db.session.query(SandboxCall).order_by(SandboxCall.id.desc()).first()
    return re.search(r"code is: ((?:\d, ){5}\d)", row.spoken).group(1).replace(", ", "")


@pytest.fixture
def seller(make_user):
    user = make_user("Seller", role="seller")
    user.phone, user.phone_verified_at = "+442079460958", START - timedelta(days=1)
    db.session.commit()
    return user


def add_card(user, number=CARD, at=START):
    with time_machine.travel(at, tick=False):
        change = payouts.add_card(user, number, at)
        run_worker()
    return change


@pytest.mark.parametrize("number, ok", [(CARD, True), ("5555 5555 5555 4444", True), ("2200 0000 0000 0004", True),
                                        ("4111 1111 1111 1112", False), ("4111", False), ("abcd efgh", False)])  # fmt: skip
def test_card_numbers_are_checked_with_luhn(seller, number, ok):
    if ok:
        assert payouts.add_card(seller, number, START).status == "pending"
    else:
        with pytest.raises(ValidationFailed, match="Enter a valid card number"):
            payouts.add_card(seller, number, START)


def test_the_full_card_number_is_never_stored(seller):
    change = add_card(seller)
    detail = change.detail
    assert (detail.brand, detail.last4, detail.status) == ("Visa", "1111", "pending")
    assert detail.token.startswith("tok_sandbox_")
    for table in ("payout_details", "payout_changes", "security_events"):
        rows = db.session.execute(db.text(f"SELECT * FROM {table}")).all()
        assert "4111111111111111" not in repr(rows) and "4111 1111 1111 1111" not in repr(rows)


def test_a_change_takes_effect_only_with_the_code_then_withdrawals_wait_24_hours(seller, fund):
    fund(seller, 5000)
    change = add_card(seller)
    assert payouts.active_details(seller) == []  # nothing in force before the code
    with pytest.raises(ValidationFailed):
        payouts.withdraw(seller, change.detail.id, 1000, START)
    payouts.confirm(seller, last_spoken_code(), START + timedelta(minutes=1))
    [card] = payouts.active_details(seller)
    assert seller.payouts_held_until == START + timedelta(hours=24, minutes=1)
    with pytest.raises(payouts.HeldUntil) as held:
        payouts.withdraw(seller, card.id, 1000, START + timedelta(hours=2))
    assert held.value.until == START + timedelta(hours=24, minutes=1)

    later = START + timedelta(hours=25)
    with time_machine.travel(later, tick=False):
        withdrawal = payouts.withdraw(seller, card.id, 1000, later)
        assert wallet.balance(seller) == 400000 and withdrawal.status == "requested"
        run_worker()
    db.session.refresh(withdrawal)
    assert withdrawal.status == "paid" and ledger.balance(ledger.EXTERNAL_PAYOUT) == 100000
    assert_ledger_consistent()


def test_five_wrong_codes_cancel_the_pending_change(seller):
    change = add_card(seller)
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            payouts.confirm(seller, "000000" if last_spoken_code() != "000000" else "111111", START)
    assert change.status == "cancelled" and change.detail.status == "pending"
    assert payouts.active_details(seller) == []


def test_removing_a_detail_also_needs_the_code(seller):
    payouts.confirm(seller, (add_card(seller), last_spoken_code())[1], START)
    [card] = payouts.active_details(seller)
    with time_machine.travel(START + timedelta(minutes=2), tick=False):
        payouts.remove(seller, card.id, START + timedelta(minutes=2))
        run_worker()
    assert payouts.active_details(seller) == [card]  # still in force
    payouts.confirm(seller, last_spoken_code(), START + timedelta(minutes=3))
    assert payouts.active_details(seller) == []


@pytest.mark.parametrize("provider, account, ok", [("yoomoney", "410011234567890", True), ("yoomoney", "12345", False),
                                                   ("webmoney", "Z123456789012", True), ("webmoney", "Z12", False),
                                                   ("paypal", "name@example.com", True), ("paypal", "name", False),
                                                   ("bitcoin", "abc", False)])  # fmt: skip
def test_ewallet_formats(seller, provider, account, ok):
    if ok:
        assert payouts.add_ewallet(seller, provider, account, START).detail.kind == "ewallet"
    else:
        with pytest.raises(ValidationFailed):
            payouts.add_ewallet(seller, provider, account, START)


def test_no_payout_changes_without_a_confirmed_phone(make_user):
    with pytest.raises(DomainError, match="Confirm your phone number first"):
        payouts.add_card(make_user(), CARD, START)


def test_a_refused_payout_returns_the_money(seller, fund):
    fund(seller, 3000)
    with time_machine.travel(START, tick=False):
        payouts.add_ewallet(seller, "yoomoney", "410011234560000", START)
        run_worker()
    payouts.confirm(seller, last_spoken_code(), START)
    detail = db.session.query(PayoutDetail).filter_by(status="active").one()
    later = START + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        withdrawal = payouts.withdraw(seller, detail.id, 2000, later)
        run_worker()
    db.session.refresh(withdrawal)
    assert withdrawal.status == "failed" and wallet.balance(seller) == 300000
    assert_ledger_consistent()


def test_a_newer_payout_change_cancels_the_older_code(make_user):
    """Adding a second card inside the cooldown: the first change's code must not confirm the second card."""
    seller = make_user("Seller", role="seller")
    seller.phone, seller.phone_verified_at = "+442079460958", START - timedelta(days=1)
    db.session.commit()
    add_card(seller)
    first_code = last_spoken_code()
    with pytest.raises(voice_codes.CallLimited):
        add_card(seller, "5555 5555 5555 4444", at=START + timedelta(seconds=20))
    with pytest.raises(DomainError, match="no code waiting"):
        payouts.confirm(seller, first_code, START + timedelta(seconds=30))
    assert payouts.active_details(seller) == []
    assert payouts.pending_change(seller).detail.last4 == "4444"
