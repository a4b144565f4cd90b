"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""
from .accounts import AccountEmail, User, UserSession
from .cancellations import CancellationRequest, ExtensionRequest
from .checkout import CheckoutDraft
from .conversations import Conversation, ConversationAttachment, ConversationMember, ConversationMessage, MessageReport, Offer
from .kworks import Category, Kwork, KworkExtra, KworkOption, PortfolioItem, Tier
from .ledger import Entry, LedgerAccount, Posting
from .moderation import AuditEntry, Dispute
from .notifications import EmailOptOut, Notification, SandboxMail
from .outbox import OutboxJob
from .orders import Attachment, Order, OrderEvent, OrderExtra, OrderMessage, PaymentEvent, Review, TopUp
from .payouts import PayoutChange, PayoutDetail, Withdrawal
from .resolutions import PartialRefundOffer, Tip, WorkDispute
from .storefront import Favourite, KworkPicture
from .security import Block, SandboxCall, SecurityEvent, VoiceCode
from .timers import Timer
from .upgrades import UpgradeProposal

__all__ = [
    "AccountEmail", "Attachment", "AuditEntry", "Block", "CancellationRequest", "Category", "CheckoutDraft", "Conversation", "ConversationAttachment", "ConversationMember", "ConversationMessage", "Dispute", "EmailOptOut", "Entry", "ExtensionRequest", "Favourite", "Kwork", "KworkExtra", "KworkPicture", "KworkOption", "LedgerAccount", "MessageReport", "Notification", "Offer", "Order", "OrderEvent", "OrderExtra",
    "OrderMessage", "OutboxJob", "PaymentEvent", "PayoutChange", "PayoutDetail", "Posting", "PortfolioItem", "Review", "SandboxCall", "SandboxMail", "SecurityEvent", "Tier", "Timer", "TopUp", "User", "UserSession", "VoiceCode", "Withdrawal",
]  # fmt: skip
__all__ += ["PartialRefundOffer", "Tip", "UpgradeProposal", "WorkDispute"]  # issue 18: scope changes and fair endings
