"""Arbitration of delivered work: what each admin decision does to the order, the money and the seller's rating.

Either party may take a delivered order (or one sent back for revision) to arbitration; the other party answers;
an admin decides. The decisions and their consequences are data:

| decision | order     | money (one posting)                                  | seller's rates          | buyer's review        |
|----------|-----------|------------------------------------------------------|-------------------------|-----------------------|
| release  | completed | escrow to the seller less commission (as accepting)  | a completed order       | as on any completion  |
| refund   | cancelled | escrow back to the buyer                             | counts against the seller (reason "work_refunded") | a negative one allowed |
| split    | completed | the amount to the buyer, the rest to the seller less the commission on it | a completed order | as on any completion |

A full refund is the one decision that says the work failed: it is applied as a cancellation with the verified
reason "work_refunded" (domain.cancellations), so the seller's responsibility and completion rates and the
buyer's negative review follow the same rules as every other cancellation.
"""
from dataclasses import dataclass

from ..texts import lazy_gettext as _l
from .orders import CANCELLED, COMPLETED, DELIVERED, REVISION

# Where a dispute about the work may be opened: there is a delivery to judge.
DISPUTABLE_STATES = (DELIVERED, REVISION)
MIN_STATEMENT = 20


@dataclass(frozen=True)
class WorkDecision:
    code: str
    label: str
    order_state: str
    counts_against_seller: bool
    needs_amount: bool = False


WORK_DECISIONS = {
    d.code: d
    for d in (
        WorkDecision("release", _l("Release the payment to the seller: the work matches the order"), COMPLETED, False),
        WorkDecision("refund", _l("Refund the buyer in full: the work does not match the order"), CANCELLED, True),
        WorkDecision("split", _l("Split: refund part of the payment to the buyer, the rest to the seller"), COMPLETED, False, needs_amount=True),
    )
}

# The cancellation reason a full refund is recorded with (domain.cancellations.REASONS, VERIFIED_CONSEQUENCES).
REFUND_REASON = "work_refunded"
