"""What readers see changed: the search index follows and the site's generation moves, in the same transaction."""
import contextlib
import datetime as dt
import logging
import threading

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from . import queue, search
from .models import SiteVersion

log = logging.getLogger(__name__)

SITE = 1  # the one SiteVersion row


_local = threading.local()


def live_changed(digest_ids=(), *, index_later=False) -> None:
    """Reindex these digests and bump the generation; call inside the transaction that changed their live versions.

    The generation lives in the database, not in the page cache: a cache that loses keys or restarts from
    an old snapshot cannot bring back a page of an earlier generation, and a rolled-back change bumps nothing.
    With `index_later` (a bulk import) the Korean analysis, 10-25 ms a post, is left to a task queued
    once this commits; the beat's sweep catches what a broker outage lost.
    """
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.update(digest_ids)
        pending.add(None)  # something changed, even if no digest is named
        return
    if index_later:
        ids = list(digest_ids)
        transaction.on_commit(lambda: _queue_index(ids))
    else:
        search.index(digest_ids)
    _bump()
    log.info("live version changed (%s)", ", ".join(map(str, digest_ids)) or "all")


def _bump():
    now = timezone.now()
    if not SiteVersion.objects.filter(pk=SITE).update(generation=F("generation") + 1, changed_at=now):
        SiteVersion.objects.update_or_create(pk=SITE, defaults={"generation": 1, "changed_at": now})


def _queue_index(digest_ids):
    queue.send("digests.tasks.index_search", digest_ids)


def reindex(digest_ids=None) -> None:
    """Bring the search index in line with the live versions (these digests', or every one's) and, since
    search pages may have been cached meanwhile, bump the generation when anything changed."""
    from .models import Digest, SearchDocument

    if digest_ids is None:
        digest_ids = set(Digest.objects.live().values_list("pk", flat=True))
        digest_ids |= set(SearchDocument.objects.values_list("digest_id", flat=True))
    if search.index(sorted(digest_ids)):
        _bump()


@contextlib.contextmanager
def deferred():
    """Inside, live changes are only noted; on leaving, one bump, and one queued reindex (one analyser call).

    For bulk writers (an import batch): use it inside their transaction, so the generation still commits
    with the changes; the search index follows when the queued task has run.
    """
    if getattr(_local, "pending", None) is not None:
        yield
        return
    _local.pending = set()
    try:
        yield
        pending = _local.pending
    finally:
        _local.pending = None
    if pending:
        live_changed(sorted(pk for pk in pending if pk is not None), index_later=True)


def current() -> tuple[int, "timezone.datetime | None"]:
    """The site's generation and when it last moved (0, None before the first change).

    Every public request asks, cached or not: plain SQL, since building the ORM query costs twenty
    times more than running it.
    """
    table = connection.ops.quote_name(SiteVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT generation, changed_at FROM {table} WHERE id = %s", [SITE])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return 0, None
    generation, changed_at = row
    if isinstance(changed_at, str):  # SQLite: ISO text in UTC
        changed_at = dt.datetime.fromisoformat(changed_at)
    if changed_at is not None and timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, dt.timezone.utc)
    return generation, changed_at


# What readers see of a digest: its live version and the address it is live at (a republication
# that only moves it, a new slug say, changes no word of the snapshot).
LIVE = ("live_snapshot", "live_series", "live_date", "live_slug", "live_category")


def _live(instance):
    return _compared(tuple(instance.__dict__.get(f.attname) for f in map(instance._meta.get_field, LIVE)))


def _compared(values):
    return None if values is None or (values[0] is None and not any(values[1:])) else values


def _read_live_before(sender, instance, update_fields=None, raw=False, **kwargs):
    if getattr(_local, "pending", None) is not None:
        return  # deferred: the batch's reindex compares what is stored, no need to read the row now
    # From the database, not from when the instance was loaded: refresh_from_db and queryset updates
    # in between would make an in-memory copy lie. One query, and only for saves that write the field.
    if update_fields is not None and not set(LIVE).intersection(update_fields):
        instance._live_before = _live(instance)
        return
    instance._live_before = (_compared(sender.objects.filter(pk=instance.pk).values_list(*LIVE).first())
                             if instance.pk else None)


def _live_saved(sender, instance, **kwargs):
    # Workflow saves and the importer's saves alike: whatever changes a live version goes through here.
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.add(instance.pk)
        return
    if getattr(instance, "_live_before", None) != _live(instance):
        live_changed([instance.pk])


def _live_deleted(sender, instance, **kwargs):
    if instance.__dict__.get("live_snapshot") is not None:
        live_changed()


def _series_changed(sender, instance, **kwargs):
    # Every page's header shows the series: a renamed or added one is a new version of the whole site.
    _bump()


def connect():
    """Hook live-version changes made through the ORM (apps.ready); bulk writers call live_changed themselves."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from .models import Digest, Series

    post_save.connect(_series_changed, sender=Series, dispatch_uid="digests.readers.series_saved")
    post_delete.connect(_series_changed, sender=Series, dispatch_uid="digests.readers.series_deleted")

    pre_save.connect(_read_live_before, sender=Digest, dispatch_uid="digests.readers.read_live_before")
    post_save.connect(_live_saved, sender=Digest, dispatch_uid="digests.readers.live_saved")
    post_delete.connect(_live_deleted, sender=Digest, dispatch_uid="digests.readers.live_deleted")
