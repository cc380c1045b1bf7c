"""What readers see changed: the search index follows and the site's generation moves, in the same transaction."""
import logging

from django.db.models import F
from django.utils import timezone

from . import search
from .models import SiteVersion

log = logging.getLogger(__name__)

SITE = 1  # the one SiteVersion row


def live_changed(digest_ids=()) -> None:
    """Reindex these digests and bump the generation; call inside the transaction that changed their live versions.

    The generation lives in the database, not in the page cache: a cache that loses keys or restarts from
    an old snapshot cannot bring back a page of an earlier generation, and a rolled-back change bumps nothing.
    """
    search.index(digest_ids)
    now = timezone.now()
    if not SiteVersion.objects.filter(pk=SITE).update(generation=F("generation") + 1, changed_at=now):
        SiteVersion.objects.update_or_create(pk=SITE, defaults={"generation": 1, "changed_at": now})
    log.info("live version changed (%s)", ", ".join(map(str, digest_ids)) or "all")


def current() -> tuple[int, "timezone.datetime | None"]:
    """The site's generation and when it last moved (0, None before the first change)."""
    row = SiteVersion.objects.filter(pk=SITE).values_list("generation", "changed_at").first()
    return row or (0, None)


def _read_live_before(sender, instance, update_fields=None, raw=False, **kwargs):
    # From the database, not from when the instance was loaded: refresh_from_db and queryset updates
    # in between would make an in-memory copy lie. One query, and only for saves that write the field.
    if update_fields is not None and "live_snapshot" not in update_fields:
        instance._live_before = instance.__dict__.get("live_snapshot")
        return
    instance._live_before = (sender.objects.filter(pk=instance.pk).values_list("live_snapshot", flat=True).first()
                             if instance.pk else None)


def _live_saved(sender, instance, **kwargs):
    # Workflow saves and the importer's saves alike: whatever changes a live version goes through here.
    if getattr(instance, "_live_before", None) != instance.__dict__.get("live_snapshot"):
        live_changed([instance.pk])


def _live_deleted(sender, instance, **kwargs):
    if instance.__dict__.get("live_snapshot") is not None:
        live_changed()


def connect():
    """Hook live-version changes made through the ORM (apps.ready); bulk writers call live_changed themselves."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from .models import Digest

    pre_save.connect(_read_live_before, sender=Digest, dispatch_uid="digests.readers.read_live_before")
    post_save.connect(_live_saved, sender=Digest, dispatch_uid="digests.readers.live_saved")
    post_delete.connect(_live_deleted, sender=Digest, dispatch_uid="digests.readers.live_deleted")
