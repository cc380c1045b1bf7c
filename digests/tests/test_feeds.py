"""Feeds and metadata as the blog's plugins write them: a real jekyll build with jekyll-feed and jekyll-seo-tag to compare."""
import datetime as dt
import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.utils import timezone

from digests import workflow
from digests.exporting import export_digests
from digests.models import Digest, Status
from digests.tests.factories import DigestFactory
from digests.tests.live import live_digest
from digests.tests.test_jekyll_site_build import need_jekyll

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CONFIG = """\
title: 뉴스룸
description: 매일 정오, 글로벌 IT와 연예/문화 뉴스 Top 5를 정리합니다.
timezone: Asia/Seoul
url: "http://127.0.0.1:8000"
lang: ko_KR
plugins:
  - jekyll-feed
  - jekyll-seo-tag
"""
LAYOUT = "<!doctype html><html><head>{% seo %}</head><body>{{ content }}</body></html>"


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def entries(xml):
    root = ET.fromstring(xml)
    return {e.find(f"{ATOM}title").text: e for e in root.findall(f"{ATOM}entry")}


def meta_tags(html):
    return {m.group(1) or m.group(2): m.group(3) for m in re.finditer(
        r'<meta (?:property="([^"]+)"|name="([^"]+)") content="([^"]*)"', html)}


def ld_json(html):
    return json.loads(re.search(r'<script type="application/ld\+json">\s*(.*?)</script>', html, re.S).group(1))


@pytest.mark.jekyll
def test_entries_and_metadata_match_what_the_blogs_plugins_write(tmp_path, settings, client, tech, entertainment):
    need_jekyll()
    site = tmp_path / "blog"
    (site / "_layouts").mkdir(parents=True)
    (site / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (site / "_layouts" / "default.html").write_text(LAYOUT, encoding="utf-8")
    settings.JEKYLL_SITE_DIR, settings.JEKYLL_GIT_REMOTE = str(site), ""
    digests = [live_digest(series=tech, tags=["AI", "반도체"]), live_digest(series=entertainment),
               live_digest(series=tech)]
    export_digests(Digest.objects.filter(pk__in=[d.pk for d in digests]), site)
    result = subprocess.run(["jekyll", "build", "--source", str(site), "--destination", str(site / "_site")],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr

    blog = entries((site / "_site" / "feed.xml").read_bytes())
    ours = entries(client.get("/feed.xml").content)
    assert set(ours) == set(blog) == {d.live_snapshot["title"] for d in digests}
    for title, theirs in blog.items():
        mine = ours[title]
        assert mine.find(f"{ATOM}id").text == theirs.find(f"{ATOM}id").text, title
        assert mine.find(f"{ATOM}link").get("href") == theirs.find(f"{ATOM}link").get("href"), title
        assert mine.find(f"{ATOM}published").text == theirs.find(f"{ATOM}published").text, title
        assert ({c.get("term") for c in mine.findall(f"{ATOM}category")}
                == {c.get("term") for c in theirs.findall(f"{ATOM}category")}), title
        content = mine.find(f"{ATOM}content")
        assert content.get("type") == "html"
        assert content.get("{http://www.w3.org/XML/1998/namespace}base") == mine.find(f"{ATOM}link").get("href")

    digest = digests[0]
    built = (site / "_site" / digest.get_absolute_url().lstrip("/")).read_text(encoding="utf-8")
    page = client.get(digest.get_absolute_url()).content.decode()
    theirs, mine = meta_tags(built), meta_tags(page)
    missing = set(theirs) - set(mine) - {"generator"}
    assert not missing, missing
    for key in ("og:title", "og:type", "og:url", "og:site_name", "og:locale", "article:published_time",
                "twitter:card", "twitter:title"):
        assert mine[key] == theirs[key], key
    assert f'<link rel="canonical" href="{theirs["og:url"]}">' in page
    blog_ld, our_ld = ld_json(built), ld_json(page)
    assert our_ld["@type"] == blog_ld["@type"] == "BlogPosting"
    for key in ("headline", "datePublished", "url", "mainEntityOfPage", "@context"):
        assert our_ld[key] == blog_ld[key], key


def test_json_ld_cannot_break_out_of_its_script(client, tech):
    digest = live_digest(series=tech)
    snap = {**digest.live_snapshot, "title": "</script><script>alert(1)</script> & 제목"}
    type(digest).objects.filter(pk=digest.pk).update(live_snapshot=snap)
    from digests import readers

    readers.live_changed([digest.pk])
    page = client.get(digest.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block and json.loads(block)["headline"] == snap["title"]


def test_a_correction_moves_the_sitemap_lastmod_and_the_feed_updated(client, tech, editor, reviewer, publisher):
    digest = DigestFactory(series=tech, status=Status.APPROVED)
    workflow.publish(digest, publisher)
    first = digest.published_at
    workflow.reopen(digest, publisher)
    digest.refresh_from_db()
    item = digest.items.first()
    item.summary = "정정된 요약입니다."
    item.save()
    workflow.record_edit(digest, editor, {"summary": "fixed"})
    workflow.submit(digest, editor)
    workflow.approve(digest, reviewer)
    workflow.publish(digest, publisher)
    digest.refresh_from_db()
    assert digest.live_changed_at >= first  # the correction's publication is when readers got a new version
    # Two days pass between the first publication and the correction.
    later = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    type(digest).objects.filter(pk=digest.pk).update(live_changed_at=later)
    cache.clear()
    root = ET.fromstring(client.get("/sitemap.xml").content)
    lastmods = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")}
    lastmod = lastmods[f"http://testserver{digest.get_absolute_url()}"].text
    assert lastmod == timezone.localtime(later).date().isoformat()
    entry = entries(client.get("/feed.xml").content)[digest.live_snapshot["title"]]
    assert dt.datetime.fromisoformat(entry.find(f"{ATOM}updated").text) == later
    assert dt.datetime.fromisoformat(entry.find(f"{ATOM}published").text) == first.replace(microsecond=0)
