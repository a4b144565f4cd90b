"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""
from .accounts import User
from .kworks import Category, Kwork, KworkOption, PortfolioItem, Tier

__all__ = ["Category", "Kwork", "KworkOption", "PortfolioItem", "Tier", "User"]
