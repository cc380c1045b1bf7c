"""URL canonicalization: tracking decorations removed, the article kept."""
import pytest

from digests.generation.urls import canonicalize, strip_tracking


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.Example.com/a/b/?utm_source=rss&utm_medium=feed&id=3#top", "https://example.com/a/b?id=3"),
    ("http://example.com:80/a?b=2&a=1&fbclid=x", "https://example.com/a?a=1&b=2"),
    ("https://example.com/?gclid=1&ref=hn", "https://example.com/"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("https://example.com/articles/123?page=2", "https://example.com/articles/123?page=2"),
])
def test_canonicalize(url, expected):
    assert canonicalize(url) == expected


def test_same_article_with_different_tracking_is_one_url():
    assert canonicalize("https://techcrunch.com/2026/03/01/x/?utm_source=rss") == canonicalize(
        "http://www.techcrunch.com/2026/03/01/x?ref=hn#comments")


def test_canonicalize_leaves_non_http_and_empty_alone():
    assert canonicalize("") == ""
    assert canonicalize("mailto:a@example.com") == "mailto:a@example.com"


def test_strip_tracking_keeps_scheme_and_host_for_readers():
    assert strip_tracking("http://www.example.com/a?utm_campaign=x&id=1#c") == "http://www.example.com/a?id=1"
