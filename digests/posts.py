"""Adapts digests to the pure `jekyll` module's Post, and Posts to the JSON snapshots readers see."""
import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from . import jekyll
from .models import Digest, Insight, ItemSource, NewsItem


def with_content(queryset):
    """Prefetch what digest_to_post reads: a fixed number of queries whatever the digest count."""
    return queryset.select_related("series").prefetch_related(
        "tags",
        Prefetch(
            "items",
            queryset=NewsItem.objects.order_by("position", "id").prefetch_related(
                Prefetch("insights", queryset=Insight.objects.order_by("position", "id")),
                Prefetch("sources", queryset=ItemSource.objects.order_by("position", "id")),
            ),
        ),
    )


def post_date(digest: Digest) -> dt.datetime:
    """The front matter date: published_at in the series' zone, or the series' scheduled time that day."""
    tz = digest.series.tzinfo
    if digest.published_at is not None:
        return timezone.localtime(digest.published_at, tz)
    return dt.datetime.combine(digest.date, digest.series.schedule_time, tzinfo=tz)


def publication_time(digest: Digest, now: dt.datetime) -> dt.datetime:
    """The front matter date for a first publication at `now`.

    Jekyll builds the post's permalink from this date (in the blog's zone, Asia/Seoul),
    while the file name and our URL use the digest's date: a digest published on
    another day keeps a time on its own date, so all three stay the same link.
    """
    tz = digest.series.tzinfo
    local = timezone.localtime(now, tz)
    if local.date() == digest.date:
        return now
    if local.date() > digest.date:
        return dt.datetime.combine(digest.date, dt.time(23, 59, 59), tzinfo=tz)
    return dt.datetime.combine(digest.date, dt.time(0, 0), tzinfo=tz)


def digest_to_post(digest: Digest) -> jekyll.Post:
    """The digest's current content as a Post (uses prefetched items and tags when present)."""
    tags = sorted(tag.name for tag in digest.tags.all())
    return jekyll.Post(
        title=digest.title,
        date=post_date(digest),
        categories=digest.jekyll_category,
        layout=digest.series.layout,
        items=[
            jekyll.Item(
                title=item.title,
                summary=item.summary,
                insights=[jekyll.Insight(label=i.label, text=i.text) for i in item.insights.all()],
                sources=[jekyll.Source(url=s.url, name=s.name) for s in item.sources.all()],
            )
            for item in digest.items.all()
        ],
        footer=digest.footer or None,
        extra={"tags": tags} if tags else {},
    )


def post_to_snapshot(post: jekyll.Post) -> dict:
    """A JSON-safe dict of a Post, stored as a digest's live (or generated) version."""
    return {
        "title": post.title,
        "date": post.date.isoformat(),
        "categories": post.categories,
        "layout": post.layout,
        "footer": post.footer,
        "extra": dict(post.extra),
        "items": [
            {
                "title": item.title,
                "summary": item.summary,
                "sources": [{"url": s.url, "name": s.name} for s in item.sources],
                "insights": [{"label": i.label, "text": i.text} for i in item.insights],
            }
            for item in post.items
        ],
    }


def snapshot_to_post(snapshot: dict) -> jekyll.Post:
    return jekyll.Post(
        title=snapshot["title"],
        date=dt.datetime.fromisoformat(snapshot["date"]),
        categories=snapshot["categories"],
        layout=snapshot.get("layout", "default"),
        footer=snapshot.get("footer"),
        extra=dict(snapshot.get("extra") or {}),
        items=[
            jekyll.Item(
                title=item["title"],
                summary=item["summary"],
                sources=[jekyll.Source(url=s["url"], name=s.get("name", "")) for s in item["sources"]],
                insights=[jekyll.Insight(label=i["label"], text=i["text"]) for i in item["insights"]],
            )
            for item in snapshot["items"]
        ],
    )


def digest_snapshot(digest: Digest) -> dict:
    return post_to_snapshot(digest_to_post(digest))
