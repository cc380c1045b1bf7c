"""Markdown from digests to HTML for the reader site, sanitized with nh3 (no scripts, handlers or unsafe URLs)."""
import html
import re
import threading

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


# Text without any of these, on one line, renders to itself: Markdown is skipped (most titles and insights).
_MARKUP = re.compile(r"[\\`*_\[\]<>&!~|{}#]|^[\s>+\-=\d]|\n|\s$|https?:|www\.|@")
_local = threading.local()


def _markdown(text: str) -> str:
    # One parser per thread, reset between texts: building one costs more than converting a title.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = md.Markdown(extensions=EXTENSIONS, output_format="html")
    return parser.reset().convert(text)


def clean(html: str) -> SafeString:
    return mark_safe(  # noqa: S308 - nh3 output is the sanitized HTML
        nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL)
    )


def render(text: str) -> SafeString:
    """A block of Markdown (a summary) as sanitized HTML."""
    text = text or ""
    if text and not _MARKUP.search(text):
        return mark_safe(f"<p>{html.escape(text, quote=False)}</p>")  # noqa: S308 - escaped plain text
    return clean(_markdown(text))


def render_inline(text: str) -> SafeString:
    """One line of Markdown (a title, a label, an insight) as sanitized HTML without the paragraph."""
    text = text or ""
    if not _MARKUP.search(text):
        return mark_safe(html.escape(text, quote=False))  # noqa: S308 - escaped plain text
    out = _markdown(text).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return clean(out)


def safe_url(url: str) -> str:
    """The URL if it is http(s) or mailto, else '' (a javascript: source link never becomes a link)."""
    url = (url or "").strip()
    return url if _SAFE_URL.match(url) else ""


def plain_text(text: str, limit: int | None = 200) -> str:
    """Markdown as plain text, for descriptions (OpenGraph, feed summaries); limit None: all of it."""
    # Unescaped again: templates escape it once more on output.
    text = " ".join(html.unescape(nh3.clean(_markdown(text or ""), tags=set())).split())
    return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"
