"""XSS: payloads in every text field of a published digest come out inert on every public page and feed."""
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.core.cache import cache

from digests.models import Digest, Insight, NewsItem
from digests.posts import digest_snapshot, with_content
from digests.tests.live import live_digest

pytestmark = pytest.mark.django_db

# Each payload sets window.__xss (and opens a dialog) if it ever runs in a browser.
PAYLOADS = [
    "<script>window.__xss=1;alert(1)</script>",
    '<img src=x onerror="window.__xss=1;alert(1)">',
    '<svg onload="window.__xss=1;alert(1)"><circle r="1"/></svg>',
    "[click me](javascript:window.__xss=1;alert(1))",
    '<a href="javascript:window.__xss=1;alert(1)">link</a>',
    '"><script>window.__xss=1</script><b x="',
    "'><img src=x onerror=window.__xss=1>",
    '<iframe src="javascript:window.__xss=1;alert(1)"></iframe>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<details open ontoggle=window.__xss=1>x</details>",
    "![img](x\" onerror=\"window.__xss=1)",
    "<style>body{background:url(javascript:window.__xss=1)}</style>",
]
# Kramdown syntax that turned approved text into script on the blog (issue 9).
KRAMDOWN_PAYLOADS = [
    '![i](https://x.invalid/x.png){: onerror="alert(1)"}',
    '**x**{: tabindex="0" autofocus="" onfocus="alert(1)"}',
    '[l](https://ok.example){: onclick="alert(1)"}',
    "[t](java&#9;script:alert(1))",
    "[c](javascript&colon;alert(1))",
    "x <img src=x onerror=alert(1)//",
]
PAYLOADS += KRAMDOWN_PAYLOADS
BAD_URL = "javascript:window.__xss=1;alert(1)//https://example.com"


def payload(n):
    return f"텍스트 {PAYLOADS[n % len(PAYLOADS)]} 끝"


def xss_digest(series):
    """A published digest carrying a payload in every text field, its live version included."""
    digest = live_digest(series=series)
    Digest.objects.filter(pk=digest.pk).update(title=payload(0), footer=payload(1))
    n = 2
    urls = [BAD_URL, "https://example.com/ok\"><script>window.__xss=1</script>", "https://example.com/ok?a=1&b=2"]
    for position, item in enumerate(NewsItem.objects.filter(digest=digest)):
        item.title, item.summary = payload(n), f"{payload(n + 1)}\n\n{payload(n + 2)}"
        item.save()
        item.sources.update(url=urls[position % len(urls)])
        for insight in Insight.objects.filter(news_item=item):
            insight.label, insight.text = payload(n + 3), payload(n + 4)
            insight.save()
            n += 2
        n += 3
    digest.tags.add('<svg onload=window.__xss=1>', '"><script>window.__xss=1</script>')
    snapshot = digest_snapshot(with_content(Digest.objects.filter(pk=digest.pk)).get())
    Digest.objects.filter(pk=digest.pk).update(live_snapshot=snapshot)
    digest.refresh_from_db()
    cache.clear()
    return digest


class Inspector(HTMLParser):
    """Collects everything in a document that could run script (and, on our site, links without rel)."""

    def __init__(self, rel=True):
        super().__init__()
        self.problems, self.rel = [], rel

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "svg", "object", "embed", "style", "img", "details", "math"):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value:
                scheme = value.strip().lower().split(":", 1)[0]
                if ":" in value and scheme not in ("http", "https", "mailto"):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            if self.rel and tag == "a" and name == "href" and value and value.startswith("http"):
                rel = dict(attrs).get("rel", "")
                if "noopener" not in rel or "nofollow" not in rel:
                    self.problems.append(f"link {value!r} without rel=noopener nofollow")


def problems(markup, rel=True):
    inspector = Inspector(rel)
    inspector.feed(markup)
    inspector.close()
    return inspector.problems


def test_payloads_are_inert_on_every_page(client, tech):
    digest = xss_digest(tech)
    urls = [digest.get_absolute_url(), "/", "/tech/", f"/archive/{digest.date:%Y/%m}/", "/search/?q=텍스트",
            "/search/?q=" + quote("<script>window.__xss=1</script>"),
            "/tags/" + quote("<svg onload=window.__xss=1>", safe="") + "/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert problems(response.content.decode()) == [], url
    page = client.get(digest.get_absolute_url()).content.decode()
    # Neutralised, not lost: the text is still there, escaped.
    assert "&lt;script&gt;window.__xss=1;alert(1)&lt;/script&gt;" in page  # the title is plain text
    # A refused link is text, on the blog as here: no href anywhere but http(s).
    assert "[click me](javascript:window.__xss=1;alert(1))" in page and 'href="javascript' not in page.lower()
    assert "🔗 원문 기사 보기" in page


def test_feed_content_is_sanitized_html(client, tech):
    digest = xss_digest(tech)
    root = ET.fromstring(client.get("/feed.xml").content)
    atom = "{http://www.w3.org/2005/Atom}"
    entry = root.find(f"{atom}entry")
    content = entry.find(f"{atom}content")
    assert content.get("type") == "html" and problems(content.text) == []
    # Title and summary are Atom text constructs: readers show them as text, never as markup.
    assert entry.find(f"{atom}title").get("type") in (None, "text")
    assert entry.find(f"{atom}title").text == digest.live_snapshot["title"]
