"""Shared pytest fixtures: roles, users and digests built with factories."""
import os
from pathlib import Path

import pytest

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def artifacts_dir():
    """Where tests leave screenshots and logs for people to look at."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture
def golden_post():
    """The blog's real post (../shared/jekyll), which exists only on developer machines and in CI."""
    shared = Path(os.environ.get("NEWSROOM_SHARED_DIR") or Path(__file__).resolve().parent.parent / "shared")
    path = shared / "jekyll" / "2026-02-03-daily-it-news.md"
    if not path.is_file():
        pytest.skip(
            "../shared/jekyll/ exists only on developer machines and in CI "
            f"(looked for {path}; set NEWSROOM_SHARED_DIR to the shared directory)"
        )
    return path


@pytest.fixture
def tech(db):
    from digests.models import Series

    return Series.objects.get(slug="tech")


@pytest.fixture
def entertainment(db):
    from digests.models import Series

    return Series.objects.get(slug="entertainment")


@pytest.fixture
def make_user(db):
    from digests.tests.factories import UserFactory

    def make(role=None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def editor(make_user):
    return make_user("Editor", username="editor")


@pytest.fixture
def reviewer(make_user):
    return make_user("Reviewer", username="reviewer")


@pytest.fixture
def publisher(make_user):
    return make_user("Publisher", username="publisher")


def in_ci():
    return bool(os.environ.get("CI"))
