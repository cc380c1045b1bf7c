"""Public reader pages: live digests only, always rendered from their published snapshot."""
import datetime as dt
import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Func, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from . import jekyll
from .cache import cache_page
from .markdown import plain_text
from .models import Digest, Series

PER_PAGE = 12
MAX_QUERY_WORDS = 8


def live_digests():
    # Live address fields (issue 13): a reopened draft's new series, date or slug counts at republication.
    return Digest.objects.live().select_related("series", "live_series").order_by("-live_date", "live_series__slug")


def snapshot_date(digest) -> dt.datetime:
    return timezone.localtime(dt.datetime.fromisoformat(digest.live_snapshot["date"]), digest.series.tzinfo)


def snapshot_tags(snapshot) -> list[str]:
    tags = (snapshot.get("extra") or {}).get("tags") or []
    return [str(tag) for tag in tags] if isinstance(tags, list) else []


def snapshot_text(value) -> str:
    """Every string in a snapshot, as the reader could find it on the page."""
    if isinstance(value, dict):
        return "\n".join(snapshot_text(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(snapshot_text(v) for v in value)
    return value if isinstance(value, str) else ""


def _page(request, object_list):
    return Paginator(object_list, PER_PAGE).get_page(request.GET.get("page"))


def _listing(request, template, digests, require_any=False, **context):
    page = _page(request, digests)
    if require_any and not page.paginator.count:
        raise Http404("Nothing published here")
    context.update(
        page=page,
        cards=[card(d) for d in page.object_list],
        all_series=list(Series.objects.order_by("slug")),
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
    return _listing(request, "digests/list.html", digests, require_any=True, heading=f"{start:%Y년 %m월} 아카이브")


def _tagged(tag):
    if connection.vendor == "postgresql":
        return live_digests().filter(live_snapshot__extra__tags__contains=[tag])
    # SQLite has no JSON containment: narrow by the stored JSON text, then check exactly.
    needle = json.dumps(tag)
    rows = live_digests().alias(raw=Cast("live_snapshot", TextField())).filter(raw__contains=needle)
    return [d for d in rows if tag in snapshot_tags(d.live_snapshot)]


@cache_page
def tag(request, tag):
    return _listing(request, "digests/list.html", _tagged(tag), require_any=True, heading=f"#{tag}", tag=tag)


def search_live(query):
    """Live digests whose published text matches every word of the query, best first."""
    words = query.split()[:MAX_QUERY_WORDS]
    if not words:
        return []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

        # to_tsvector(jsonb) indexes the string values only, not the snapshot's keys.
        vector = Func(F("live_snapshot"), template="to_tsvector('simple'::regconfig, %(expressions)s)",
                      output_field=SearchVectorField())
        # Prefix matching: Korean attaches particles to words (뉴스를, 뉴스는).
        raw = " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "':*" for w in words)
        tsquery = SearchQuery(raw, search_type="raw", config="simple")
        return (
            live_digests().annotate(document=vector, rank=SearchRank(vector, tsquery))
            .filter(document=tsquery).order_by("-rank", "-date")
        )
    # SQLite stores JSON with \u escapes: match the escaped form, then check the real text.
    rows = live_digests().alias(raw=Cast("live_snapshot", TextField()))
    for word in words:
        rows = rows.filter(raw__icontains=json.dumps(word)[1:-1])
    lowered = [w.lower() for w in words]
    return [d for d in rows if all(w in snapshot_text(d.live_snapshot).lower() for w in lowered)]


@cache_page
def search(request):
    query = " ".join(request.GET.get("q", "").split())[:200]
    return _listing(request, "digests/search.html", search_live(query), query=query, heading="검색")


@cache_page
def digest_detail(request, category, year, month, day, slug):
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise Http404("No such date") from None
    # By the live version's address (issue 13), which keeps the early posts' "news" category too.
    digest = get_object_or_404(live_digests().at_live_url(category, date, slug))
    snap = digest.live_snapshot
    siblings = Digest.objects.in_live_series(digest.live_series_id).values(
        "live_date", "live_slug", "live_category", live_title=KT("live_snapshot__title"))
    previous = siblings.filter(live_date__lt=date).order_by("-live_date").first()
    following = siblings.filter(live_date__gt=date).order_by("live_date").first()
    for neighbour in (previous, following):
        if neighbour:
            neighbour["url"] = jekyll.permalink(neighbour["live_category"], neighbour["live_date"],
                                                neighbour["live_slug"])
    first_summary = snap["items"][0]["summary"] if snap["items"] else ""
    return render(request, "digests/digest.html", {
        "digest": digest,
        "post": snap,
        "post_date": snapshot_date(digest),
        "tags": snapshot_tags(snap),
        "description": plain_text(first_summary),
        "previous": previous,
        "next": following,
        "all_series": list(Series.objects.order_by("slug")),
        "current_series": digest.live_series,
        "feed_url": f"/{category}/feed.xml",
    })


def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /markdownx/", "Disallow: /search/",
             f"Sitemap: {settings.SITE_URL}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
