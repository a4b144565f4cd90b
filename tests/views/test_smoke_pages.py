import pytest

from ..pages import check_page


@pytest.mark.parametrize("url", ["/catalog/", "/auth/login", "/auth/register"])
def test_public_pages_render(client, url):
    check_page(client.get(url))


def test_root_redirects_to_catalog(client):
    assert client.get("/").headers["Location"].endswith("/catalog/")


def test_accessibility_statement_is_public_and_linked_from_every_page(client):
    from ..pages import check_page

    document = check_page(client.get("/accessibility"))
    assert "".join(document.find(".//h1").itertext()) == "Accessibility"
    assert "Report a barrier" in client.get("/accessibility").get_data(as_text=True)
    footer = client.get("/catalog/").get_data(as_text=True)
    assert 'href="/accessibility"' in footer
