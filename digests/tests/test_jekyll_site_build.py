"""A real `jekyll build` of exported posts: each page sits at the permalink our site serves, with the same text."""
import datetime as dt
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from django.core.cache import cache

from conftest import in_ci
from digests import publishing
from digests.models import Digest
from digests.tests.live import live_digest

pytestmark = [pytest.mark.jekyll, pytest.mark.django_db]

CONFIG = """\
title: Newsroom test blog
timezone: Asia/Seoul
url: "http://127.0.0.1:8000"
plugins:
  - jekyll-feed
"""
LAYOUT = """<!doctype html><html><head><title>{{ page.title }}</title></head>
<body><h1>{{ page.title }}</h1><div id="post-content">{{ content }}</div></body></html>
"""
SUMMARY = (
    "**엔비디아**가 새 GPU를 발표했습니다. 자세한 내용은 [발표문](https://example.com/a?x=1&y=2)을 보세요.\n"
    "두 번째 줄에는 `코드`와 *강조*가 있습니다."
)


def need_jekyll():
    missing = [] if shutil.which("jekyll") else ["jekyll"]
    if subprocess.run(["dpkg", "-s", "ruby-jekyll-feed"], capture_output=True).returncode != 0:
        missing.append("ruby-jekyll-feed")
    if missing:
        message = f"missing {', '.join(missing)}: run 'apt-get install {' '.join(missing)}'"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


class PostText(HTMLParser):
    """The visible text inside <div id="post-content">, whitespace collapsed."""

    def __init__(self):
        super().__init__()
        self.depth, self.skip, self.parts = 0, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "div"
            # Our site names each source's outlet beside its link; the blog has only the link.
            self.skip += tag == "span" and dict(attrs).get("class") == "source-domain"
        elif tag == "div" and dict(attrs).get("id") == "post-content":
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1
        if self.skip and tag == "span":
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)

    @classmethod
    def of(cls, markup):
        parser = cls()
        parser.feed(markup)
        return " ".join("".join(parser.parts).split())


def test_jekyll_builds_each_post_at_our_permalink_with_the_same_text(tmp_path, settings, client, tech, entertainment):
    need_jekyll()
    site = tmp_path / "blog"
    (site / "_layouts").mkdir(parents=True)
    (site / "_config.yml").write_text(CONFIG)
    (site / "_layouts" / "default.html").write_text(LAYOUT)
    settings.JEKYLL_SITE_DIR = str(site)
    settings.JEKYLL_GIT_REMOTE = ""

    # Past dates: jekyll leaves out future posts (the factory's dates run on with every digest of the session).
    day = dt.date.today() - dt.timedelta(days=10)
    digests = [live_digest(series=tech, tags=["AI", "반도체"], date=day), live_digest(series=entertainment, date=day),
               live_digest(series=tech, date=day - dt.timedelta(days=1))]
    first = digests[0]
    snapshot = first.live_snapshot
    snapshot["items"][0]["summary"] = SUMMARY
    snapshot["items"][1]["title"] = "제목에 {{ liquid }} 와 #해시"
    Digest.objects.filter(pk=first.pk).update(live_snapshot=snapshot)
    first.refresh_from_db()
    for digest in digests:
        publishing.expect(digest)
    publishing.reconcile()

    result = subprocess.run(["jekyll", "build", "--source", str(site), "--destination", str(site / "_site")],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"jekyll build failed:\n{result.stdout}\n{result.stderr}"

    cache.clear()
    for digest in digests:
        url = digest.get_absolute_url()
        built = site / "_site" / url.lstrip("/")
        assert built.exists(), f"jekyll put no page at {url}: {sorted(p.name for p in (site / '_site').rglob('*.html'))}"
        ours = client.get(url)
        assert ours.status_code == 200
        blog_text, our_text = PostText.of(built.read_text(encoding="utf-8")), PostText.of(ours.content.decode())
        assert blog_text and blog_text == our_text, url
        assert digest.live_snapshot["items"][-1]["title"] in blog_text
    assert "{{ liquid }}" in PostText.of((site / "_site" / first.get_absolute_url().lstrip("/")).read_text())
    feed = (site / "_site" / "feed.xml").read_text(encoding="utf-8")
    assert all(f"http://127.0.0.1:8000{d.get_absolute_url()}" in feed for d in digests)
