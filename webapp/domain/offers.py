"""Individual offers: a seller's terms made in a conversation, which the buyer accepts (an order), declines, or
lets expire, and which the seller may withdraw while open. The table is the rule; services apply it under a lock."""
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from .errors import DomainError

OPEN, ACCEPTED, DECLINED, WITHDRAWN, EXPIRED = "open", "accepted", "declined", "withdrawn", "expired"
STATES = (OPEN, ACCEPTED, DECLINED, WITHDRAWN, EXPIRED)
STATE_LABELS = {
    OPEN: _l("Waiting for the buyer"),
    ACCEPTED: _l("Accepted"),
    DECLINED: _l("Declined"),
    WITHDRAWN: _l("Withdrawn by the seller"),
    EXPIRED: _l("Expired"),
}
# (state, action, role) → next state; role None is the system (the expiry timer).
TRANSITIONS = {
    (OPEN, "accept", "buyer"): ACCEPTED,
    (OPEN, "decline", "buyer"): DECLINED,
    (OPEN, "withdraw", "seller"): WITHDRAWN,
    (OPEN, "expire", None): EXPIRED,
}
MIN_EXPIRY_DAYS, MAX_EXPIRY_DAYS = 1, 14


class OfferClosed(DomainError):
    """The offer is no longer open (accepted, declined, withdrawn or expired meanwhile)."""


def target(state: str, action: str, role: str | None) -> str:
    try:
        return TRANSITIONS[(state, action, role)]
    except KeyError:
        raise OfferClosed(_("This offer is no longer open: it is %(state)s", state=str(STATE_LABELS[state]).lower())) from None


def actions(state: str, role: str | None) -> list[str]:
    return [action for (from_state, action, who) in TRANSITIONS if from_state == state and who == role]
