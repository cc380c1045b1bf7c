"""A feed server with routes that misbehave on purpose (slow, huge, looping, redirecting away) and an RSS builder."""
import datetime as dt
import hashlib
import html
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from xml.sax.saxutils import escape

from .http import LocalServer, QuietHandler


def rss(items, title="Fixture feed", encoding="utf-8"):
    """RSS 2.0 bytes; items are dicts with title, link, and optional guid, description, published (aware datetime)."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>'
             "<link>https://example.com/</link><description>fixture</description>"]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>")
        parts.append(f"<guid>{escape(item.get('guid') or item['link'])}</guid>")
        if item.get("description"):
            parts.append(f"<description>{escape(item['description'])}</description>")
        if item.get("published"):
            parts.append(f"<pubDate>{format_datetime(item['published'])}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def stories(prefix, count, published, link_base="https://news.example.com", step_minutes=10):
    """`count` distinct stories named after `prefix`, the newest at `published`."""
    def word(n):  # keeps titles of different feeds apart, so they are not merged as one story
        return hashlib.sha1(f"{prefix}-{n}".encode()).hexdigest()[:10]

    return [
        {"title": f"{prefix} story {n} about {word(n)} chips and clouds", "link": f"{link_base}/{prefix}/{n}?utm_source=rss",
         "description": f"<p>{prefix} story {n}. It explains what happened. More details follow.</p>",
         "published": published - dt.timedelta(minutes=step_minutes * n)}
        for n in range(count)
    ]


def article_page(title, paragraphs, *, author="", site="", published="", links=(), lang="en", charset="utf-8"):
    """An article's HTML page as news sites serve it: navigation, the article (paragraphs, links), a footer."""
    refs = "".join(f'<p>See also <a href="{html.escape(url)}">{html.escape(text)}</a>.</p>' for text, url in links)
    meta = "".join([
        f'<meta name="author" content="{html.escape(author)}">' if author else "",
        f'<meta property="og:site_name" content="{html.escape(site)}">' if site else "",
        f'<meta property="article:published_time" content="{published}">' if published else "",
    ])
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="{charset}"><title>{html.escape(title)}</title>{meta}'
            f'</head><body><nav><a href="/">Home</a> <a href="/tech">Tech</a> <a href="/login">Sign in</a></nav>'
            f"<article><h1>{html.escape(title)}</h1>{body}{refs}</article>"
            "<footer><p>Copyright. All rights reserved.</p><a href=\"/privacy\">Privacy</a></footer></body></html>"
            ).encode(charset)


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    delay: float = 0.0
    headers: dict = field(default_factory=dict)
    redirect: str = ""  # a Location: answer 302 with it
    stream_bytes: int = 0  # answer this many bytes, without Content-Length, in 64 KiB chunks
    etag: str = ""  # answer 304 to a request that already has it


class FeedHandler(QuietHandler):
    def do_GET(self):
        owner = self.server.owner
        owner.requests.append((self.path, dict(self.headers)))
        started = time.monotonic()
        try:
            return self.answer(owner)
        finally:
            owner.spans.append((self.path, started, time.monotonic()))

    def answer(self, owner):
        route = owner.routes.get(self.path)
        if route is None:
            return self.send_body(404, b"not found", "text/plain")
        if route.delay:
            time.sleep(route.delay)
        if route.redirect:
            return self.send_body(302, b"", "text/plain", {"Location": route.redirect})
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.end_headers()
            return None
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
        if route.stream_bytes:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.end_headers()
            chunk = b"<!-- padding -->" * 4096
            sent = 0
            try:
                while sent < route.stream_bytes:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            owner.streamed[self.path] = sent
            return None
        return self.send_body(route.status, route.body, route.content_type, headers)


class FeedServer(LocalServer):
    handler = FeedHandler

    def __init__(self, host="127.0.0.1", port=0):
        super().__init__(host, port)
        self.routes = {}
        self.requests = []
        self.streamed = {}
        self.spans = []  # (path, start, end) of every answered request

    def most_at_once(self, prefix):
        """The most requests for paths under `prefix` that were being answered at the same moment."""
        spans = [(start, end) for path, start, end in self.spans if path.startswith(prefix)]
        return max((sum(1 for s, e in spans if s <= start < e) for start, _ in spans), default=0)

    def add(self, path, route=None, **kwargs):
        self.routes[path] = route or Route(**kwargs)
        return self.url(path)

    def url(self, path):
        return self.base_url + path
