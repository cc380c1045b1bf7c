"""Pytest fixtures for generation tests (import them into a test module with `from ...fixtures import *`)."""
import datetime as dt

import pytest

from .feeds import FeedServer, rss, stories
from .llm import FakeModelServer

__all__ = ["feed_server", "model_server", "fetch_settings", "writer_settings", "add_source", "good_feed", "day"]


@pytest.fixture(scope="module")
def feed_server():
    with FeedServer() as server:
        yield server


@pytest.fixture(scope="module")
def model_server():
    with FakeModelServer() as server:
        yield server


@pytest.fixture
def fetch_settings(settings, feed_server):
    """Only the fixture server's address may be private; quick timeouts so bad feeds fail fast."""
    feed_server.routes.clear()
    settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.NEWSROOM_FEED_CONNECT_TIMEOUT = 1.0
    settings.NEWSROOM_FEED_READ_TIMEOUT = 1.0
    settings.NEWSROOM_FEED_MAX_BYTES = 1024 * 1024
    # Fixture feeds link to example.com hosts: tests that read article pages serve them and turn this on.
    settings.NEWSROOM_FETCH_ARTICLES = False
    settings.NEWSROOM_FETCH_PER_HOST = 2
    return settings


@pytest.fixture
def writer_settings(settings, model_server):
    model_server.reset()
    settings.GEMINI_API_KEY = "test-key"
    settings.GEMINI_BASE_URL = model_server.gemini_url
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = model_server.openai_url
    settings.OPENAI_MODEL = "fake-model"
    settings.NEWSROOM_WRITERS = ["gemini:gemini-2.5-flash", "openai", "extractive"]
    settings.NEWSROOM_WRITER_TIMEOUT = 1.5
    settings.NEWSROOM_WRITER_ATTEMPTS = 2
    settings.NEWSROOM_WRITER_BACKOFF = 0.05
    settings.NEWSROOM_WRITER_MAX_WAIT = 5
    return settings


@pytest.fixture
def day(tech):
    """A date whose scheduled time (12:00 Seoul) has passed, with 'now' one hour before it for fixture entries."""
    return dt.date(2026, 3, 2)


@pytest.fixture
def add_source(db, feed_server):
    """Add a source for a path of the feed server, and turn the seeded (real-world) sources off."""

    def add(series, path, name=None, weight=1.0, **route):
        from digests.models import Source

        series.sources.exclude(url__startswith=feed_server.base_url).update(active=False)
        if route:
            feed_server.add(path, **route)
        return Source.objects.create(series=series, name=name or path.strip("/"), url=feed_server.url(path),
                                     weight=weight)

    return add


@pytest.fixture
def good_feed():
    def make(prefix, published, count=6, **kwargs):
        return rss(stories(prefix, count, published, **kwargs))

    return make
