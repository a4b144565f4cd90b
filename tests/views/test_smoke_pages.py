import pytest

from ..pages import check_page


@pytest.mark.parametrize("url", ["/catalog/", "/auth/login", "/auth/register"])
def test_public_pages_render(client, url):
    check_page(client.get(url))


def test_root_redirects_to_catalog(client):
    assert client.get("/").headers["Location"].endswith("/catalog/")
