"""Whole-page cache for the public site, dropped at once whenever what readers may see changes."""
import functools
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

log = logging.getLogger(__name__)

GENERATION_KEY = "site:generation"


def generation() -> int:
    """The current cache generation; bumping it orphans every cached page at once (no key listing)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return value


def invalidate(sender=None, **kwargs):
    """Drop every cached public page; a signal receiver, also called directly (imports, admin fixes)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key expired or was evicted: any new value orphans the old pages
        cache.set(GENERATION_KEY, 2, timeout=None)
    log.info("public page cache invalidated (%s)", getattr(kwargs.get("digest"), "pk", "all"))


def _key(request) -> str:
    url = request.build_absolute_uri()
    return f"site:page:{generation()}:{hashlib.sha256(url.encode()).hexdigest()}"


def cache_page(view):
    """Serve GET/HEAD 200 responses from the cache until the next invalidation (or PUBLIC_CACHE_SECONDS)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), settings.PUBLIC_CACHE_SECONDS)
        response["X-Cache"] = "miss"
        return response

    return wrapped


def _remember_live(sender, instance, **kwargs):
    instance._live_at_load = instance.__dict__.get("live_snapshot")


def _invalidate_if_live_changed(sender, instance, created=False, **kwargs):
    # Catches digests made live outside the workflow (the importer) as well as workflow saves.
    before = getattr(instance, "_live_at_load", None)
    after = instance.__dict__.get("live_snapshot")
    if before != after:
        # After commit: invalidating earlier lets a concurrent request re-cache the old version.
        transaction.on_commit(lambda: invalidate(digest=instance))
    instance._live_at_load = after


def connect():
    """Hook invalidation to the workflow's signals and to saves that change a live version (apps.ready)."""
    from django.db.models.signals import post_init, post_save

    from . import signals
    from .models import Digest

    for signal in (signals.digest_published, signals.digest_unpublished, signals.digest_corrected):
        signal.connect(invalidate, dispatch_uid=f"digests.cache.invalidate.{id(signal)}")
    post_init.connect(_remember_live, sender=Digest, dispatch_uid="digests.cache.remember_live")
    post_save.connect(_invalidate_if_live_changed, sender=Digest, dispatch_uid="digests.cache.live_changed")
