import pytest

from webapp.domain.errors import ValidationFailed
from webapp.services import accounts

from ..conftest import PASSWORD


def test_register_stores_a_hash_not_the_password(make_user):
    user = make_user(email="Anna@Example.com ")
    assert user.email == "anna@example.com"
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2")
    assert user.active_role == "buyer" and user.accepting_orders


def test_register_refuses_a_taken_email_in_any_case(make_user):
    make_user(email="anna@example.com")
    with pytest.raises(ValidationFailed) as refused:
        accounts.register("ANNA@example.com", "Other", PASSWORD)
    assert [i.field for i in refused.value.issues] == ["email"]


def test_register_refuses_a_short_password(ctx):
    with pytest.raises(ValidationFailed) as refused:
        accounts.register("new@example.com", "New", "short")
    assert refused.value.issues[0].message == "Password must be at least 10 characters"


def test_authenticate(make_user):
    user = make_user(email="anna@example.com")
    assert accounts.authenticate(" ANNA@example.com", PASSWORD) == user
    assert accounts.authenticate("anna@example.com", "wrong password") is None
    assert accounts.authenticate("nobody@example.com", PASSWORD) is None


def test_profile_and_role_switch(make_user):
    user = make_user()
    accounts.update_profile(user, display_name=" Anna ", about="Dev", working_hours="10-19", accepting_orders=False)
    accounts.switch_role(user, "seller")
    assert (user.display_name, user.accepting_orders, user.is_selling) == ("Anna", False, True)
    with pytest.raises(ValueError):
        accounts.switch_role(user, "admin")
