"""Public reader pages: live digests only, always rendered from their published snapshot."""
import bisect
import datetime as dt
import json
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import jekyll, readers
from . import search as site_search
from .cache import cache_page
from .markdown import plain_text
from .models import Digest, Series

PER_PAGE = 12


def live_digests():
    # Live address fields (issue 13): a reopened draft's new series, date or slug counts at republication.
    return Digest.objects.live().select_related("series", "live_series").order_by("-live_date", "live_series__slug")


def json_ld(data) -> str:
    """JSON for a <script type="application/ld+json"> block, with <, > and & escaped as json_script does."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026"))  # noqa: S308


def snapshot_date(digest) -> dt.datetime:
    return timezone.localtime(dt.datetime.fromisoformat(digest.live_snapshot["date"]), digest.live_series.tzinfo)


def snapshot_tags(snapshot) -> list[str]:
    tags = (snapshot.get("extra") or {}).get("tags") or []
    return [str(tag) for tag in tags] if isinstance(tags, list) else []


class Navigation(NamedTuple):
    series: list  # every Series, by slug: the site's header
    posts: dict  # live series id -> ([live date], [{"url", "live_title"}]) by date: a post's previous and next

    def neighbours(self, digest):
        """The live posts just before and after `digest`'s date in its live series (another post that day is neither)."""
        dates, links = self.posts.get(digest.live_series_id, ([], []))
        before, after = bisect.bisect_left(dates, digest.live_date), bisect.bisect_right(dates, digest.live_date)
        return (links[before - 1] if before else None), (links[after] if after < len(links) else None)


_navigation: tuple = (None, None)  # (site version, Navigation): one per process


def navigation(request) -> Navigation:
    """The header's series and every live post's address and title, read once per site version in each process.

    Every page shows them, and reading them afresh cost three of a digest page's five queries. The
    site version (generation and when it moved, which a rolled-back or restored generation number does
    not repeat) moves with every live change and every series edit, so the memo is never stale.
    """
    global _navigation
    version = getattr(request, "site_version", None) or readers.current()
    if _navigation[0] != version:
        posts = {}
        rows = Digest.objects.live().exclude(live_date=None).order_by("live_date", "pk").values_list(
            "live_series_id", "live_category", "live_date", "live_slug", "live_snapshot__title")
        for series_id, category, date, slug, title in rows:
            dates, links = posts.setdefault(series_id, ([], []))
            dates.append(date)
            links.append({"url": jekyll.permalink(category, date, slug), "live_title": title})
        _navigation = (version, Navigation(list(Series.objects.order_by("slug")), posts))
    return _navigation[1]


def _page(request, object_list):
    return Paginator(object_list, PER_PAGE).get_page(request.GET.get("page"))


def _listing(request, template, digests, require_any=False, **context):
    page = _page(request, digests)
    if require_any and not page.paginator.count:
        raise Http404("Nothing published here")
    context.update(
        page=page,
        cards=[card(d) for d in page.object_list],
        all_series=navigation(request).series,
    )
    return render(request, template, context)


def card(digest):
    snap = digest.live_snapshot
    return {
        "url": digest.get_absolute_url(),
        "title": snap["title"],
        "series": digest.live_series,
        "date": digest.live_date,
        "tags": snapshot_tags(snap),
        "headlines": [item["title"] for item in snap["items"]],
    }


# Pages -----------------------------------------------------------------------------


@cache_page
def home(request):
    digests = live_digests()
    series = None
    if request.GET.get("series"):
        series = get_object_or_404(Series, slug=request.GET["series"])
        digests = digests.in_live_series(series)
    return _listing(request, "digests/home.html", digests, current_series=series)


@cache_page
def category(request, category):
    series = get_object_or_404(Series, jekyll_category=category)
    return _listing(request, "digests/list.html", live_digests().in_live_series(series),
                    heading=series.name, current_series=series, feed_url=f"/{series.jekyll_category}/feed.xml")


@cache_page
def archive(request, year, month):
    try:
        start = dt.date(int(year), int(month), 1)
    except ValueError:
        raise Http404("No such month") from None
    digests = live_digests().filter(live_date__year=start.year, live_date__month=start.month)
    return _listing(request, "digests/list.html", digests, require_any=True,
                    heading=_("Archive of %(month)s") % {"month": date_format(start, "YEAR_MONTH_FORMAT")})


def _tagged(tag):
    if connection.vendor == "postgresql":
        return live_digests().filter(live_snapshot__extra__tags__contains=[tag])
    # SQLite has no JSON containment: narrow by the stored JSON text, then check exactly. Rows stored
    # before migration 0018 spell Korean as \uXXXX escapes, later ones as it is.
    needles = Q(raw__contains=json.dumps(tag, ensure_ascii=False)) | Q(raw__contains=json.dumps(tag))
    rows = live_digests().alias(raw=Cast("live_snapshot", TextField())).filter(needles)
    return [d for d in rows if tag in snapshot_tags(d.live_snapshot)]


@cache_page
def tag(request, tag):
    return _listing(request, "digests/list.html", _tagged(tag), require_any=True, heading=f"#{tag}", tag=tag)


@cache_page
def search(request):
    query = " ".join(request.GET.get("q", "").split())[:200]
    terms = site_search.query_terms(query)
    page = _page(request, site_search.ranked_ids(terms))
    found = {d.pk: d for d in live_digests().filter(pk__in=page.object_list).annotate(search_text=F("search__text"))}
    cards = [{**card(found[pk]), "snippet": site_search.snippet(found[pk].search_text or "", terms)}
             for pk in page.object_list if pk in found]
    return render(request, "digests/search.html", {
        "page": page, "cards": cards, "all_series": navigation(request).series, "query": query,
        "heading": _("Search"),
    })


@cache_page
def digest_detail(request, category, year, month, day, slug):
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise Http404("No such date") from None
    # By the live version's address (issue 13), which keeps the early posts' "news" category too.
    # One row: no ordering, and only the series readers see it in.
    # Only what the page shows: the row also holds the generated draft and its provenance, JSON
    # that would be decoded on every request for nothing.
    digest = get_object_or_404(Digest.objects.select_related("live_series").only(
        "live_snapshot", "live_date", "live_slug", "live_category", "live_changed_at", "published_at",
        "live_series__name", "live_series__jekyll_category", "live_series__timezone",
    ).at_live_url(category, date, slug))
    snap = digest.live_snapshot
    site = navigation(request)
    previous, following = site.neighbours(digest)
    first_summary = snap["items"][0]["summary"] if snap["items"] else ""
    description = plain_text(first_summary)
    published = snapshot_date(digest)
    changed = digest.live_modified_at
    modified = timezone.localtime(changed, digest.live_series.tzinfo) if changed else published
    url = settings.SITE_URL + digest.get_absolute_url()
    return render(request, "digests/digest.html", {
        "digest": digest,
        "post": snap,
        "post_date": published,
        "modified_date": max(modified, published),
        "tags": snapshot_tags(snap),
        "description": description,
        # What jekyll-seo-tag writes for a post.
        "json_ld": json_ld({
            "@context": "https://schema.org", "@type": "BlogPosting",
            "dateModified": max(modified, published).isoformat(), "datePublished": published.isoformat(),
            "description": description, "headline": snap["title"],
            "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "url": url,
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        }),
        "previous": previous,
        "next": following,
        "all_series": site.series,
        "current_series": digest.live_series,
        "feed_url": f"/{category}/feed.xml",
    })


@cache_page
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /markdownx/", "Disallow: /search/",
             f"Sitemap: {settings.SITE_URL}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
