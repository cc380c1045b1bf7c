"""HTTP caching of the public site (headers, 304s, nothing private cacheable) and the page cache as an optimisation only."""
import datetime as dt

import pytest
from celery import Celery
from django.core.cache import cache
from django.db import transaction
from django.utils.http import http_date

from digests import readers, workflow
from digests.models import Digest, SiteVersion, Status
from digests.preview import share_token
from digests.tests.factories import DigestFactory
from digests.tests.live import live_digest
from digests.tests.redis_server import redis_server  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def public_urls(digest):
    category = digest.series.jekyll_category
    return [
        "/", f"/?series={digest.series.slug}", "/?page=2", digest.get_absolute_url(), f"/{category}/",
        f"/archive/{digest.date:%Y/%m}/", "/tags/AI/", "/search/?q=뉴스", "/search/", "/feed.xml",
        f"/{category}/feed.xml", "/sitemap.xml", "/robots.txt",
    ]


def directives(response):
    return {part.strip().split("=")[0]: (part.strip().split("=") + [None])[1]
            for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_not_cacheable(response, url):
    cc = directives(response)
    assert ("no-store" in cc or "private" in cc), (url, response.get("Cache-Control"))
    assert "public" not in cc and "s-maxage" not in cc, (url, response.get("Cache-Control"))


def test_every_public_url_class_is_cacheable_for_a_short_shared_and_a_browser_lifetime(client, tech, settings):
    digest = live_digest(series=tech, tags=["AI"])
    for url in public_urls(digest):
        for attempt in ("miss", "hit"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
            assert response.status_code == 200, url
            assert response["X-Cache"] == attempt, url
            cc = directives(response)
            assert "public" in cc and cc["s-maxage"] == str(settings.PUBLIC_SHARED_SECONDS), (url, cc)
            assert cc["max-age"] == str(settings.PUBLIC_BROWSER_SECONDS), (url, cc)
            assert "no-cache" not in cc and "stale-while-revalidate" not in cc and "stale-if-error" not in cc
            etag = response["ETag"]
            assert etag.startswith('"') and etag.endswith('"'), (url, etag)  # strong, not W/"…"
            generation, changed_at = readers.current()
            assert response["Last-Modified"] == http_date(changed_at.timestamp()), url
            assert "accept-language" not in response.get("Vary", "").lower(), (url, response.get("Vary"))
            assert "cookie" not in response.get("Vary", "").lower() and not response.cookies, url
            assert response["Content-Language"] == "ko", url


def test_one_copy_serves_every_browser_language(client, tech):
    digest = live_digest(series=tech)
    korean = client.get(digest.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko")
    cache.clear()
    english = client.get(digest.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert (korean["X-Cache"], english["X-Cache"]) == ("miss", "miss")
    assert english.content == korean.content and english["ETag"] == korean["ETag"]


@pytest.mark.parametrize("cached", [False, True])
def test_conditional_requests_answer_304(client, tech, cached):
    digest = live_digest(series=tech, tags=["AI"])
    for url in public_urls(digest):
        first = client.get(url)
        if not cached:
            cache.clear()
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b"", url
        assert again["ETag"] == first["ETag"] and "s-maxage" in again["Cache-Control"], url
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304, url
        other = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
        assert other.status_code == 200 and other.content == first.content, url


def test_a_publish_and_an_unpublish_change_what_the_validators_say(client, tech, publisher):
    digest = live_digest(series=tech)
    home = client.get("/")
    page = client.get(digest.get_absolute_url())
    newer = DigestFactory(series=tech, status=Status.APPROVED)
    workflow.publish(newer, publisher)
    fresh = client.get("/", HTTP_IF_NONE_MATCH=home["ETag"], HTTP_IF_MODIFIED_SINCE=home["Last-Modified"])
    assert fresh.status_code == 200 and newer.live_snapshot["title"] in fresh.content.decode()
    assert fresh["ETag"] != home["ETag"]
    workflow.unpublish(digest, publisher, "wrong story")
    gone = client.get(digest.get_absolute_url(), HTTP_IF_NONE_MATCH=page["ETag"])
    assert gone.status_code == 404
    assert_not_cacheable(gone, digest.get_absolute_url())


def test_nothing_private_is_ever_cacheable(client, tech, editor, publisher):
    digest = live_digest(series=tech)
    draft = DigestFactory(series=tech)
    anonymous = [
        "/admin/", "/admin/login/", f"/admin/digests/digest/shared/{share_token(draft)}/",
        "/admin/digests/digest/shared/forged-token/", "/markdownx/markdownify/", "/nope/",
        f"/tech/{draft.date:%Y/%m/%d}/{draft.slug}.html", "/tags/없는태그/", "/archive/1999/01/",
        f"/tech/{digest.date:%Y}/13/40/x.html",
    ]
    for url in anonymous:
        assert_not_cacheable(client.get(url), url)
    assert_not_cacheable(client.post("/search/", {"q": "뉴스"}), "POST /search/")
    client.force_login(publisher)
    staff = [
        "/admin/", "/admin/digests/digest/", f"/admin/digests/digest/{draft.pk}/change/",
        f"/admin/digests/digest/{draft.pk}/preview/", f"/admin/digests/digest/{draft.pk}/markdown/",
        f"/admin/digests/digest/{draft.pk}/diff/", f"/admin/digests/digest/shared/{share_token(draft)}/",
    ]
    for url in staff:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        assert_not_cacheable(response, url)
    # A logged-in reader on the public site gets the public page, which carries nothing of theirs.
    response = client.get("/")
    assert "public" in response["Cache-Control"] and not response.cookies and "Cookie" not in response.get("Vary", "")


def test_pages_are_kept_until_a_live_version_changes(client, tech, django_assert_num_queries,
                                                    django_capture_on_commit_callbacks):
    digest = live_digest(series=tech)
    assert client.get("/")["X-Cache"] == "miss"
    with django_assert_num_queries(1):  # the generation; the page comes from the cache
        assert client.get("/")["X-Cache"] == "hit"
    # Made live through a plain save (as the importer does): the post_save hook moves the generation.
    other = DigestFactory(series=tech, status=Status.PUBLISHED)
    other.live_snapshot = {**digest.live_snapshot, "title": "[저장] 새 버전"}
    other.save()
    page = client.get("/")
    assert page["X-Cache"] == "miss" and "[저장] 새 버전" in page.content.decode()
    # A queryset update bypasses post_save: whoever writes live versions in bulk calls live_changed.
    Digest.objects.filter(pk=other.pk).update(live_snapshot=None)
    assert client.get("/")["X-Cache"] == "hit"
    readers.live_changed([other.pk])
    assert "[저장] 새 버전" not in client.get("/").content.decode()


def test_a_rolled_back_change_moves_nothing_and_a_committed_one_moves_the_generation(tech):
    digest = live_digest(series=tech)
    before = readers.current()[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        digest.live_snapshot = None
        digest.save()
        assert readers.current()[0] == before + 1  # inside the transaction
        raise RuntimeError("rolled back")
    assert readers.current()[0] == before
    digest.refresh_from_db()
    with transaction.atomic():
        for n in range(3):
            d = DigestFactory(series=tech, date=dt.date(2027, 1, 1) + dt.timedelta(days=n))
            d.live_snapshot = digest.live_snapshot
            d.save()
    assert readers.current()[0] == before + 3


def test_a_lost_generation_row_starts_again_without_reviving_pages(client, tech):
    digest = live_digest(series=tech)
    assert client.get("/")["X-Cache"] == "miss"
    SiteVersion.objects.all().delete()  # a flushed table: generation 0, never used by a stored page
    assert client.get("/")["X-Cache"] == "miss"
    Digest.objects.filter(pk=digest.pk).update(live_snapshot=None)
    readers.live_changed([digest.pk])
    assert digest.live_snapshot["title"] not in client.get("/").content.decode()


# The page cache on a real Redis that fails -------------------------------------------------------------


def use_redis(settings, server):
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": server.url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}


def test_a_redis_outage_serves_uncached_pages_never_a_500(client, tech, publisher, settings, redis_server):  # noqa: F811
    use_redis(settings, redis_server)
    digest = live_digest(series=tech, tags=["AI"])
    for url in public_urls(digest):
        assert client.get(url).status_code == 200, url
        assert client.get(url)["X-Cache"] == "hit", url
    redis_server.kill()
    for url in public_urls(digest):
        response = client.get(url)
        assert response.status_code == 200 and response["X-Cache"] == "miss", url
    # Publishing while the cache is down is no 500 either, and readers see it at once.
    newer = DigestFactory(series=tech, status=Status.APPROVED)
    workflow.publish(newer, publisher)
    assert newer.live_snapshot["title"] in client.get("/").content.decode()
    workflow.unpublish(newer, publisher, "pulled")
    assert client.get(newer.get_absolute_url()).status_code == 404
    redis_server.start()
    assert client.get("/")["X-Cache"] == "miss" and client.get("/")["X-Cache"] == "hit"


def test_a_redis_back_from_a_snapshot_taken_before_an_unpublish_serves_none_of_it(client, tech, publisher,
                                                                               settings, redis_server):  # noqa: F811
    use_redis(settings, redis_server)
    pulled = live_digest(series=tech, tags=["AI"])
    title = pulled.live_snapshot["title"]
    urls = [*public_urls(pulled), "/search/?q=" + pulled.live_snapshot["items"][0]["title"]]
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Cache"] == "hit", url
    redis_server.snapshot()  # the last RDB snapshot still holds every page showing the digest
    workflow.unpublish(pulled, publisher, "legal")
    redis_server.kill()
    redis_server.start()  # back from that snapshot
    assert redis_server.command("DBSIZE") != "0"
    for url in urls:
        response = client.get(url)
        assert title not in response.content.decode(), url
    assert client.get(pulled.get_absolute_url()).status_code == 404


def test_a_broker_outage_after_a_committed_publish_is_no_500(tech, publisher, monkeypatch, redis_server, caplog,  # noqa: F811
                                                             django_capture_on_commit_callbacks):
    from digests import tasks

    redis_server.kill()  # the broker is down
    dead = Celery("outage", broker=redis_server.url, set_as_current=False)
    dead.conf.update(task_always_eager=False, task_publish_retry=False, broker_connection_timeout=0.5)

    def never_runs():
        raise AssertionError("the broker is down: nothing can have run this")

    # The real task's sends go to a real broker connection that fails, as the app's own would.
    outage = dead.task(name="outage.reconcile_blog", shared=False)(never_runs)
    monkeypatch.setattr(tasks.reconcile_blog, "apply_async", outage.apply_async)
    digest = DigestFactory(series=tech, status=Status.APPROVED)
    with caplog.at_level("ERROR", logger="digests.queue"):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish(digest, publisher)
        digest.refresh_from_db()
        assert digest.status == Status.PUBLISHED and digest.live_snapshot is not None
        with django_capture_on_commit_callbacks(execute=True):
            workflow.unpublish(digest, publisher, "pulled")
    digest.refresh_from_db()
    assert digest.status == Status.APPROVED and digest.live_snapshot is None
    # Logged, and nothing lost: the blog's intent is in the database for the beat's reconcile.
    messages = [r.getMessage() for r in caplog.records]
    assert sum("digests.tasks.reconcile_blog" in m and "not queued" in m for m in messages) == 2, messages
    assert digest.blog_post.path == "" and digest.blog_post.state == "pending"
