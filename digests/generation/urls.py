"""Canonical URLs: the same article linked with different tracking decorations compares equal."""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from, never which article it is.
TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "ocid",
    "cmpid", "ref", "ref_src", "ref_url", "referrer", "rss", "spm", "_hsenc", "_hsmi",
    "mkt_tok", "smid", "smtyp", "__twitter_impression", "at_medium", "at_campaign", "guccounter",
}
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hmb_")
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking(name):
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def canonicalize(url):
    """Lower-case scheme and host, no www., default port, fragment or tracking parameters; sorted query."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = (parts.scheme or "http").lower()
    if scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k))
    # http and https of one article are one article.
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def strip_tracking(url):
    """The URL as published minus tracking parameters and fragment (scheme and host untouched: it is shown to readers)."""
    url = (url or "").strip()
    if "?" not in url and "#" not in url:
        return url  # nothing to strip (parsing it was a fifth of ranking a day's entries)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
