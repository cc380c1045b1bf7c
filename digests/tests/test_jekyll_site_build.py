"""A real `jekyll build` of exported posts: each page sits at the permalink our site serves, with the same
content as our site and the admin preview show, and no payload runs on the blog."""
import datetime as dt
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse

from conftest import in_ci
from digests import jekyll, publishing, workflow
from digests.models import Digest, Insight, NewsItem, Status
from digests.posts import digest_snapshot, digest_to_post, snapshot_to_post, with_content
from digests.tests.factories import DigestFactory, NewsItemFactory
from digests.tests.live import live_digest
from digests.tests.markdown_corpus import Features, case_posts, posts
from digests.tests.test_browser_site import browser  # noqa: F401 - the Chromium fixture
from digests.tests.test_xss import KRAMDOWN_PAYLOADS, problems

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


def blog(tmp_path, settings):
    """An empty blog folder with the test layout, set as the export's JEKYLL_SITE_DIR."""
    need_jekyll()
    site = tmp_path / "blog"
    (site / "_layouts").mkdir(parents=True)
    (site / "_posts").mkdir()
    (site / "_config.yml").write_text(CONFIG)
    (site / "_layouts" / "default.html").write_text(LAYOUT)
    settings.JEKYLL_SITE_DIR = str(site)
    settings.JEKYLL_GIT_REMOTE = ""
    return site


def build(site):
    result = subprocess.run(["jekyll", "build", "--source", str(site), "--destination", str(site / "_site")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"jekyll build failed:\n{result.stdout}\n{result.stderr}"


def built_page(site, url):
    path = site / "_site" / url.lstrip("/")
    assert path.exists(), f"jekyll put no page at {url}: {sorted(p.name for p in (site / '_site').rglob('*.html'))}"
    return path.read_text(encoding="utf-8")


def test_jekyll_builds_each_post_at_our_permalink_with_the_same_text(tmp_path, settings, client, tech, entertainment):
    site = blog(tmp_path, settings)

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

    build(site)

    cache.clear()
    for digest in digests:
        url = digest.get_absolute_url()
        ours = client.get(url)
        assert ours.status_code == 200
        blog_text, our_text = PostText.of(built_page(site, url)), PostText.of(ours.content.decode())
        assert blog_text and blog_text == our_text, url
        assert digest.live_snapshot["items"][-1]["title"] in blog_text
    assert "{{ liquid }}" in PostText.of((site / "_site" / first.get_absolute_url().lstrip("/")).read_text())
    feed = (site / "_site" / "feed.xml").read_text(encoding="utf-8")
    assert all(f"http://127.0.0.1:8000{d.get_absolute_url()}" in feed for d in digests)


# --------------------------------------------------------------------------- the differential test


def post_content(markup):
    """The inner HTML of <div id="post-content">."""
    start = re.search(r'<div[^>]*\bid="post-content"[^>]*>', markup)
    assert start, "no <div id=\"post-content\"> in the page"
    depth, at = 1, start.end()
    for tag in re.finditer(r"<(/?)div\b[^>]*>", markup[at:]):
        depth += -1 if tag.group(1) else 1
        if not depth:
            return markup[at : at + tag.start()]
    raise AssertionError("<div id=\"post-content\"> is never closed")


def ours(markup):
    """What of our post body the blog has too: our site names each source's outlet and lists the
    source links (the blog writes them as lines), the text and links are the same."""
    markup = re.sub(r'<span class="source-domain">.*?</span>', "", post_content(markup), flags=re.S)
    return re.sub(r'<ul class="sources">(.*?)</ul>',
                  lambda m: m.group(1).replace("<li>", "<span>").replace("</li>", "</span>"), markup, flags=re.S)


def store(post, date, series):
    """A published digest holding `post` in its rows (for the preview) and its live version (for the site)."""
    digest = DigestFactory(series=series, date=date, items=0, title=post.title, footer=post.footer or "")
    for position, item in enumerate(post.items):
        row = NewsItemFactory(digest=digest, position=position, title=item.title, summary=item.summary, insights=0,
                              sources=item.urls)
        Insight.objects.bulk_create(Insight(news_item=row, position=n, label=i.label, text=i.text)
                                    for n, i in enumerate(item.insights))
    published_at = dt.datetime.combine(date, dt.time(9, 30), tzinfo=series.tzinfo)
    Digest.objects.filter(pk=digest.pk).update(published_at=published_at)
    snapshot = digest_snapshot(with_content(Digest.objects.filter(pk=digest.pk)).get())
    Digest.objects.filter(pk=digest.pk).update(status=Status.PUBLISHED, live_snapshot=snapshot, live_series=series,
                                               live_date=date, live_slug=digest.slug, live_category=digest.jekyll_category)
    digest.refresh_from_db()
    return digest


def test_blog_site_and_preview_show_the_same_content(tmp_path, settings, client, admin_client, tech):
    """Issue 9's differential test: a corpus of every construct of the content model, exported and
    built by real kramdown, against our reader page and the admin preview of the same digest."""
    site = blog(tmp_path, settings)
    corpus = posts() + case_posts()
    digests = [store(post, dt.date(2024, 1, 1) + dt.timedelta(days=n), tech) for n, post in enumerate(corpus)]
    for digest in digests:
        # The exporter itself (publishing adds the safety check, which the corpus's HTML cases would fail).
        post = snapshot_to_post(digest.live_snapshot)
        (site / publishing.post_relpath(digest)).write_text(jekyll.render(post), encoding="utf-8")
    build(site)  # one build for the whole corpus: Jekyll is slow

    cache.clear()
    differ = []
    for digest in digests:
        url = digest.get_absolute_url()
        want = Features.of(post_content(built_page(site, url)))
        screens = {"site": client.get(url), "preview": admin_client.get(reverse("admin:digests_digest_preview", args=[digest.pk]))}
        for screen, response in screens.items():
            assert response.status_code == 200, (screen, url)
            got = Features.of(ours(response.content.decode()))
            differ += [f"{screen} {url} {feature}:\n  blog {want[feature]!r}\n  ours {got[feature]!r}"
                       for feature in want if got[feature] != want[feature]]
    assert not differ, f"{len(differ)} differences:\n" + "\n".join(differ[:10])
    # The corpus does hold what it is for: lists, code spans and links on the blog.
    blog_pages = [Features.of(post_content(built_page(site, d.get_absolute_url()))) for d in digests]
    assert all(sum(len(page[feature]) for page in blog_pages) > 50 for feature in ("list items", "code spans", "links"))


# --------------------------------------------------------------------------- no script on the blog

FIELDS = ["title", "item title", "summary", "insight label", "insight text", "footer"]
# How the workflow's (Korean) refusal names each field.
FIELD_NAMES = {"title": "제목", "item title": "항목 1의 제목", "summary": "항목 1의 요약",
               "insight label": "항목 1의 시사점 1 소제목", "insight text": "항목 1의 시사점 1", "footer": "맺음말"}


def carry(digest, field, text):
    if field in ("title", "footer"):
        setattr(digest, field, text)
        digest.save(update_fields=[field])
        return
    item = NewsItem.objects.get(digest=digest, position=0)
    if field in ("item title", "summary"):
        setattr(item, "title" if field == "item title" else field, text)
        item.save()
    else:
        insight = item.insights.order_by("position").first()
        setattr(insight, field.removeprefix("insight "), text)
        insight.save()


class Dialogs:
    def __init__(self, page):
        self.seen = []
        page.on("dialog", lambda dialog: (self.seen.append(dialog.message), dialog.dismiss()))


@pytest.mark.browser
def test_no_payload_runs_on_the_blog(tmp_path, settings, browser, editor, reviewer, publisher,
                                     django_capture_on_commit_callbacks):
    """Every kramdown payload of issue 9 in every field goes through the workflow: refused with the field
    named, or published and exported; all of them also written by the exporter alone (any other way in);
    then one Jekyll build, every page and the feed opened in Chromium."""
    site = blog(tmp_path, settings)
    published, refused = [], []
    for payload in KRAMDOWN_PAYLOADS:
        for field in FIELDS:
            digest = DigestFactory()
            carry(digest, field, f"앞 {payload} 뒤")
            try:
                digest = workflow.approve(workflow.submit(digest, editor), reviewer)
                with django_capture_on_commit_callbacks(execute=True):
                    digest = workflow.publish(digest, publisher)
                published.append(digest)
            except workflow.TransitionError as exc:
                assert FIELD_NAMES[field] in str(exc), (payload, field, str(exc))
                refused.append((payload, field))
                if field == "title" and jekyll.front_matter_html(payload):
                    continue  # no Markdown layer reaches the front matter: only the safety check keeps it out
                post = digest_to_post(with_content(Digest.objects.filter(pk=digest.pk)).get())
                # Never live, so at the address it would have had.
                (site / "_posts" / jekyll.post_filename(digest.date, digest.slug)).write_text(
                    jekyll.render(post), encoding="utf-8")
    # Attribute lists become text; HTML is refused in every field, links to refused addresses in
    # the Markdown ones (the post title is plain text to the layout: a link there is text).
    expected = {(p, f) for p in KRAMDOWN_PAYLOADS for f in FIELDS
                if jekyll.front_matter_html(p) or (jekyll.refused_links(p) and f != "title")}
    assert set(refused) == expected and len(published) == len(KRAMDOWN_PAYLOADS) * len(FIELDS) - len(expected)
    assert all((site / publishing.post_relpath(d)).exists() for d in published)
    build(site)

    pages = sorted((site / "_site").rglob("*.html"))
    assert len(pages) >= 6 * len(FIELDS) - 1
    for page_path in pages:
        assert problems(page_path.read_text(encoding="utf-8"), rel=False) == [], page_path
    feed = ET.parse(site / "_site" / "feed.xml").getroot()
    contents = [entry.text or "" for entry in feed.iter("{http://www.w3.org/2005/Atom}content")]
    assert contents and all(problems(content, rel=False) == [] for content in contents)

    context = browser.new_context()
    # Only the built files load: the payloads' own addresses go nowhere.
    context.route(lambda url: not url.startswith("file:"), lambda route: route.abort())
    page = context.new_page()
    dialogs = Dialogs(page)
    for path in [*pages, site / "_site" / "feed.xml"]:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        for element in page.locator("[tabindex], a").all()[:20]:
            element.focus()
    page.wait_for_timeout(300)
    context.close()
    assert dialogs.seen == []


def test_a_reference_naming_no_character_is_refused_before_it_stops_the_blogs_build(tmp_path, settings, editor,
                                                                                    reviewer, publisher):
    """kramdown stops the whole build, every post with it, on a surrogate reference in a header: the workflow refuses
    the text with its field named, and what the exporter alone would write shows why."""
    site = blog(tmp_path, settings)
    digest = DigestFactory()
    carry(digest, "item title", "제목 &#xD800;")
    with pytest.raises(workflow.TransitionError, match="항목 1의 제목에 '&#xD800;'"):
        workflow.publish(workflow.approve(workflow.submit(digest, editor), reviewer), publisher)
    assert not Digest.objects.get(pk=digest.pk).live_snapshot

    post = digest_to_post(with_content(Digest.objects.filter(pk=digest.pk)).get())
    (site / "_posts" / jekyll.post_filename(digest.date, digest.slug)).write_text(jekyll.render(post), encoding="utf-8")
    result = subprocess.run(["jekyll", "build", "--source", str(site), "--destination", str(site / "_site")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "Conversion error" in result.stdout + result.stderr
