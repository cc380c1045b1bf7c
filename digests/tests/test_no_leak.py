"""No leak: no unapproved word appears on any public URL, feed, sitemap, search, tag or archive page."""
import datetime as dt
import re
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from django.core.cache import cache

from digests import workflow
from digests.models import Digest, Insight, NewsItem, Status
from digests.tests.factories import DigestFactory

pytestmark = pytest.mark.django_db

UNPUBLISHED = [Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED, Status.REJECTED]


def fill_with(digest, marker):
    """Put `marker` into every text field a reader could ever be shown."""
    Digest.objects.filter(pk=digest.pk).update(title=f"{marker} 제목", footer=f"{marker} 꼬리말")
    for item in NewsItem.objects.filter(digest=digest):
        item.title, item.summary = f"{marker} 기사", f"{marker} 요약 본문"
        item.save()
        item.sources.update(url=f"https://{marker.lower()}.example/story")
    Insight.objects.filter(news_item__digest=digest).update(label=f"{marker} 라벨", text=f"{marker} 시사점")
    digest.tags.add(f"{marker}태그")


@pytest.fixture
def site(tech, entertainment, editor, reviewer, publisher, django_capture_on_commit_callbacks):
    """Digests in every unpublished state, plus one published through the workflow, reopened and edited."""
    markers = {}
    for n, status in enumerate(UNPUBLISHED):
        marker = f"SECRET{status.upper()}"
        digest = DigestFactory(series=tech if n % 2 else entertainment, date=dt.date(2026, 7, 1 + n), status=status)
        fill_with(digest, marker)
        markers[marker] = digest

    published = DigestFactory(series=tech, date=dt.date(2026, 7, 20))
    published.tags.add("공개태그")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(published, editor)
        workflow.approve(published, reviewer)
        workflow.publish(published, publisher)
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED and published.live_snapshot
    with django_capture_on_commit_callbacks(execute=True):
        workflow.reopen(published, publisher, "정정")
    fill_with(published, "SECRETREOPENED")
    markers["SECRETREOPENED"] = published
    cache.clear()
    return markers, published


LINK = re.compile(r'(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>')


def crawl(client, seeds):
    """Every page reachable from the seeds on this site, with its status and body."""
    seen, queue, pages = set(), list(seeds), {}
    while queue:
        url = queue.pop()
        key = unquote(url)
        if key in seen:
            continue
        seen.add(key)
        response = client.get(url)
        body = response.content.decode("utf-8", "replace")
        pages[url] = (response.status_code, body)
        if response.status_code != 200:
            continue
        for match in LINK.finditer(body):
            target = urljoin(url, (match.group(1) or match.group(2)).replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or parts.path.startswith(("/static/", "/admin/")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


def test_no_unapproved_text_on_any_public_url(client, site):
    markers, published = site
    seeds = ["/", "/feed.xml", "/sitemap.xml", "/robots.txt", "/tech/", "/entertainment/", "/tech/feed.xml",
             "/entertainment/feed.xml", "/archive/2026/07/", "/search/?q=SECRET", "/search/?q=" + quote("공개태그")]
    for marker, digest in markers.items():
        seeds += [
            digest.get_absolute_url(),
            f"/search/?q={marker}", f"/search/?q={quote(marker + ' 요약')}", f"/search/?q={marker.lower()}.example",
            f"/tags/{quote(marker + '태그')}/", f"/?series={digest.series.slug}",
        ]
    pages = crawl(client, seeds)

    assert len(pages) > len(seeds) // 2
    for url, (status, body) in pages.items():
        assert status in (200, 404), url
        # The search page echoes what the reader typed in these three places; results must still not leak.
        body = re.sub(r"<title>[^<]*</title>", "", body)
        body = re.sub(r'name="q" value="[^"]*"', "", body)
        body = re.sub(r'<p class="meta">“[^”]*” 검색 결과', "", body)
        for marker in markers:
            assert marker not in body and marker.lower() not in body, f"{marker} leaks on {url}"
    for marker, digest in markers.items():
        if digest != published:
            assert pages[digest.get_absolute_url()][0] == 404
        assert pages[f"/tags/{quote(marker + '태그')}/"][0] == 404
        assert "검색 결과 0건" in pages[f"/search/?q={marker}"][1]

    # The reopened digest still shows, in its published version, wherever a live one does.
    title = published.live_snapshot["title"]
    status, body = pages[published.get_absolute_url()]
    assert status == 200 and published.live_snapshot["items"][0]["summary"] in body
    for url in ["/", "/tech/", "/feed.xml", "/archive/2026/07/", "/tags/" + quote("공개태그") + "/",
                "/search/?q=" + quote("공개태그")]:
        assert title in pages[url][1], url
    assert published.get_absolute_url() in pages["/sitemap.xml"][1]
