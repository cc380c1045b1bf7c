"""The reader site: pages at Jekyll permalinks, lists, search, feeds, sitemap, query counts and the page cache."""
import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache

from digests import readers
from digests.models import Digest, Series
from digests.tests.factories import DigestFactory
from digests.tests.live import live_digest

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def html(response):
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response.content.decode()


def public_urls(digest):
    return [
        "/", f"/?series={digest.series.slug}", digest.get_absolute_url(), f"/{digest.series.jekyll_category}/",
        f"/archive/{digest.date:%Y/%m}/", "/search/?q=뉴스", "/feed.xml", f"/{digest.series.jekyll_category}/feed.xml",
        "/sitemap.xml",
    ]


def test_digest_page_shows_the_published_post(client, tech):
    digest = live_digest(series=tech, tags=["AI", "클라우드"])
    page = html(client.get(f"/tech/{digest.date:%Y/%m/%d}/daily-it-news.html"))
    snap = digest.live_snapshot
    assert snap["title"] in page
    for item in snap["items"]:
        assert item["title"] in page and item["summary"] in page
        for source in item["sources"]:
            assert f'href="{source["url"]}" rel="noopener nofollow"'.replace("&", "&amp;") in page
            assert '<span class="source-domain">example.com</span>' in page
        for insight in item["insights"]:
            assert f"<strong>{insight['label']}:</strong> {insight['text']}" in page
    assert "📌 요약" in page and "💡 시사점" in page and digest.series.footer in page
    assert 'href="/tags/AI/"' in page and 'href="/tags/%ED%81%B4%EB%9D%BC%EC%9A%B0%EB%93%9C/"' in page
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{digest.get_absolute_url()}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert f'<meta property="og:title" content="{snap["title"]}">' in page


def test_previous_and_next_in_the_series(client, tech, entertainment):
    first = live_digest(series=tech, date=dt.date(2026, 3, 1))
    middle = live_digest(series=tech, date=dt.date(2026, 3, 3))
    DigestFactory(series=tech, date=dt.date(2026, 3, 4), title="DRAFT BETWEEN")
    last = live_digest(series=tech, date=dt.date(2026, 3, 5))
    live_digest(series=entertainment, date=dt.date(2026, 3, 2))
    page = html(client.get(middle.get_absolute_url()))
    assert f'<a rel="prev" href="{first.get_absolute_url()}">← {first.live_snapshot["title"]}</a>' in page
    assert f'<a rel="next" href="{last.get_absolute_url()}">{last.live_snapshot["title"]} →</a>' in page
    assert "DRAFT BETWEEN" not in page and "entertainment/2026" not in page


def test_previous_and_next_follow_a_post_published_or_withdrawn_in_between(client, tech):
    first = live_digest(series=tech, date=dt.date(2026, 3, 1))
    last = live_digest(series=tech, date=dt.date(2026, 3, 5))
    assert f'rel="next" href="{last.get_absolute_url()}"' in html(client.get(first.get_absolute_url()))
    # Navigation is read once per site version: a publication in between must still show at once.
    between = live_digest(series=tech, date=dt.date(2026, 3, 3))
    page = html(client.get(first.get_absolute_url()))
    assert f'rel="next" href="{between.get_absolute_url()}"' in page and "rel=\"prev\"" not in page
    page = html(client.get(between.get_absolute_url()))
    assert f'rel="prev" href="{first.get_absolute_url()}"' in page and f'rel="next" href="{last.get_absolute_url()}"' in page
    # Unpublished: gone from its neighbours' pages too.
    Digest.objects.filter(pk=between.pk).update(live_snapshot=None)
    readers.live_changed([between.pk])
    assert f'rel="next" href="{last.get_absolute_url()}"' in html(client.get(first.get_absolute_url()))


def test_a_renamed_or_added_series_shows_on_every_page_at_once(client, tech):
    digest = live_digest(series=tech)
    html(client.get(digest.get_absolute_url()))
    before = readers.current()
    tech.name = "테크 브리핑"
    tech.save()
    assert readers.current()[0] == before[0] + 1
    for url in ("/", digest.get_absolute_url(), "/tech/"):
        assert ">테크 브리핑</a>" in html(client.get(url)), url
    Series.objects.create(slug="science", name="과학 뉴스", jekyll_category="science", title_template="[{date}] 과학")
    assert '<a href="/science/">과학 뉴스</a>' in html(client.get(digest.get_absolute_url()))


@pytest.mark.parametrize("count", [1, 30])
def test_a_digest_page_runs_two_queries_once_the_navigation_is_read(client, tech, count, django_assert_num_queries):
    digests = [live_digest(series=tech, date=dt.date(2026, 1, 1) + dt.timedelta(days=i)) for i in range(count)]
    html(client.get("/"))  # reads the navigation for this site version
    with django_assert_num_queries(2):  # the site version, then the digest's own row
        page = html(client.get(digests[len(digests) // 2].get_absolute_url() + "?n=1"))
    if count > 1:
        previous = digests[len(digests) // 2 - 1]
        assert f'<a rel="prev" href="{previous.get_absolute_url()}">← {previous.live_snapshot["title"]}</a>' in page


def test_home_lists_newest_first_paginates_and_filters_by_series(client, tech, entertainment):
    for day in range(14):
        live_digest(series=tech, date=dt.date(2026, 4, 1) + dt.timedelta(days=day))
    live_digest(series=entertainment, date=dt.date(2026, 4, 20))
    page = html(client.get("/"))
    assert page.index("[2026-04-20]") < page.index("[2026-04-14]") < page.index("[2026-04-04]")
    assert "[2026-04-03]" not in page and 'href="?page=2"' in page
    assert "[2026-04-01]" in html(client.get("/?page=2"))
    filtered = html(client.get("/?series=entertainment"))
    assert "[2026-04-20] 연예/문화 뉴스 Top 5" in filtered and "글로벌 IT 뉴스 Top 5" not in filtered
    assert client.get("/?series=nope").status_code == 404


def test_series_archive_and_tag_pages(client, tech, entertainment):
    a = live_digest(series=tech, date=dt.date(2026, 5, 2), tags=["반도체"])
    b = live_digest(series=entertainment, date=dt.date(2026, 6, 1), tags=["반도체", "K-pop"])
    assert a.live_snapshot["title"] in html(client.get("/tech/")) and b.live_snapshot["title"] not in html(client.get("/tech/"))
    may = html(client.get("/archive/2026/05/"))
    assert a.live_snapshot["title"] in may and b.live_snapshot["title"] not in may
    tagged = html(client.get("/tags/반도체/"))
    assert a.live_snapshot["title"] in tagged and b.live_snapshot["title"] in tagged
    kpop = html(client.get("/tags/K-pop/"))
    assert b.live_snapshot["title"] in kpop and a.live_snapshot["title"] not in kpop
    assert client.get("/tags/없는태그/").status_code == 404
    assert client.get("/tags/K-po/").status_code == 404  # a prefix of a tag is not the tag
    assert client.get("/archive/2026/07/").status_code == 404
    assert client.get("/archive/2026/13/").status_code == 404
    assert client.get("/nope/").status_code == 404


def test_a_tag_page_finds_digests_stored_before_korean_was_kept_unescaped(client, tech):
    """Rows written before migration 0018 hold \\uXXXX escapes in their JSON text; the tag page finds both."""
    import json

    from django.db import connection

    old = live_digest(series=tech, date=dt.date(2026, 5, 2), tags=["반도체"])
    new = live_digest(series=tech, date=dt.date(2026, 5, 3), tags=["반도체"])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE digests_digest SET live_snapshot = %s WHERE id = %s",
                       [json.dumps(old.live_snapshot), old.pk])
    readers.live_changed([old.pk])
    tagged = html(client.get("/tags/반도체/"))
    assert old.live_snapshot["title"] in tagged and new.live_snapshot["title"] in tagged


def test_search_matches_published_text_on_either_database(client, tech):
    digest = live_digest(series=tech)
    Digest.objects.filter(pk=digest.pk).update(live_snapshot={
        **digest.live_snapshot,
        "items": [{**digest.live_snapshot["items"][0], "summary": "엔비디아가 새로운 GPU를 발표했습니다."}],
    })
    readers.live_changed([digest.pk])
    other = live_digest(series=tech)
    found = html(client.get("/search/", {"q": "엔비디아"}))
    assert digest.live_snapshot["title"] in found and other.live_snapshot["title"] not in found
    assert "검색 결과 1건" in found
    assert "검색 결과 1건" in html(client.get("/search/", {"q": "gpu 엔비디아"}))  # case, several words
    assert "검색 결과 0건" in html(client.get("/search/", {"q": "엔비디아 없는말"}))
    assert "검색 결과 0건" in html(client.get("/search/", {"q": "summary"}))  # JSON keys are not text
    assert "검색 결과 0건" in html(client.get("/search/", {"q": "'\\\" & | ! :* %_"}))
    assert "검색 결과" not in html(client.get("/search/"))


def test_feeds_are_atom_with_full_content(client, tech, entertainment):
    t = live_digest(series=tech, tags=["AI"])
    e = live_digest(series=entertainment)
    response = client.get("/feed.xml")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert {x.find(f"{ATOM}title").text for x in entries} == {t.live_snapshot["title"], e.live_snapshot["title"]}
    entry = next(x for x in entries if x.find(f"{ATOM}title").text == t.live_snapshot["title"])
    # jekyll-feed's link and id: the absolute post URL, and the same without ".html".
    assert entry.find(f"{ATOM}link").get("href") == f"http://127.0.0.1:8000{t.get_absolute_url()}"
    assert entry.find(f"{ATOM}id").text == f"http://127.0.0.1:8000{t.get_absolute_url().removesuffix('.html')}"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html" and t.live_snapshot["items"][4]["title"] in content.text
    assert content.get("{http://www.w3.org/XML/1998/namespace}base") == f"http://127.0.0.1:8000{t.get_absolute_url()}"
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"tech", "AI"}
    series_feed = ET.fromstring(client.get("/entertainment/feed.xml").content)
    assert [x.find(f"{ATOM}title").text for x in series_feed.findall(f"{ATOM}entry")] == [e.live_snapshot["title"]]
    assert client.get("/nope/feed.xml").status_code == 404


def test_sitemap_and_robots(client, tech):
    digest = live_digest(series=tech)
    DigestFactory(series=tech)
    root = ET.fromstring(client.get("/sitemap.xml").content)
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"http://testserver{digest.get_absolute_url()}" in locs and "http://testserver/tech/" in locs
    assert len([loc for loc in locs if loc.endswith(".html")]) == 1
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots and "Disallow: /admin/" in robots


@pytest.mark.parametrize("count", [1, 30])
def test_public_pages_run_at_most_five_queries_whatever_the_size(client, tech, count, django_assert_max_num_queries):
    digests = [live_digest(series=tech, tags=["AI"], date=dt.date(2026, 1, 1) + dt.timedelta(days=i)) for i in range(count)]
    middle = digests[len(digests) // 2]
    for url in [*public_urls(middle), "/tags/AI/"]:
        cache.clear()
        # Four for the page, one for the site's generation (the page cache key and Last-Modified).
        with django_assert_max_num_queries(5):
            response = client.get(url)
        assert response.status_code == 200, url


def test_bad_addresses_answer_404(client, tech):
    digest = live_digest(series=tech)
    assert client.get(f"/tech/{digest.date:%Y}/13/40/daily-it-news.html").status_code == 404
    assert client.get(f"/entertainment/{digest.date:%Y/%m/%d}/daily-it-news.html").status_code == 404
    assert client.get(f"/tech/{digest.date:%Y/%m/%d}/other.html").status_code == 404
    assert client.get("/?page=abc").status_code == 200
