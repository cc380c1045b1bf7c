"""Markdown from digests to HTML for the reader site, sanitized with nh3 (no scripts, handlers or unsafe URLs)."""
import html
import re

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["markdown.extensions.extra", "markdown.extensions.sane_lists"]
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "code", "pre", "blockquote",
    "h4", "h5", "h6", "hr", "del", "sup", "sub", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow"
_SAFE_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def clean(html: str) -> SafeString:
    return mark_safe(  # noqa: S308 - nh3 output is the sanitized HTML
        nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL)
    )


def render(text: str) -> SafeString:
    """A block of Markdown (a summary) as sanitized HTML."""
    return clean(md.markdown(text or "", extensions=EXTENSIONS, output_format="html"))


def render_inline(text: str) -> SafeString:
    """One line of Markdown (a title, a label, an insight) as sanitized HTML without the paragraph."""
    html = md.markdown(text or "", extensions=EXTENSIONS, output_format="html").strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return clean(html)


def safe_url(url: str) -> str:
    """The URL if it is http(s) or mailto, else '' (a javascript: source link never becomes a link)."""
    url = (url or "").strip()
    return url if _SAFE_URL.match(url) else ""


def plain_text(text: str, limit: int = 200) -> str:
    """Markdown as plain text, for descriptions (OpenGraph, feed summaries)."""
    # Unescaped again: templates escape it once more on output.
    text = " ".join(html.unescape(nh3.clean(md.markdown(text or "", extensions=EXTENSIONS), tags=set())).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
