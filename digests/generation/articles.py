"""Article pages of the stories offered to the writer: fetched with the feeds' guards, main text and metadata
extracted with trafilatura, language detected, kept with the entry (ArticlePage). A page that fails is
recorded and its story goes on with the feed's text."""
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from ..models import ArticlePage, FeedEntry
from . import fetch
from .fetch import FetchRefused as ArticleError  # a page fetched but unusable: `kind` becomes its status
from .urls import canonicalize

log = logging.getLogger(__name__)

ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
HTML_TYPES = ("text/html", "application/xhtml+xml")
# More undecodable characters than this share of a page: the charset it declares (or UTF-8) is not its own.
MAX_BAD_SHARE = 0.005
# Less main text than this is a cookie wall, a JavaScript shell or a paywall teaser.
MIN_TEXT = 150
MAX_LINKS = 50
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
TITLE_MAX = ArticlePage._meta.get_field("title").max_length
# A robots.txt is a few lines; reading one must not hold up the pages for long.
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_DEADLINE = 10.0


@dataclass
class Extracted:
    text: str
    title: str = ""
    author: str = ""
    site_name: str = ""
    published: str = ""
    language: str = ""
    truncated: bool = False
    links: list = field(default_factory=list)


def _charset(content_type, body):
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type or "", re.I)
    if match:
        return match.group(1)
    match = META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else "utf-8"


def decode(body, content_type=""):
    """The page as text under its declared charset (else UTF-8); ArticleError("bad_encoding") if that is not it."""
    charset = _charset(content_type, body)
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:
        raise ArticleError("bad_encoding", f"Unknown character encoding {charset!r}") from None
    bad = text.count("\ufffd")
    if bad > max(3, MAX_BAD_SHARE * len(text)):
        raise ArticleError("bad_encoding", f"{bad} of {len(text)} characters are not valid {charset}")
    return text


def detect_language(text):
    """ISO 639-1 code of the text's language ("" when too short to tell); offline (py3langid's bundled model)."""
    if len(text.strip()) < 20:
        return ""
    import py3langid

    return py3langid.classify(text[:3000])[0]


def outbound_links(document, page_url):
    """Canonical URLs the main text links to on other sites, in order."""
    if document is None or document.body is None:
        return []
    own = (urlsplit(page_url).hostname or "").removeprefix("www.")
    links = []
    for ref in document.body.iter("ref"):
        target = urljoin(page_url, ref.get("target") or "")
        host = (urlsplit(target).hostname or "").removeprefix("www.")
        if urlsplit(target).scheme in ("http", "https") and host and host != own:
            url = canonicalize(target)
            if url not in links:
                links.append(url)
    return links[:MAX_LINKS]


def extract(html, url, max_chars=None):
    """Main text and metadata of an HTML page; ArticleError("no_text") when it has no article in it."""
    import trafilatura

    max_chars = max_chars or settings.NEWSROOM_ARTICLE_MAX_CHARS
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_links=True,
                                           include_comments=False, include_tables=False, output_format="python")
    text = unicodedata.normalize("NFC", (document.text if document is not None else "") or "").strip()
    if len(text) < MIN_TEXT:
        raise ArticleError("no_text", f"No article text on the page ({len(text)} characters found; "
                                      "it may need JavaScript or a login)")
    truncated = len(text) > max_chars
    if truncated:
        cut = text.rfind("\n", 0, max_chars)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return Extracted(
        text=text, truncated=truncated, title=(document.title or "")[:TITLE_MAX], author=(document.author or "")[:300],
        site_name=(document.sitename or "")[:200], published=(document.date or "")[:40],
        language=detect_language(text), links=outbound_links(document, url),
    )


def page_from(entry_id, result):
    """An ArticlePage from a fetch result: the extracted article, or the failure and why."""
    page = ArticlePage(entry_id=entry_id, url=(result.final_url or result.url)[:2000], status=result.status,
                       error=result.error, http_status=result.http_status, content_type=result.content_type[:200],
                       elapsed=round(result.elapsed, 3), fetched_at=timezone.now())
    if result.status != "ok":
        return page
    try:
        media_type = result.content_type.split(";")[0].strip().lower()
        if media_type not in HTML_TYPES:
            raise ArticleError("not_html", f"Not an HTML page: {media_type or 'no content type'}")
        extracted = extract(decode(result.body or b"", result.content_type), page.url)
    except ArticleError as exc:
        page.status, page.error = exc.kind, str(exc)
        return page
    for name, value in vars(extracted).items():
        setattr(page, name, value)
    return page


def missing(entry_ids):
    """Those of the entries with a link whose page has not been read yet."""
    return list(FeedEntry.objects.filter(pk__in=entry_ids, article__isnull=True).exclude(url="")
                .select_related("source").order_by("id"))


def robots_refusals(entries):
    """{entry pk: why} for the pages their site's robots.txt asks our user agent not to read.

    One robots.txt per site, with the feeds' guards. A site whose robots.txt cannot be read (none,
    an error, a timeout) is read as allowing everything, as most crawlers do.
    """
    sites = {}
    for entry in entries:
        parts = urlsplit(entry.url)
        if parts.scheme in ("http", "https") and parts.netloc:
            sites.setdefault(f"{parts.scheme}://{parts.netloc}", []).append(entry)
    targets = [SimpleNamespace(pk=n, name=site, url=f"{site}/robots.txt", etag="", last_modified="")
               for n, site in enumerate(sites)]
    results = fetch.fetch_all(targets, deadline=min(ROBOTS_DEADLINE, settings.NEWSROOM_ARTICLE_DEADLINE),
                              max_bytes=ROBOTS_MAX_BYTES, accept="text/plain")
    refused = {}
    for (site, group), result in zip(sites.items(), results):
        if result.status != "ok" or result.http_status != 200 or not result.body:
            continue
        rules = RobotFileParser()
        rules.parse(result.body.decode("utf-8", errors="replace").splitlines())
        for entry in group:
            if not rules.can_fetch(settings.NEWSROOM_USER_AGENT, entry.url):
                refused[entry.pk] = _("%(site)s/robots.txt asks robots not to read this page: the story goes on "
                                      "with the feed's text.") % {"site": site}
    return refused


def fetch_pages(entries, *, progress=None):
    """Fetch and store the pages of `entries` (a few per host at once, within one deadline); their ArticlePages.

    Pages the site's robots.txt disallows are not fetched: they are recorded as "robots_disallowed".
    """
    entries = list(entries)
    if not entries:
        return []
    refused = robots_refusals(entries)
    pages = [ArticlePage(entry_id=e.pk, url=e.url[:2000], status="robots_disallowed", error=refused[e.pk],
                         fetched_at=timezone.now()) for e in entries if e.pk in refused]
    entries = [e for e in entries if e.pk not in refused]
    targets = [SimpleNamespace(pk=e.pk, name=e.source.name, url=e.url, etag="", last_modified="") for e in entries]
    if progress:
        progress(ngettext("reading %(count)d article page", "reading %(count)d article pages", len(targets))
                 % {"count": len(targets)})
    results = fetch.fetch_all(targets, deadline=settings.NEWSROOM_ARTICLE_DEADLINE,
                              max_bytes=settings.NEWSROOM_ARTICLE_MAX_BYTES, accept=ACCEPT)
    for entry, result in zip(entries, results):
        try:
            pages.append(page_from(entry.pk, result))
        except Exception as exc:  # an extractor bug on one page must not cost the draft
            log.exception("extracting %s failed", entry.url)
            pages.append(ArticlePage(entry_id=entry.pk, url=entry.url[:2000], status="extract_error",
                                     error=f"{type(exc).__name__}: {exc}", fetched_at=timezone.now()))
        result.body = None
    # Another process may have read one of them meanwhile: its page stands.
    ArticlePage.objects.bulk_create(pages, ignore_conflicts=True)
    for page in pages:
        if progress and page.status != "ok":
            progress(f"  {page.url}: {page.status} — {page.error}")
    return pages


def summary(pages):
    """What the generation run records: counts by status and each failure."""
    counts = {}
    for page in pages:
        counts[page.status] = counts.get(page.status, 0) + 1
    return {"counts": counts, "failed": [{"url": p.url, "status": p.status, "error": p.error[:300]}
                                         for p in pages if p.status != "ok"]}
