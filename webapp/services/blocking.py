"""A seller blocks a buyer: the buyer can then neither order the seller's kworks nor message them."""
from datetime import datetime

from sqlalchemy import select

from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..domain.orders import OPEN_STATES
from ..extensions import db
from ..models import Block, Order, User
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import begin_write

REASONS = {
    "abusive": _l("Rude or abusive messages"),
    "off_platform": _l("Asks to work or pay outside Gigsmith"),
    "unfair": _l("Unfair cancellations or reviews"),
    "spam": _l("Spam"),
    "other": _l("Other"),
}


def is_blocked(seller_id: int, buyer_id: int) -> bool:
    return db.session.scalar(select(Block.id).where(Block.seller_id == seller_id, Block.buyer_id == buyer_id)) is not None


def block(seller: User, buyer: User, reason: str | None, now: datetime) -> Block:
    """Refused while the buyer has an active order with this seller: that order is finished or cancelled first."""
    begin_write()
    if buyer.id == seller.id:
        raise DomainError(_("You can’t block yourself"))
    if reason not in REASONS:
        raise ValidationFailed([FieldIssue("reason", _("Select why you are blocking this buyer"))])
    active = db.session.scalar(
        select(Order.id).where(Order.seller_id == seller.id, Order.buyer_id == buyer.id, Order.state.in_(OPEN_STATES)).limit(1)
    )
    if active is not None:
        raise DomainError(_("You can’t block %(name)s while order #%(order)s with them is active. Finish or cancel it first",
                            name=buyer.display_name, order=active))
    existing = db.session.scalar(select(Block).where(Block.seller_id == seller.id, Block.buyer_id == buyer.id))
    if existing is not None:
        return existing
    blocked = Block(seller_id=seller.id, buyer_id=buyer.id, reason=reason, created_at=now)
    db.session.add(blocked)
    db.session.commit()
    return blocked


def unblock(seller: User, buyer_id: int) -> None:
    begin_write()
    db.session.execute(Block.__table__.delete().where(Block.seller_id == seller.id, Block.buyer_id == buyer_id))
    db.session.commit()


def blocked_buyers(seller: User) -> list[Block]:
    return list(db.session.scalars(select(Block).where(Block.seller_id == seller.id).order_by(Block.created_at.desc())))
