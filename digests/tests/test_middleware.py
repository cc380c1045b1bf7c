"""A NUL character in the address is a 400 that names it (PostgreSQL cannot even compare with one)."""
import pytest

from digests.tests.live import live_digest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/search/?q=a%00b", "/tags/a%00b/", "/?series=te%00ch", "/search/?q%00=a",
                                 "/admin/digests/digest/?q=a%00b"])
def test_a_nul_in_the_address_is_a_clear_400(client, tech, url):
    live_digest(series=tech, tags=["ab"])
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL 문자(%00)" in response.content.decode()


def test_the_same_pages_without_the_nul_answer(client, tech):
    live_digest(series=tech, tags=["ab"])
    assert client.get("/search/?q=ab").status_code == 200
    assert client.get("/tags/ab/").status_code == 200
