"""Fetch feeds concurrently and safely: timeouts, a body cap, few redirects, no private hosts, conditional GET.

Every hop connects to the very address that was checked (the URL's host replaced by it, the Host
header and TLS server name kept), so a DNS answer that changes after the check cannot reach a
private address.
"""
import asyncio
import ipaddress
import socket
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


class FetchRefused(Exception):
    """The fetch was stopped on purpose; `kind` is stored as the source's last status."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


@dataclass
class FetchResult:
    """What happened to one source's fetch; `body` is only set for a 200."""

    source_id: int
    source_name: str
    url: str
    status: str = "ok"  # ok, not_modified, or the failure kind (http_error, timeout, too_large, ...)
    http_status: int | None = None
    error: str = ""
    final_url: str = ""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    elapsed: float = 0.0
    body: bytes | None = field(default=None, repr=False)
    entries_seen: int = 0
    entries_new: int = 0

    @property
    def ok(self):
        return self.status in ("ok", "not_modified")

    def as_dict(self):
        return {
            "source_id": self.source_id, "source": self.source_name, "url": self.url, "status": self.status,
            "http_status": self.http_status, "error": self.error, "final_url": self.final_url,
            "elapsed": round(self.elapsed, 3), "entries_seen": self.entries_seen, "entries_new": self.entries_new,
        }


def _allowed_private(host, ip):
    if settings.NEWSROOM_ALLOW_PRIVATE_HOSTS:
        return True
    for allowed in settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS:
        if allowed.lower() == host.lower():
            return True
        try:
            if ip in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


def _is_public(ip):
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def check_host(url) -> str:
    """Resolve the URL's host ourselves, refuse private, loopback, link-local and reserved addresses;
    the address to connect to (the first of those checked)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused("bad_url", f"Not an http(s) URL: {url!r}")
    host = parts.hostname
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                           type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchRefused("dns_error", f"Cannot resolve {host}: {exc}") from exc
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for ip in addresses:
        if not _is_public(ip) and not _allowed_private(host, ip):
            raise FetchRefused(
                "blocked_host",
                f"Refused {url}: {host} resolves to the non-public address {ip} "
                "(set NEWSROOM_ALLOWED_PRIVATE_HOSTS or NEWSROOM_ALLOW_PRIVATE_HOSTS=1 to allow it)",
            )
    return str(addresses[0])


def pinned(url, address):
    """(URL to request, Host header, request extensions) that send `url` to the checked `address`.

    No second DNS lookup happens: httpx connects to the IP; the server still sees the host name
    in the Host header, and TLS verifies the certificate against it (the SNI extension).
    """
    logical = httpx.URL(url)
    return logical.copy_with(host=address), logical.netloc.decode("ascii"), {"sni_hostname": logical.host}


async def _read_capped(response, limit):
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchRefused("too_large", f"Body of {int(declared)} bytes is over the {limit}-byte cap")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchRefused("too_large", f"Body is over the {limit}-byte cap (stopped reading)")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch_one(client, source, *, max_redirects=None, max_bytes=None, accept=ACCEPT):
    """GET one source's feed, following redirects by hand so every hop's host is checked first."""
    max_redirects = settings.NEWSROOM_FEED_MAX_REDIRECTS if max_redirects is None else max_redirects
    max_bytes = settings.NEWSROOM_FEED_MAX_BYTES if max_bytes is None else max_bytes
    result = FetchResult(source_id=source.pk, source_name=source.name, url=source.url)
    started = time.perf_counter()
    headers = {"User-Agent": settings.NEWSROOM_USER_AGENT, "Accept": accept}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    url, seen = source.url, []
    try:
        while True:
            target, host, extensions = pinned(url, await check_host(url))
            seen.append(url)
            async with client.stream("GET", target, headers={**headers, "Host": host},
                                     extensions=extensions) as response:
                result.http_status = response.status_code
                if response.has_redirect_location:
                    target = urljoin(url, response.headers.get("location", ""))
                    if target in seen:
                        raise FetchRefused("redirect_loop", f"Redirect loop: {' -> '.join(seen + [target])}")
                    if len(seen) > max_redirects:
                        raise FetchRefused("too_many_redirects", f"More than {max_redirects} redirects from {source.url}")
                    url = target
                    continue
                result.final_url = url
                if response.status_code == 304:
                    result.status = "not_modified"
                    break
                if response.status_code != 200:
                    raise FetchRefused("http_error", f"HTTP {response.status_code} from {url}")
                result.body = await _read_capped(response, max_bytes)
                result.etag = response.headers.get("etag", "")
                result.last_modified = response.headers.get("last-modified", "")
                result.content_type = response.headers.get("content-type", "")
                break
    except FetchRefused as exc:
        result.status, result.error = exc.kind, str(exc)
    except httpx.TimeoutException as exc:
        result.status, result.error = "timeout", f"Timed out fetching {url} ({type(exc).__name__})"
    except httpx.HTTPError as exc:
        result.status, result.error = "network_error", f"{type(exc).__name__} fetching {url}: {exc}"
    result.elapsed = time.perf_counter() - started
    if not result.ok:
        result.body = None
    return result


async def _fetch_all(sources, deadline, **options):
    timeout = httpx.Timeout(
        connect=settings.NEWSROOM_FEED_CONNECT_TIMEOUT, read=settings.NEWSROOM_FEED_READ_TIMEOUT,
        write=settings.NEWSROOM_FEED_CONNECT_TIMEOUT, pool=settings.NEWSROOM_FEED_CONNECT_TIMEOUT,
    )
    # Many article pages of one site must not look like an attack on it.
    per_host = defaultdict(lambda: asyncio.Semaphore(settings.NEWSROOM_FETCH_PER_HOST))
    # No kept-alive connections: one opened for a host's checked address must not carry another host's request.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False, trust_env=False) as client:

        async def limited(source):
            async with per_host[(urlsplit(source.url).hostname or "").lower()]:
                return await fetch_one(client, source, **options)

        async def guarded(source):
            # A feed that trickles bytes never trips the read timeout: bound the whole fetch (and its wait) too.
            try:
                return await asyncio.wait_for(limited(source), deadline)
            except asyncio.TimeoutError:
                return FetchResult(source_id=source.pk, source_name=source.name, url=source.url, status="timeout",
                                   error=f"No complete answer within {deadline:.0f} s from {source.url}", elapsed=deadline)

        return await asyncio.gather(*(guarded(source) for source in sources))


def fetch_all(sources, deadline=None, **options):
    """Fetch every source at once (a few per host); one result per source, in order. Never raises for a bad feed.

    `options` go to fetch_one (max_bytes, accept): article pages come through here too.
    """
    sources = list(sources)
    if not sources:
        return []
    deadline = deadline or settings.NEWSROOM_FEED_CONNECT_TIMEOUT + 2 * settings.NEWSROOM_FEED_READ_TIMEOUT
    return asyncio.run(_fetch_all(sources, deadline, **options))
