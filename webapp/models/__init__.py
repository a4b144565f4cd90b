"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""
from .accounts import User
from .kworks import Category, Kwork, KworkOption, PortfolioItem, Tier
from .ledger import Entry, LedgerAccount, Posting
from .orders import Attachment, Order, OrderEvent, OrderMessage, Review, TopUp

__all__ = [
    "Attachment", "Category", "Entry", "Kwork", "KworkOption", "LedgerAccount", "Order", "OrderEvent",
    "OrderMessage", "Posting", "PortfolioItem", "Review", "Tier", "TopUp", "User",
]  # fmt: skip
