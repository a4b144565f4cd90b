"""Noticing lazy loads: a relationship read on first use (in a template, most often) costs one statement per object,
which is how a page's queries grow with its data. Pages that only read load what they render up front; the query
count tests and the benchmark use `recorded` to prove it."""
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextmanager
def recorded():
    """Within the block, every lazy load of a relationship by any session is appended, as "Model.attribute", to
    the list this yields."""
    found: list[str] = []

    def note(state) -> None:
        if state.is_select and state.lazy_loaded_from is not None:  # not a query the code wrote, nor an eager (selectin) load
            path = state.loader_strategy_path
            found.append(f"{state.lazy_loaded_from.class_.__name__}.{path[-1].key if path else '?'}")

    event.listen(Session, "do_orm_execute", note)
    try:
        yield found
    finally:
        event.remove(Session, "do_orm_execute", note)
