import pytest
from .conftest import assert_no_axe_violations, log_in, _DESCRIBE_ACTIVE
from ..conftest import PASSWORD

@pytest.mark.browser
def test_explore(page, make_user, make_kwork):
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    k = make_kwork(seller)
    kid, sid = k.id, seller.id
    for url in ["/catalog/", "/auth/register", "/auth/login"]:
        page.goto(url)
        order = []
        for _ in range(15):
            page.keyboard.press("Tab"); order.append(page.evaluate(_DESCRIBE_ACTIVE))
        print(url, order)
        try: assert_no_axe_violations(page)
        except BaseException as e: print(e)
    log_in(page, "sam@example.com")
    for url in [f"/catalog/kworks/{kid}", f"/catalog/sellers/{sid}", "/kworks/new", "/kworks/", "/account/", "/account/profile", f"/kworks/{kid}/edit"]:
        page.goto(url)
        order = []
        for _ in range(40):
            page.keyboard.press("Tab"); order.append(page.evaluate(_DESCRIBE_ACTIVE))
        print(url, order)
        try: assert_no_axe_violations(page)
        except BaseException as e: print(e)
