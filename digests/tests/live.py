"""Test data for the public side: digests with a published (live) version, set up directly."""
import datetime as dt

from digests import readers
from digests.models import Digest, Status
from digests.posts import digest_snapshot, with_content
from digests.tests.factories import DigestFactory


def live_digest(status=Status.PUBLISHED, tags=(), published_at=None, **kwargs):
    """A complete digest whose live version is its current content (as publishing leaves it)."""
    digest = DigestFactory(**kwargs)
    if tags:
        digest.tags.add(*tags)
    digest.published_at = published_at or dt.datetime.combine(digest.date, dt.time(9, 30), tzinfo=digest.series.tzinfo)
    Digest.objects.filter(pk=digest.pk).update(published_at=digest.published_at)
    snapshot = digest_snapshot(with_content(Digest.objects.filter(pk=digest.pk)).get())
    Digest.objects.filter(pk=digest.pk).update(status=status, live_snapshot=snapshot, live_series=digest.series,
                                               live_date=digest.date, live_slug=digest.slug,
                                               live_category=digest.jekyll_category)
    readers.live_changed([digest.pk])  # a queryset update sends no post_save
    digest.refresh_from_db()
    return digest
