from ..pages import check_page, text_of


def nav_links(response) -> list[str]:
    document = check_page(response)
    return [text_of(a) for a in document.findall(".//nav[@aria-label='Main']//a")]


def test_role_switch_changes_navigation_and_dashboard(client, login_as, make_user):
    user = make_user("Anna")
    login_as(user)
    assert nav_links(client.get("/account/")) == ["Catalog", "Dashboard", "Orders", "Inbox", "Favourites", "Balance"]
    assert "Switch to selling" in client.get("/account/").get_data(as_text=True)

    client.post("/account/role", data={"role": "seller"})
    response = client.get("/account/")
    # One row at 1280 px: New kwork and Portfolio are on My kworks, Payouts on Balance (and the profile).
    assert nav_links(response) == ["Catalog", "Dashboard", "Orders", "Inbox", "Favourites", "My kworks", "Balance"]
    assert "Seller dashboard" in response.get_data(as_text=True)
    my_kworks = check_page(client.get("/kworks/"))
    assert {text_of(a) for a in my_kworks.findall(".//main//a")} >= {"Portfolio", "Create a kwork"}
    assert "Payouts" in [text_of(a) for a in check_page(client.get("/wallet/")).findall(".//main//a")]
    current = check_page(client.get("/kworks/portfolio")).findall(".//nav[@aria-label='Main']//a[@aria-current='page']")
    assert [text_of(a) for a in current] == ["My kworks"]

    client.post("/account/role", data={"role": "buyer"})
    assert nav_links(client.get("/account/")) == ["Catalog", "Dashboard", "Orders", "Inbox", "Favourites", "Balance"]


def test_role_switch_ignores_unknown_roles(client, login_as, make_user):
    user = make_user()
    login_as(user)
    client.post("/account/role", data={"role": "admin"})
    assert user.active_role == "buyer"


def test_profile_update(client, login_as, make_user):
    user = make_user("Anna", role="seller")
    login_as(user)
    response = client.post(
        "/account/profile",
        data={
            "display_name": "Anna P.", "about": "Servers.", "working_hours": "10–19",
            "timezone": "America/Sao_Paulo",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert (user.display_name, user.timezone) == ("Anna P.", "America/Sao_Paulo")
    public = client.get(f"/catalog/sellers/{user.id}").get_data(as_text=True)
    assert "10–19" in public


def test_profile_errors_keep_input(client, login_as, make_user):
    login_as(make_user())
    response = client.post("/account/profile", data={"display_name": "", "about": "Kept text", "timezone": "Mars/Base"})
    assert response.status_code == 422
    document = check_page(response)
    assert document.find(".//textarea[@id='about']").text.strip() == "Kept text"
    summary = text_of(document.find(".//div[@class='error-summary']"))
    assert "Enter your display name" in summary and "Select a time zone from the list" in summary
