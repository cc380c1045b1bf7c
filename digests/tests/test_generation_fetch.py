"""Fetching feeds: concurrent, bounded, no private hosts; each bad feed skipped with its reason stored, the rest kept."""
import datetime as dt
import time

import pytest

from digests.generation import service
from digests.models import FeedEntry, Source
from digests.tests.fakes.feeds import Route, rss, stories
from digests.tests.fakes.fixtures import *  # noqa: F401,F403

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.timezone.utc)


def fetch(series):
    results = service.fetch_sources(series)
    return {r.source_name: r for r in results}


def korean_feed_in_euc_kr_declared_utf8():
    text = rss([{"title": "삼성전자 신제품 발표", "link": "https://news.example.com/ko/1"}]).decode("utf-8")
    return text.encode("euc-kr")


BAD_FEEDS = {
    "malformed": (Route(body=b"<rss><channel><item><title>half an item</ti"), "malformed", "Malformed feed XML"),
    "not_found": (Route(body=b"gone", status=404), "http_error", "HTTP 404"),
    "server_error": (Route(body=b"oops", status=500), "http_error", "HTTP 500"),
    "timeout": (Route(body=b"<rss/>", delay=3), "timeout", "Timed out"),
    "huge": (Route(stream_bytes=50 * 1024 * 1024), "too_large", "cap"),
    "wrong_encoding": (Route(body=korean_feed_in_euc_kr_declared_utf8()), "bad_encoding", "encoding"),
    "empty": (Route(body=rss([])), "empty", "no entries"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FEEDS))
def test_a_bad_feed_is_skipped_with_its_reason_and_the_rest_go_on(kind, tech, feed_server, fetch_settings, add_source):
    route, status, phrase = BAD_FEEDS[kind]
    good = add_source(tech, "/good.xml", body=rss(stories("good", 6, NOW)))
    bad = add_source(tech, f"/{kind}.xml", route=route)
    results = fetch(tech)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert results[bad.name].status == status
    assert (bad.last_status, good.last_status) == (status, "ok")
    assert phrase.lower() in bad.last_error.lower() and bad.last_fetched_at is not None
    assert not FeedEntry.objects.filter(source=bad).exists()
    assert FeedEntry.objects.filter(source=good).count() == 6
    if kind == "huge":
        # We stopped reading at the cap: nowhere near the 50 MB were taken in.
        assert feed_server.streamed.get("/huge.xml", 0) < 20 * 1024 * 1024


def test_redirect_loop_is_refused(tech, feed_server, fetch_settings, add_source):
    feed_server.add("/loop-a.xml", redirect=feed_server.url("/loop-b.xml"))
    source = add_source(tech, "/loop-b.xml", redirect=feed_server.url("/loop-a.xml"))
    assert fetch(tech)[source.name].status == "redirect_loop"
    source.refresh_from_db()
    assert "Redirect loop" in source.last_error


def test_too_many_redirects_are_refused(tech, feed_server, fetch_settings, add_source):
    for n in range(5):
        feed_server.add(f"/hop{n}.xml", redirect=feed_server.url(f"/hop{n + 1}.xml"))
    source = add_source(tech, "/hop0.xml")
    assert fetch(tech)[source.name].status == "too_many_redirects"


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/feed.xml",
                                    "http://127.0.0.2/feed.xml", "http://[::1]/feed.xml"])
def test_redirect_to_a_private_address_is_refused_before_connecting(target, tech, feed_server, fetch_settings,
                                                                     add_source):
    # 127.0.0.1 (the fixture server) is allowed; where it redirects to is not.
    source = add_source(tech, "/away.xml", redirect=target)
    started = time.monotonic()
    result = fetch(tech)[source.name]
    assert result.status == "blocked_host"
    assert "non-public address" in result.error and "NEWSROOM_ALLOWED_PRIVATE_HOSTS" in result.error
    assert time.monotonic() - started < 1.0  # refused at once, no connect timeout waited for
    assert [path for path, _ in feed_server.requests if path == "/away.xml"]


def test_private_hosts_are_refused_unless_allowed(tech, feed_server, fetch_settings, add_source, good_feed):
    source = add_source(tech, "/ok.xml", body=good_feed("ok", NOW))
    fetch_settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = []
    feed_server.requests.clear()
    assert fetch(tech)[source.name].status == "blocked_host"
    assert feed_server.requests == []
    fetch_settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = True
    assert fetch(tech)[source.name].status == "ok"


def test_conditional_get_uses_etag(tech, feed_server, fetch_settings, add_source, good_feed):
    source = add_source(tech, "/etag.xml", body=good_feed("etag", NOW), etag='"v1"')
    assert fetch(tech)[source.name].entries_new == 6
    source.refresh_from_db()
    assert source.etag == '"v1"'
    result = fetch(tech)[source.name]
    assert result.status == "not_modified" and result.http_status == 304
    assert feed_server.requests[-1][1].get("If-None-Match") == '"v1"'
    assert FeedEntry.objects.filter(source=source).count() == 6


def test_feeds_are_fetched_concurrently(tech, feed_server, fetch_settings, add_source, good_feed):
    for n in range(4):
        add_source(tech, f"/slow{n}.xml", body=good_feed(f"slow{n}", NOW), delay=0.6)
    started = time.monotonic()
    results = fetch(tech)
    assert all(r.status == "ok" for r in results.values())
    assert time.monotonic() - started < 1.8  # serially: 2.4 s at least


def test_fetch_result_as_dict_is_json_ready(tech, feed_server, fetch_settings, add_source, good_feed):
    import json

    source = add_source(tech, "/dict.xml", body=good_feed("dict", NOW))
    data = fetch(tech)[source.name].as_dict()
    assert json.loads(json.dumps(data))["entries_new"] == 6 and data["status"] == "ok"
    assert Source.objects.get(pk=source.pk).last_status == "ok"


@pytest.fixture
def rebinding(monkeypatch, feed_server):
    """`rebind.test` answers the allowed 127.0.0.1 to the first lookup and the private 127.0.0.2 after that,
    where a second server (same port) holds what must never be fetched."""
    import socket

    from digests.tests.fakes.feeds import FeedServer

    port = feed_server.httpd.server_address[1]
    private = FeedServer("127.0.0.2", port).start()
    private.add("/feed.xml", body=rss(stories("private-metadata", 6, NOW)))
    real, lookups = socket.getaddrinfo, []

    def resolve(host, *args, **kwargs):
        if host in ("rebind.test", b"rebind.test"):  # httpx's own lookup passes the IDNA bytes
            lookups.append(host)
            return real("127.0.0.1" if len(lookups) == 1 else "127.0.0.2", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    yield f"http://rebind.test:{port}", private, lookups
    private.stop()


def test_a_rebinding_answer_cannot_reach_a_private_address(tech, feed_server, fetch_settings, add_source, good_feed,
                                                           rebinding):
    base, private, lookups = rebinding
    feed_server.add("/feed.xml", body=good_feed("public", NOW))
    source = add_source(tech, "/unused.xml")
    Source.objects.filter(pk=source.pk).update(url=f"{base}/feed.xml")
    result = fetch(tech)[source.name]
    assert result.status == "ok" and result.final_url == f"{base}/feed.xml"
    assert private.requests == [] and lookups == ["rebind.test"]  # one lookup: the checked address was used
    assert feed_server.requests[-1][1]["Host"] == base.removeprefix("http://")
    titles = set(FeedEntry.objects.filter(source=source).values_list("title", flat=True))
    assert titles and not any("private-metadata" in t for t in titles)


def test_a_redirect_to_a_rebinding_host_cannot_reach_a_private_address(tech, feed_server, fetch_settings, add_source,
                                                                        good_feed, rebinding):
    base, private, lookups = rebinding
    feed_server.add("/feed.xml", body=good_feed("public", NOW))
    source = add_source(tech, "/hop.xml", redirect=f"{base}/feed.xml")
    result = fetch(tech)[source.name]
    assert result.status == "ok" and result.final_url == f"{base}/feed.xml"
    assert private.requests == [] and lookups == ["rebind.test"]
    assert not FeedEntry.objects.filter(source=source, title__contains="private-metadata").exists()
