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
