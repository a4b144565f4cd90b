from datetime import datetime, timezone

import pytest

from webapp.extensions import db
from webapp.models import Favourite
from webapp.services import catalog, favourites, kworks

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def test_saving_twice_keeps_one_and_removing_is_idempotent(ctx, make_user, make_kwork):
    buyer, kwork = make_user("Buyer"), make_kwork(make_user("Seller", role="seller"))
    assert favourites.set_favourite(buyer, kwork.id, True, now=NOW) is True
    assert favourites.set_favourite(buyer, kwork.id, True, now=NOW) is True
    assert db.session.query(Favourite).count() == 1
    assert favourites.ids_among(buyer, [kwork.id, 999]) == {kwork.id}
    assert [card.kwork.id for card in catalog.favourite_cards(buyer)] == [kwork.id]
    assert favourites.set_favourite(buyer, kwork.id, False, now=NOW) is False
    assert favourites.set_favourite(buyer, kwork.id, False, now=NOW) is False
    assert db.session.query(Favourite).count() == 0


def test_only_kworks_in_the_catalog_can_be_saved_and_ones_that_leave_drop_off_the_page(ctx, make_user, make_kwork):
    buyer, seller = make_user("Buyer"), make_user("Seller", role="seller")
    draft = make_kwork(seller, status="draft", title="A draft")
    with pytest.raises(favourites.KworkNotAvailable):
        favourites.set_favourite(buyer, draft.id, True, now=NOW)
    with pytest.raises(favourites.KworkNotAvailable):
        favourites.set_favourite(buyer, 12345, True, now=NOW)
    live = make_kwork(seller)
    favourites.set_favourite(buyer, live.id, True, now=NOW)
    kworks.set_paused(seller, live, True)
    assert catalog.favourite_cards(buyer) == []
    assert favourites.set_favourite(buyer, live.id, False, now=NOW) is False  # still removable
