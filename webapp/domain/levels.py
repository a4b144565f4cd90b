"""Seller levels: New seller, Level 1, Level 2, Top. The criteria are data (LEVELS); a seller holds the highest
level whose every threshold they meet. The daily job computes the figures for all sellers; this module only
decides, so the public criteria page, the dashboard's "what is missing" and the job read the same table.
"""
from dataclasses import dataclass

from ..texts import lazy_gettext as _l

NEW, LEVEL_1, LEVEL_2, TOP = "new", "level_1", "level_2", "top"


@dataclass(frozen=True)
class Level:
    code: str
    name: object  # a lazy string, in the reader's language
    rank: int  # for ordering the catalog: higher is better
    completed_orders: int = 0  # completed orders, at least
    completion_rate: int = 0  # percent, at least (None, no finished orders yet, meets only 0)
    responsibility: int = 0  # percent, at least
    kwork_rating: int = 0  # percent positive reviews, at least (None, no reviews, meets only 0)
    tenure_days: int = 0  # days since the account was made, at least


LEVELS: tuple[Level, ...] = (
    Level(NEW, _l("New seller"), 0),
    Level(LEVEL_1, _l("Level 1"), 1, completed_orders=5, completion_rate=80, responsibility=80, kwork_rating=80, tenure_days=30),
    Level(LEVEL_2, _l("Level 2"), 2, completed_orders=25, completion_rate=90, responsibility=90, kwork_rating=90, tenure_days=120),
    Level(TOP, _l("Top seller"), 3, completed_orders=100, completion_rate=95, responsibility=95, kwork_rating=95, tenure_days=365),
)  # fmt: skip
BY_CODE = {level.code: level for level in LEVELS}
CRITERIA = ("completed_orders", "completion_rate", "responsibility", "kwork_rating", "tenure_days")
# What the criteria page and the dashboard call each criterion; PERCENT marks those measured in percent.
CRITERION_NAMES = {
    "completed_orders": _l("Completed orders"),
    "completion_rate": _l("Order completion rate"),
    "responsibility": _l("Responsibility rating"),
    "kwork_rating": _l("Kwork rating"),
    "tenure_days": _l("Days on Gigsmith"),
}
PERCENT = frozenset({"completion_rate", "responsibility", "kwork_rating"})


@dataclass(frozen=True)
class Figures:
    """What a seller is judged on; a rate is None while there is nothing to compute it from."""

    completed_orders: int
    completion_rate: int | None
    responsibility: int | None
    kwork_rating: int | None
    tenure_days: int


def _meets(figures: Figures, level: Level, criterion: str) -> bool:
    needed = getattr(level, criterion)
    value = getattr(figures, criterion)
    return needed == 0 or (value is not None and value >= needed)


def level_for(figures: Figures) -> Level:
    """The highest level whose every threshold the figures meet (levels are cumulative: each asks more)."""
    reached = LEVELS[0]
    for level in LEVELS[1:]:
        if not all(_meets(figures, level, criterion) for criterion in CRITERIA):
            break
        reached = level
    return reached


def next_level(code: str) -> Level | None:
    ranks = [level.code for level in LEVELS]
    index = ranks.index(code)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def missing_for(figures: Figures, level: Level) -> list[tuple[str, int, int | None]]:
    """The criteria of `level` the figures do not meet yet: (criterion, needed, current) each."""
    return [(criterion, getattr(level, criterion), getattr(figures, criterion))
            for criterion in CRITERIA if not _meets(figures, level, criterion)]  # fmt: skip
