"""Models: the blog's series exist, digests are complete by default, querysets filter right."""
import pytest
from django.db import IntegrityError

from digests.models import Digest, Series, Status
from digests.tests.factories import DigestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_blog_series_are_created_by_migration():
    tech = Series.objects.get(slug="tech")
    assert (tech.jekyll_category, tech.post_slug, tech.item_count, tech.insight_count) == ("tech", "daily-it-news", 5, 2)
    assert tech.title_for(__import__("datetime").date(2026, 2, 3)) == "[2026-02-03] 글로벌 IT 뉴스 Top 5"
    ent = Series.objects.get(slug="entertainment")
    assert (ent.jekyll_category, ent.post_slug) == ("entertainment", "daily-entertainment-news")
    assert ent.title_template == "[{date}] 연예/문화 뉴스 Top 5"
    assert ent.timezone == "Asia/Seoul" and ent.layout == "default" and ent.footer


def test_digest_is_unique_per_series_and_date():
    digest = DigestFactory(items=0)
    with pytest.raises(IntegrityError):
        Digest.objects.create(series=digest.series, date=digest.date, slug="x", title="x")


def test_factory_builds_a_complete_digest():
    digest = DigestFactory()
    assert digest.status == Status.DRAFT
    assert digest.items.count() == 5
    assert all(item.insights.count() == 2 for item in digest.items.all())
    assert digest.get_absolute_url() == f"/tech/{digest.date:%Y/%m/%d}/daily-it-news.html"


def test_querysets():
    draft = DigestFactory(items=0)
    live = DigestFactory(items=0, status=Status.PUBLISHED, live_snapshot={"title": "x"})
    assert list(Digest.objects.published()) == [live]
    assert list(Digest.objects.live()) == [live]
    assert list(Digest.objects.editable()) == [draft]


def test_user_factory_role():
    user = UserFactory(role="Reviewer")
    assert user.has_perm("digests.review_digest") and not user.has_perm("digests.publish_digest")
    assert user.check_password("pw")


def test_each_writer_has_its_own_footer(tech):
    assert tech.footer_for("gemini") == tech.footer and "Gemini" in tech.footer
    assert tech.footer_for("openai:gpt-4o-mini") == tech.footer_openai and "Gemini" not in tech.footer_openai
    assert tech.footer_for("extractive") == tech.footer_extractive and "Gemini" not in tech.footer_extractive
    assert tech.footer_for("") == "" and tech.footer_for("someone-else") == ""



def test_stored_json_keeps_korean_as_korean():
    """The column holds 한국어, not \\ud55c escapes (SQLite keeps the text as sent; PostgreSQL's jsonb decodes it,
    but the bulk insert's array literal is then free of backslashes to escape)."""
    from django.db import connection

    digest = DigestFactory(provenance={"note": "한국어 메모"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(provenance AS TEXT) FROM digests_digest WHERE id = %s", [digest.pk])
        stored = cursor.fetchone()[0]
    assert "한국어 메모" in stored and "\\u" not in stored
    digest.refresh_from_db()
    assert digest.provenance == {"note": "한국어 메모"}
