from webapp.domain.extras import MAX_EXTRAS, Chosen, ExtraDraft, extras_violations, price_order, quantity_problem


def test_price_adds_each_extra_times_its_quantity_and_its_days_per_unit():
    price = price_order(100000, 2, 3, [Chosen("Express", 50000, 1, 0), Chosen("Extra page", 20000, 3, 1)])
    assert price.base == 200000
    assert price.total == 200000 + 50000 + 60000
    assert price.delivery_days == 3 + 3


def test_no_extras_is_the_package_price():
    price = price_order(100000, 1, 2)
    assert (price.total, price.delivery_days, price.extras) == (100000, 2, ())


def test_quantity_rules():
    assert quantity_problem(1, quantity_allowed=False, max_quantity=None) is None
    assert quantity_problem(2, quantity_allowed=False, max_quantity=5) is not None
    assert quantity_problem(5, quantity_allowed=True, max_quantity=5) is None
    assert quantity_problem(6, quantity_allowed=True, max_quantity=5) is not None
    assert quantity_problem(0, quantity_allowed=True, max_quantity=5) is not None


def test_blank_rows_are_ignored_and_filled_ones_checked_on_their_fields(app):
    with app.test_request_context():
        issues = extras_violations([
            ExtraDraft(),
            ExtraDraft("Express", 50),
            ExtraDraft("", 500),
            ExtraDraft("express", 500, 31, True, 1),
        ])  # fmt: skip
    fields = [issue.field for issue in issues]
    assert fields == ["extras-1-price", "extras-2-title", "extras-3-title", "extras-3-days", "extras-3-max_quantity"]


def test_at_most_ten_extras(app):
    with app.test_request_context():
        issues = extras_violations([ExtraDraft(f"Extra {n}", 500) for n in range(MAX_EXTRAS + 1)])
    assert [issue.field for issue in issues] == ["extras"]
