"""The kinds of notification, with the label each has in the e-mail settings (one opt-out per kind)."""

KINDS: dict[str, str] = {
    "new_order": "A buyer ordered one of your kworks",
    "requirements_sent": "The buyer sent the requirements",
    "delivered": "The seller delivered your order",
    "revision_requested": "The buyer asked for a revision",
    "order_completed": "An order was completed",
    "cancellation_requested": "Someone asked to cancel an order",
    "cancellation_answered": "Your cancellation request was answered",
    "extension_requested": "The seller asked for more time",
    "timer_warning": "24 hours before an order is cancelled or completed automatically",
    "review": "A buyer reviewed your work",
    "dispute_decision": "An administrator decided a dispute",
    "moderation": "An administrator approved, rejected or hid something of yours",
    "payout_change": "Your payout details changed",
    "voice_code_call": "We called you with a confirmation code",
}
