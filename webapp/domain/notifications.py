"""The kinds of notification, with the label each has in the e-mail settings (one opt-out per kind)."""
from ..texts import lazy_gettext as _l

KINDS: dict[str, str] = {
    "new_order": _l("A buyer ordered one of your kworks"),
    "requirements_sent": _l("The buyer sent the requirements"),
    "delivered": _l("The seller delivered your order"),
    "revision_requested": _l("The buyer asked for a revision"),
    "order_completed": _l("An order was completed"),
    "cancellation_requested": _l("Someone asked to cancel an order"),
    "cancellation_answered": _l("Your cancellation request was answered"),
    "extension_requested": _l("The seller asked for more time"),
    "timer_warning": _l("24 hours before an order is cancelled or completed automatically"),
    "review": _l("A buyer reviewed your work"),
    "dispute_decision": _l("An administrator decided a dispute"),
    "work_dispute": _l("A dispute about the work was opened or answered"),
    "tip": _l("A buyer left you a tip"),
    "upgrade": _l("An upgrade of an order was proposed, answered or withdrawn"),
    "moderation": _l("An administrator approved, rejected or hid something of yours"),
    "payout_change": _l("Your payout details changed"),
    "new_message": _l("Someone sent you a message (at most one e-mail per conversation every 15 minutes)"),
    "offer": _l("An individual offer was made to you, or yours was declined or expired"),
    "level_changed": _l("Your seller level went up or down"),
    "voice_code_call": _l("We called you with a confirmation code"),
    "refund_failed": _l("A refund to your card failed and the money came back to your balance"),
}
