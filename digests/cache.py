"""Whole-page cache for the public site, dropped at once whenever what readers may see changes."""
import functools
import hashlib
import logging
import time

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
        # Lost (evicted, flushed): start from the clock so no earlier generation's pages match again.
        cache.add(GENERATION_KEY, _fresh(), timeout=None)
        value = cache.get(GENERATION_KEY) or _fresh()
    return value


def _fresh() -> int:
    return time.time_ns() // 1000


def invalidate(sender=None, **kwargs):
    """Drop every cached public page; a signal receiver, also called directly (imports, admin fixes)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key expired or was evicted: any new value orphans the old pages
        cache.set(GENERATION_KEY, _fresh(), timeout=None)
    log.info("public page cache invalidated (%s)", getattr(kwargs.get("digest"), "pk", "all"))


def _key(request) -> str:
    return "site:page:" + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()


def cache_page(view):
    """Mark a public view's GET/HEAD 200 responses for PageCacheMiddleware to keep until the next invalidation."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and hasattr(request, "_page_cache_key"):
            request._page_cache_ok = True
            response["X-Cache"] = "miss"
        return response

    return wrapped


class PageCacheMiddleware:
    """Answers cached public pages before the rest of the middleware runs; stores the marked pages on the way out.

    Sits right after WhiteNoise: a hit costs one cache round trip, and the stored headers are those the
    inner middleware (CSP, X-Frame-Options, …) set when the page was made.
    """

    SKIP = ("/admin/", "/markdownx/", "/_nested_admin/", "/static/", "/media/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path_info.startswith(self.SKIP):
            return self.get_response(request)
        key = _key(request)
        # One round trip for the generation and the page: a page stored under an older generation is a miss.
        found = cache.get_many([GENERATION_KEY, key])
        current = found.get(GENERATION_KEY)
        if current is None:
            current = generation()
        hit = found.get(key)
        if hit is not None and hit[0] == current:
            response = HttpResponse(hit[1])
            for name, value in hit[2]:
                response[name] = value
            response["X-Cache"] = "hit"
            return response
        request._page_cache_key = key
        response = self.get_response(request)
        if (getattr(request, "_page_cache_ok", False) and response.status_code == 200
                and not response.streaming and not response.cookies):
            headers = [(k, v) for k, v in response.items() if k.lower() not in ("x-cache", "content-length")]
            # Stored under the generation read before the view ran: a publish meanwhile makes it a miss.
            cache.set(key, (current, response.content, headers), settings.PUBLIC_CACHE_SECONDS)
        return response


def _remember_live(sender, instance, **kwargs):
    instance._live_at_load = instance.__dict__.get("live_snapshot")


def _invalidate_if_live_changed(sender, instance, created=False, **kwargs):
    # Catches digests made live outside the workflow (the importer) as well as workflow saves.
    before = getattr(instance, "_live_at_load", None)
    after = instance.__dict__.get("live_snapshot")
    if before != after:
        # After commit: invalidating earlier lets a concurrent request re-cache the old version.
        _invalidate_once_on_commit()
    instance._live_at_load = after


def _invalidate_after_live_change():
    invalidate()


def _invalidate_once_on_commit():
    """One invalidation per transaction, however many digests it makes live (an import of thousands)."""
    conn = transaction.get_connection()
    # Any registration still pending covers this change too: its savepoints are either released (merged
    # into their parent for good) or still open around this change, so no rollback can drop that
    # registration and keep this change. (Comparing savepoint sets missed released siblings: an import
    # batch whose bulk part and a file of its own each registered one.)
    if any(func is _invalidate_after_live_change for _, func, _ in conn.run_on_commit):
        return
    transaction.on_commit(_invalidate_after_live_change)


def connect():
    """Hook invalidation to the workflow's signals and to saves that change a live version (apps.ready)."""
    from django.db.models.signals import post_init, post_save

    from . import signals
    from .models import Digest

    for signal in (signals.digest_published, signals.digest_unpublished, signals.digest_corrected):
        signal.connect(invalidate, dispatch_uid=f"digests.cache.invalidate.{id(signal)}")
    post_init.connect(_remember_live, sender=Digest, dispatch_uid="digests.cache.remember_live")
    post_save.connect(_invalidate_if_live_changed, sender=Digest, dispatch_uid="digests.cache.live_changed")
