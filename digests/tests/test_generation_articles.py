"""Article pages: fetched with the feed guards, main text and metadata extracted, kept with the entry; every
hostile page (huge, slow, private redirect, not HTML, broken encoding, no text) recorded, none stops the others."""
import datetime as dt

import pytest
from django.conf import settings

from digests.generation import articles
from digests.models import ArticlePage, FeedEntry
from digests.tests.fakes.feeds import Route, article_page
from digests.tests.fakes.fixtures import *  # noqa: F401,F403

pytestmark = pytest.mark.django_db

PARAGRAPHS = [
    "SpaceX said on Feb. 2, 2026 that it will acquire xAI in a deal valued at $16 billion. The combined company "
    "plans to launch data centers into orbit within three years.",
    "Elon Musk, who runs both companies, said a third of the compute would be in orbit by 2030. Shares of "
    "partners rose 40 percent in early trading after the announcement.",
]
KOREAN = ["스페이스X는 2026년 2월 2일 xAI를 160억 달러에 인수한다고 밝혔다. 합병 회사는 3년 안에 우주에 데이터센터를 "
          "띄울 계획이다.", "일론 머스크는 연산 능력의 3분의 1을 2030년까지 궤도에 올리겠다고 말했다. 협력사 주가는 "
          "발표 직후 40% 올랐다. 업계는 이번 거래가 인공지능 경쟁의 판도를 바꿀 것으로 보고 있다.",
          "두 회사는 규제 당국의 승인을 받는 대로 거래를 마무리할 예정이며, 구체적인 일정은 밝히지 않았다."]


@pytest.fixture
def entry(tech, add_source, feed_server):
    source = add_source(tech, "/articles.xml", name="TechCrunch")
    counter = iter(range(1000))

    def make(path, **route):
        if route:
            feed_server.add(path, **route)
        n = next(counter)
        return FeedEntry.objects.create(source=source, guid=f"g{n}", url=feed_server.url(path), title=f"Entry {n}",
                                        canonical_url=feed_server.url(path), published_at=dt.datetime.now(dt.timezone.utc))

    return make


@pytest.fixture
def article_settings(fetch_settings):
    fetch_settings.NEWSROOM_FETCH_ARTICLES = True
    fetch_settings.NEWSROOM_ARTICLE_DEADLINE = 2.0
    fetch_settings.NEWSROOM_ARTICLE_MAX_BYTES = 512 * 1024
    return fetch_settings


HTML = "text/html; charset=utf-8"


def test_the_main_text_metadata_language_and_outbound_links_are_kept_with_the_entry(entry, article_settings,
                                                                                      feed_server):
    body = article_page("SpaceX acquires xAI", PARAGRAPHS, author="Jane Doe", site="TechCrunch",
                        published="2026-02-02T10:00:00Z",
                        links=[("Reuters", "https://www.reuters.com/tech/spacex-xai/?utm_source=x"),
                               ("our earlier story", feed_server.url("/2026/01/earlier"))])
    english = entry("/en", body=body, content_type=HTML)
    korean = entry("/ko", body=article_page("스페이스X, xAI 인수", KOREAN, lang="ko"), content_type=HTML)
    articles.fetch_pages([english, korean])
    page = ArticlePage.objects.get(entry=english)
    assert (page.status, page.title, page.author, page.site_name, page.published, page.language) == (
        "ok", "SpaceX acquires xAI", "Jane Doe", "TechCrunch", "2026-02-02", "en")
    assert "valued at $16 billion" in page.text and "Sign in" not in page.text and "Copyright" not in page.text
    # Links to other sites, canonical; the page's own site is navigation, not a source.
    assert page.links == ["https://reuters.com/tech/spacex-xai"]
    assert ArticlePage.objects.get(entry=korean).language == "ko"
    agent = dict(feed_server.requests)["/en"]["User-Agent"]
    # Who is asking and where to find who runs it: the site's own address, not a placeholder.
    assert agent.startswith("newsroom-") and f"(+{settings.SITE_URL}/)" in agent


def test_text_is_bounded_and_marked_truncated(entry, article_settings):
    article_settings.NEWSROOM_ARTICLE_MAX_CHARS = 300
    long = entry("/long", body=article_page("Long read", PARAGRAPHS * 20), content_type=HTML)
    articles.fetch_pages([long])
    page = ArticlePage.objects.get(entry=long)
    assert page.status == "ok" and page.truncated and len(page.text) <= 300


def euc_kr_declared_utf8():
    return article_page("삼성전자 신제품", KOREAN, lang="ko").decode("utf-8").encode("euc-kr")


HOSTILE = {
    "huge": (Route(stream_bytes=40 * 1024 * 1024, content_type=HTML), "too_large", "cap"),
    "slow": (Route(body=article_page("Slow", PARAGRAPHS), content_type=HTML, delay=4), "timeout", "timed out"),
    "private": (Route(redirect="http://169.254.169.254/latest/meta-data/"), "blocked_host", "non-public"),
    "pdf": (Route(body=b"%PDF-1.7 ...", content_type="application/pdf"), "not_html", "application/pdf"),
    "encoding": (Route(body=euc_kr_declared_utf8(), content_type=HTML), "bad_encoding", "not valid utf-8"),
    "unknown_charset": (Route(body=article_page("x", PARAGRAPHS), content_type="text/html; charset=klingon"),
                        "bad_encoding", "klingon"),
    "shell": (Route(body=b"<html><body><div id=app></div><script>render()</script></body></html>",
                    content_type=HTML), "no_text", "javascript"),
    "gone": (Route(body=b"gone", status=404, content_type="text/plain"), "http_error", "404"),
}


def test_every_hostile_page_is_recorded_and_none_stops_the_others(entry, article_settings, feed_server):
    good = entry("/good", body=article_page("Good", PARAGRAPHS), content_type=HTML)
    bad = {kind: entry(f"/{kind}", route=route) for kind, (route, _, _) in HOSTILE.items()}
    pages = articles.fetch_pages([good, *bad.values()])
    assert len(pages) == len(HOSTILE) + 1
    assert ArticlePage.objects.get(entry=good).status == "ok"
    for kind, (_, status, phrase) in HOSTILE.items():
        page = ArticlePage.objects.get(entry=bad[kind])
        assert page.status == status, (kind, page.error)
        assert phrase.lower() in page.error.lower() and page.text == "", kind
    assert feed_server.streamed.get("/huge", 0) < 20 * 1024 * 1024  # we stopped reading at the cap
    assert articles.summary(pages)["counts"]["ok"] == 1
    # Recorded pages are not fetched again.
    assert articles.missing([good.pk, *(e.pk for e in bad.values())]) == []


def test_a_few_pages_per_host_at_a_time(entry, article_settings, feed_server):
    article_settings.NEWSROOM_FETCH_PER_HOST = 2
    many = [entry(f"/same-host/{n}", body=article_page(f"Page {n}", PARAGRAPHS), content_type=HTML, delay=0.3)
            for n in range(6)]
    articles.fetch_pages(many)
    assert feed_server.most_at_once("/same-host/") == 2
    assert ArticlePage.objects.filter(status="ok").count() == 6


def test_pages_the_sites_robots_txt_disallows_are_not_read(entry, article_settings, feed_server):
    feed_server.add("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    allowed = entry("/public/a", body=article_page("Open", PARAGRAPHS), content_type=HTML)
    private = entry("/private/b", body=article_page("Closed", PARAGRAPHS), content_type=HTML)
    before = len(feed_server.requests)  # the server serves the whole module
    pages = articles.fetch_pages([allowed, private])
    assert {p.entry_id: p.status for p in pages} == {allowed.pk: "ok", private.pk: "robots_disallowed"}
    asked = [path for path, _ in feed_server.requests[before:]]
    assert "/private/b" not in asked and asked.count("/robots.txt") == 1
    assert "robots.txt" in ArticlePage.objects.get(entry=private).error
    assert articles.missing([private.pk]) == []  # recorded: not asked again next run


def test_a_group_for_our_user_agent_replaces_the_general_one(entry, article_settings, feed_server):
    # As robots.txt is read everywhere (RFC 9309): the group naming us applies, not "*".
    feed_server.add("/robots.txt", body=b"User-agent: *\nDisallow: /\n\nUser-agent: newsroom-feed-fetcher\n"
                                        b"Disallow: /not-for-us/\n", content_type="text/plain")
    open_to_us = entry("/news/a", body=article_page("Open", PARAGRAPHS), content_type=HTML)
    closed = entry("/not-for-us/b", body=article_page("Closed", PARAGRAPHS), content_type=HTML)
    pages = articles.fetch_pages([open_to_us, closed])
    assert {p.entry_id: p.status for p in pages} == {open_to_us.pk: "ok", closed.pk: "robots_disallowed"}


def test_a_site_without_a_robots_txt_is_read(entry, article_settings, feed_server):
    feed_server.add("/robots.txt", status=404, body=b"not found")
    page = entry("/no-robots/a", body=article_page("Open", PARAGRAPHS), content_type=HTML)
    assert [p.status for p in articles.fetch_pages([page])] == ["ok"]
