import pytest

from webapp.domain.errors import ValidationFailed
from webapp.extensions import db
from webapp.services import accounts

from ..conftest import PASSWORD


def test_register_stores_a_hash_not_the_password(make_user):
    user = make_user(email="Anna@Example.com ")
    assert user.email == "anna@example.com"
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2")
    assert user.active_role == "buyer" and user.away_until is None


def test_register_refuses_a_taken_email_in_any_case(make_user):
    """`register` is for the seed, create-admin and tests; the public form's sign_up never says this."""
    make_user(email="anna@example.com")
    with pytest.raises(ValidationFailed) as refused:
        accounts.register("ANNA@example.com", "Other", PASSWORD)
    assert [i.field for i in refused.value.issues] == ["email"]


@pytest.mark.parametrize("password", ["short", "aaaaaaaaaa", "qwertyuiop"])
def test_register_refuses_a_short_or_common_password(ctx, password):
    with pytest.raises(ValidationFailed) as refused:
        accounts.register("new@example.com", "New", password)
    assert [i.field for i in refused.value.issues] == ["password"]


def test_authenticate(make_user):
    user = make_user(email="anna@example.com")
    assert accounts.authenticate(" ANNA@example.com", PASSWORD) == user
    assert accounts.authenticate("anna@example.com", "wrong password") is None
    assert accounts.authenticate("nobody@example.com", PASSWORD) is None


def test_profile_and_role_switch(make_user):
    user = make_user()
    accounts.update_profile(user, display_name=" Anna ", about="Dev", working_hours="10-19")
    accounts.switch_role(user, "seller")
    assert (user.display_name, user.working_hours, user.is_selling) == ("Anna", "10-19", True)
    with pytest.raises(ValueError):
        accounts.switch_role(user, "admin")


def test_admin_suspends_and_reinstates_a_user_with_audit(make_user, make_kwork):
    from datetime import datetime, timezone

    from webapp.domain.errors import DomainError, ValidationFailed
    from webapp.models import AuditEntry
    from webapp.services import catalog

    now = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
    admin = make_user("Ada Admin", admin=True)
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    kwork = make_kwork(seller)
    with pytest.raises(ValidationFailed, match="Enter the reason"):
        accounts.set_suspended(admin, seller, True, "", now)
    with pytest.raises(DomainError, match="your own account"):
        accounts.set_suspended(admin, admin, True, "Testing", now)
    accounts.set_suspended(admin, seller, True, "Selling stolen accounts", now)
    assert seller.is_suspended and not seller.is_active and seller.suspension_reason == "Selling stolen accounts"
    assert catalog.search(catalog.CatalogQuery(), per_page=10).total == 0
    assert catalog.visible_kwork(kwork.id, None) is None
    assert catalog.seller_profile(seller.id) is None
    with pytest.raises(DomainError, match="already suspended"):
        accounts.set_suspended(admin, seller, True, "Again", now)
    accounts.set_suspended(admin, seller, False, "Appeal accepted", now)
    assert not seller.is_suspended and catalog.search(catalog.CatalogQuery(), per_page=10).total == 1
    log = [(e.action, e.actor_id, e.target_id, e.before, e.after, e.reason) for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert log == [
        ("user.suspend", admin.id, seller.id, {"suspended": False}, {"suspended": True}, "Selling stolen accounts"),
        ("user.unsuspend", admin.id, seller.id, {"suspended": True}, {"suspended": False}, "Appeal accepted"),
    ]


def test_admin_rights_granted_and_revoked_but_one_admin_always_remains(make_user):
    from webapp.domain.errors import DomainError
    from webapp.models import AuditEntry

    first = make_user("First Admin", admin=True)
    other = make_user("Other", email="other@example.com")
    with pytest.raises(DomainError, match="At least one administrator must remain"):
        accounts.set_admin(first, first, False, "Stepping down")
    accounts.set_admin(first, other, True, "New moderator")
    accounts.set_admin(other, first, False, "Stepping down")
    assert (first.is_admin, other.is_admin) == (False, True)
    with pytest.raises(DomainError, match="At least one administrator must remain"):
        accounts.set_admin(other, other, False, "Leaving")
    actions = [(e.action, e.actor_id, e.target_id) for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == [("user.grant_admin", first.id, other.id), ("user.revoke_admin", other.id, first.id)]


def test_user_search_matches_email_or_name_case_insensitively(make_user):
    make_user("Anna Petrova", email="anna@example.com")
    make_user("Boris", email="b.smith@example.com")
    assert [u.display_name for u in accounts.search("PETROVA")] == ["Anna Petrova"]
    assert [u.email for u in accounts.search("smith")] == ["b.smith@example.com"]
    assert accounts.search("100%") == []
    assert len(accounts.search("")) == 2


def test_create_admin_refuses_a_weak_password_in_one_line(app, ctx):
    """The CLI says what is wrong with the password, as the sign-up form would, instead of a traceback."""
    result = app.test_cli_runner().invoke(args=["create-admin", "root@example.com", "--password", "password"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    strong = app.test_cli_runner().invoke(args=["create-admin", "root@example.com", "--password", "a long passphrase of mine"])
    assert strong.exit_code == 0 and strong.output == "root@example.com is an admin.\n"
