"""Public pages: HTTP caching headers, 304s, and a whole-page cache keyed by the site's generation.

The page cache is an optimisation only: when it fails (Redis down, restarted empty or from an old
snapshot) pages are made afresh, never a 500 and never an older generation's page.
"""
import functools
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from . import readers

log = logging.getLogger(__name__)

# Not the public site: never cached by us, and never cacheable by anyone else either.
PRIVATE_PREFIXES = ("/admin/", "/markdownx/", "/_nested_admin/", "/static/", "/media/")


def cache_page(view):
    """Mark a public view: its GET/HEAD answers get public caching headers, and 200s are kept in the page cache.

    Public pages are in the site's one language whatever the browser asks for, so they need no
    `Vary: Accept-Language` and one cached copy serves every reader.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            request._public_page = True
        return response

    return wrapped


def _key(request, generation) -> str:
    return f"site:page:{generation}:" + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()


def _cache_get(key):
    try:
        return cache.get(key)
    except Exception as exc:  # noqa: BLE001 - any cache failure means "not cached"
        log.warning("page cache unavailable, serving uncached: %s", exc)
        return None


def _cache_set(key, value):
    try:
        cache.set(key, value, settings.PUBLIC_CACHE_SECONDS)
    except Exception as exc:  # noqa: BLE001
        log.warning("page cache unavailable, page not stored: %s", exc)


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def make_public(response, changed_at):
    """Shared caches may keep it for PUBLIC_SHARED_SECONDS, browsers for PUBLIC_BROWSER_SECONDS; never stale."""
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_BROWSER_SECONDS,
                        s_maxage=settings.PUBLIC_SHARED_SECONDS)
    if changed_at is not None:
        response["Last-Modified"] = http_date(changed_at.timestamp())
    response["Content-Language"] = settings.LANGUAGE_CODE
    vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
    kept = [v for v in vary if v.lower() != "accept-language"]
    if kept:
        response["Vary"] = ", ".join(kept)
    elif "Vary" in response:
        del response["Vary"]
    return response


def make_private(response):
    """Anything not marked public: no browser, proxy or CDN may store it (admin, previews, share links, errors)."""
    if "Cache-Control" not in response:
        response["Cache-Control"] = "private, no-store"
    return response


class PageCacheMiddleware:
    """Answers cached public pages before the rest of the middleware runs; stores marked pages on the way out.

    Sits right after WhiteNoise: a hit costs one database query (the generation) and one cache round
    trip, and the stored headers are those the inner middleware (CSP, X-Frame-Options, …) set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path_info.startswith(PRIVATE_PREFIXES):
            return make_private(self.get_response(request))
        # Read before the view runs: a publish committing meanwhile moves it, so this page is never kept
        # under the newer generation.
        generation, changed_at = request.site_version = readers.current()
        key = _key(request, generation)
        hit = _cache_get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
        else:
            response = self.get_response(request)
            if not getattr(request, "_public_page", False):
                return make_private(response)
            if response.status_code != 200 or response.streaming or response.cookies:
                # A 404 of a public address (say, a digest just unpublished) is not kept anywhere either.
                return make_private(response)
            response["ETag"] = etag_of(response.content)
            response = make_public(response, changed_at)
            headers = [(k, v) for k, v in response.items() if k.lower() not in ("x-cache", "content-length")]
            _cache_set(key, (response.content, headers))
            response["X-Cache"] = "miss"
        last_modified = int(changed_at.timestamp()) if changed_at is not None else None
        return get_conditional_response(request, etag=response["ETag"], last_modified=last_modified,
                                        response=response) or response
