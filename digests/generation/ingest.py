"""Parse fetched feeds with feedparser and store their entries and each source's fetch state."""
import calendar
import datetime as dt
import hashlib
import html
import re

import feedparser
import nh3
from django.db import transaction
from django.utils import timezone

from ..models import FeedEntry, Source
from .urls import canonicalize

SPACES = re.compile(r"\s+")
HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"']+)["']""", re.I)
MAX_LINKS = 20
TITLE_MAX = FeedEntry._meta.get_field("title").max_length
GUID_MAX = FeedEntry._meta.get_field("guid").max_length
URL_MAX = FeedEntry._meta.get_field("url").max_length
SUMMARY_MAX = 4000


class FeedError(Exception):
    """A feed body that cannot be used; `kind` becomes the source's last status."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def plain_text(value):
    """HTML (or text) as one line of plain text."""
    if not value:
        return ""
    text = html.unescape(nh3.clean(value, tags=set()))
    return SPACES.sub(" ", text).strip()


def outbound_links(summary_html, link):
    """Canonical URLs the entry's text links to on other sites (GeekNews links to the article it retells)."""
    from urllib.parse import urljoin, urlsplit

    own = (urlsplit(link).hostname or "").removeprefix("www.")
    links = []
    for href in HREF.findall(summary_html or ""):
        target = urljoin(link, html.unescape(href))
        host = (urlsplit(target).hostname or "").removeprefix("www.")
        if urlsplit(target).scheme in ("http", "https") and host and host != own:
            url = canonicalize(target)[:URL_MAX]
            if url not in links:
                links.append(url)
    return links[:MAX_LINKS]


def _when(entry):
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.timezone.utc)
    return None


def parse(body, content_type=""):
    """Entries as dicts ready for FeedEntry; raises FeedError for malformed, mis-encoded or empty feeds."""
    parsed = feedparser.parse(body, response_headers={"content-type": content_type} if content_type else None)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, (feedparser.CharacterEncodingOverride, feedparser.CharacterEncodingUnknown)):
        # Decoding under another charset than the declared one yields mojibake titles: refuse rather than store them.
        raise FeedError("bad_encoding", f"Wrong character encoding: {problem}")
    if parsed.bozo and problem is not None and not isinstance(problem, feedparser.NonXMLContentType):
        line = getattr(problem, "getLineNumber", lambda: None)()
        where = f" at line {line}" if line else ""
        raise FeedError("malformed", f"Malformed feed XML{where}: {problem}")
    if not parsed.version and not parsed.entries:
        raise FeedError("malformed", "Not an RSS or Atom feed")
    entries = []
    for entry in parsed.entries:
        title = plain_text(entry.get("title"))
        link = (entry.get("link") or "").strip()
        if not title and not link:
            continue
        guid = (entry.get("id") or link or hashlib.sha256(title.encode()).hexdigest())[:GUID_MAX]
        summary = entry.get("summary") or ""
        if not summary and entry.get("content"):
            summary = entry["content"][0].get("value", "")
        entries.append({
            "guid": guid,
            "url": link[:URL_MAX],
            "canonical_url": canonicalize(link)[:URL_MAX],
            "title": (title or link)[:TITLE_MAX],
            "summary": plain_text(summary)[:SUMMARY_MAX],
            "published_at": _when(entry),
            "links": outbound_links(summary, link),
        })
    if not entries:
        raise FeedError("empty", "The feed has no entries")
    return entries


def store_entries(source, entries, now=None):
    """Insert new entries and refresh known ones (by guid); returns how many were new."""
    now = now or timezone.now()
    guids = {e["guid"] for e in entries}
    known = set(FeedEntry.objects.filter(source=source, guid__in=guids).values_list("guid", flat=True))
    unique = {e["guid"]: e for e in entries}
    FeedEntry.objects.bulk_create(
        [FeedEntry(source=source, fetched_at=now, **e) for e in unique.values()],
        update_conflicts=True,
        unique_fields=["source", "guid"],
        update_fields=["url", "canonical_url", "title", "summary", "published_at", "links"],
        batch_size=500,
    )
    return len(guids - known)


def record(source, result, now=None):
    """Store a fetch result: the entries of a good body, and the source's fetch state either way."""
    now = now or timezone.now()
    state = {"last_fetched_at": now, "last_status": result.status, "last_error": result.error}
    with transaction.atomic():
        if result.status == "ok":
            try:
                entries = parse(result.body or b"", result.content_type)
            except FeedError as exc:
                result.status, result.error = exc.kind, str(exc)
                state.update(last_status=exc.kind, last_error=str(exc))
            else:
                result.entries_seen = len(entries)
                result.entries_new = store_entries(source, entries, now)
                # Only a feed we could use may skip the next download.
                state.update(etag=result.etag[:500], last_modified=result.last_modified[:100])
        # update() rather than save(): an editor may be changing the name or weight in the admin meanwhile.
        Source.objects.filter(pk=source.pk).update(**state)
    result.body = None
    for key, value in state.items():
        setattr(source, key, value)
    return result


def load_directory(series, directory, anchor, now=None):
    """The offline demo: read <directory>/<series slug>/<source host>.xml as if just fetched.

    Entry dates are shifted together so the newest one falls at `anchor`: the sample files keep
    their relative ages but always land in the window of the day being generated.
    """
    from pathlib import Path
    from urllib.parse import urlsplit

    from .fetch import FetchResult

    folder = Path(directory).resolve() / series.slug
    if not folder.is_dir():
        raise FileNotFoundError(f"No sample feeds for series {series.slug!r}: expected the folder {folder}")
    sources = {urlsplit(s.url).hostname: s for s in series.sources.filter(active=True)}
    parsed, results = [], []
    for path in sorted(folder.glob("*.xml")):
        source = sources.get(path.stem)
        if source is None:
            raise FileNotFoundError(
                f"{path.name}: no active {series.slug} source has the host {path.stem!r} "
                f"(known: {', '.join(sorted(sources))})"
            )
        result = FetchResult(source_id=source.pk, source_name=source.name, url=path.as_uri(), final_url=path.as_uri())
        try:
            entries = parse(path.read_bytes())
        except FeedError as exc:
            result.status, result.error = exc.kind, f"{path}: {exc}"
            record(source, result, now)
            results.append(result)
            continue
        parsed.append((source, result, entries))
    dates = [e["published_at"] for _, _, entries in parsed for e in entries if e["published_at"]]
    shift = (anchor - max(dates)) if dates else dt.timedelta(0)
    for source, result, entries in parsed:
        for entry in entries:
            entry["published_at"] = entry["published_at"] + shift if entry["published_at"] else anchor
        with transaction.atomic():
            result.entries_seen = len(entries)
            result.entries_new = store_entries(source, entries, now)
            Source.objects.filter(pk=source.pk).update(
                last_fetched_at=now or timezone.now(), last_status="ok", last_error=""
            )
        results.append(result)
    return results
