"""Debian's nginx with deploy/nginx.conf in front of gunicorn: publishing, a correction and an unpublish reach readers
through the proxy cache within the shared lifetime, and an unpublished digest is never served by the proxy after that."""
import os
import re
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from conftest import in_ci
from digests import workflow
from digests.models import Status
from digests.tests.factories import DigestFactory, SeriesFactory, UserFactory
from digests.tests.proxy import NGINX, Stack
from digests.tests.test_generation_celery import shared_database  # noqa: F401

# Transactional: gunicorn reads what the test commits. Each test makes the rows it needs (the flush between
# tests empties the module's copy of the database, roles and series included).
pytestmark = [pytest.mark.nginx, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def proxy(shared_database, tmp_path_factory):  # noqa: F811
    """gunicorn (2 workers, on the shared test database) behind nginx; yields the proxy's base URL."""
    if not Path(NGINX).exists():
        message = "nginx is not installed: run 'apt-get install nginx-light'"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings_test", "DATABASE_URL": shared_database,
           "LOG_LEVEL": "WARNING"}
    env.pop("TEST_DATABASE_NAME", None)
    stack = Stack(tmp_path_factory.mktemp("nginx"), env, ROOT / "static").start()
    yield stack.proxy_url
    stack.stop()


@pytest.fixture
def tech(proxy):
    return SeriesFactory(slug="tech", name="글로벌 IT", jekyll_category="tech", post_slug="daily-it-news",
                         title_template="[{date}] 글로벌 IT 뉴스 Top 5")


@pytest.fixture
def editor(proxy):
    return UserFactory(username="nginx-editor", is_superuser=True)


@pytest.fixture
def reviewer(proxy):
    return UserFactory(username="nginx-reviewer", is_superuser=True)


@pytest.fixture
def publisher(proxy):
    return UserFactory(username="nginx-publisher", is_superuser=True)


def get(proxy, path, **headers):
    return httpx.get(proxy + path, headers=headers, timeout=10)


def until(predicate, limit):
    """Seconds until predicate() holds, polling every 0.1 s; fails past `limit` seconds."""
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < limit, f"not within {limit} s"
        time.sleep(0.1)
    return time.monotonic() - start


def test_headers_static_files_and_private_pages_through_the_proxy(proxy, tech, publisher):
    digest = DigestFactory(series=tech, status=Status.APPROVED)
    workflow.publish(digest, publisher)
    url = digest.get_absolute_url()
    first, second = get(proxy, url), get(proxy, url)
    assert first.status_code == second.status_code == 200
    assert second.headers["x-proxy-cache"] == "HIT" and second.content == first.content
    assert "s-maxage" in second.headers["cache-control"] and second.headers["etag"] == first.headers["etag"]
    revalidated = get(proxy, url, **{"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304
    css = re.search(r'href="(/static/[^"]+\.css)"', first.text).group(1)
    static = get(proxy, css)
    assert static.status_code == 200 and "immutable" in static.headers["cache-control"]
    assert "x-proxy-cache" not in static.headers  # from disk, not through gunicorn
    for private in ["/admin/login/", "/admin/", "/nope/"]:
        statuses = {get(proxy, private).headers.get("x-proxy-cache") for _ in range(3)}
        assert "HIT" not in statuses, (private, statuses)


def test_publish_correct_and_unpublish_reach_readers_through_the_proxy(proxy, tech, editor, reviewer, publisher):
    lifetime = settings.PUBLIC_SHARED_SECONDS
    limit = 10  # the bound; nginx keeps a page up to lifetime + 1 s (it counts whole seconds)
    assert lifetime + 1 < limit
    digest = DigestFactory(series=tech, status=Status.APPROVED)
    title = digest.title
    url = digest.get_absolute_url()
    # Readers already have the pages in the proxy's cache, without the digest.
    assert title not in get(proxy, "/").text and get(proxy, "/").headers["x-proxy-cache"] == "HIT"
    get(proxy, "/feed.xml")

    workflow.publish(digest, publisher)
    published = until(lambda: title in get(proxy, "/").text, limit)
    assert get(proxy, url).status_code == 200
    until(lambda: title in get(proxy, "/feed.xml").text, limit)

    workflow.reopen(digest, publisher)
    digest.refresh_from_db()
    item = digest.items.first()
    item.title = "정정된 제목: 반도체 공급망"
    item.save()
    digest = workflow.record_edit(digest, editor, {"title": "corrected"})
    workflow.submit(digest, editor)
    workflow.approve(digest, reviewer)
    assert "정정된 제목" not in get(proxy, url).text  # cached: the old version until its lifetime ends
    workflow.publish(digest, publisher)
    corrected = until(lambda: "정정된 제목" in get(proxy, url).text, limit)

    pages = [url, "/", "/tech/", "/feed.xml", "/tech/feed.xml", "/search/?q=반도체 공급망"]
    for page in pages:
        get(proxy, page)
    assert get(proxy, url).headers["x-proxy-cache"] == "HIT"
    workflow.unpublish(digest, publisher, "pulled")
    start = time.monotonic()
    until(lambda: get(proxy, url).status_code == 404, limit)
    for page in pages[1:]:
        until(lambda: "정정된 제목" not in get(proxy, page).text, limit - (time.monotonic() - start))
    unpublished = time.monotonic() - start
    # And never again: past two more lifetimes, no page of the proxy shows it.
    deadline = time.monotonic() + 2 * lifetime + 1
    while time.monotonic() < deadline:
        assert get(proxy, url).status_code == 404
        for page in pages[1:]:
            assert "정정된 제목" not in get(proxy, page).text, page
        time.sleep(0.5)
    print(f"\nthrough nginx (s-maxage={lifetime}): published {published:.1f} s, corrected {corrected:.1f} s, "
          f"unpublished {unpublished:.1f} s")
    assert max(published, corrected, unpublished) <= limit
