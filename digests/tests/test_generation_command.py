"""generate_digest: the offline demo from the shipped sample feeds, and clear errors."""
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from digests.models import Digest, FeedEntry, GenerationRun

pytestmark = pytest.mark.django_db
SAMPLE_FEEDS = Path(__file__).resolve().parents[1] / "sample_data" / "feeds"


@pytest.mark.parametrize("slug", ["tech", "entertainment"])
def test_offline_demo_drafts_today_from_the_sample_feeds(slug, settings):
    settings.NEWSROOM_WRITERS = ["gemini", "extractive"]  # no key, no network: only extractive can run
    settings.GEMINI_API_KEY = ""
    out = StringIO()
    call_command("generate_digest", series=slug, writer=None, feeds_dir=str(SAMPLE_FEEDS), stdout=out)
    digest = Digest.objects.get(series__slug=slug)
    assert digest.date == timezone.localdate(timezone=digest.series.tzinfo)
    assert digest.items.count() == 5 and all(i.needs_attention for i in digest.items.all())
    assert digest.provenance["writer"] == "extractive"
    text = out.getvalue()
    assert "샘플 피드를 읽습니다" in text and "까지 후보 기사 " in text and "편집자 확인 표시 5개" in text
    # Several sample feeds carry the same stories: merged, so fewer candidates than entries.
    assert digest.provenance["candidates"][0]["sources"] and len(digest.provenance["candidates"][0]["sources"]) >= 2
    assert FeedEntry.objects.filter(source__series__slug=slug).count() > len(digest.provenance["candidate_ids"])


def test_rerunning_the_demo_returns_the_same_draft():
    call_command("generate_digest", series="tech", writer="extractive", feeds_dir=str(SAMPLE_FEEDS), stdout=StringIO())
    out = StringIO()
    call_command("generate_digest", series="tech", writer="extractive", feeds_dir=str(SAMPLE_FEEDS), stdout=out)
    digest = Digest.objects.get()  # its id depends on the database's sequence (PostgreSQL keeps counting)
    assert f"다이제스트가 이미 있습니다(#{digest.pk}, 초안)" in out.getvalue()


def test_bad_arguments_say_what_to_do():
    with pytest.raises(CommandError, match="있는 시리즈: entertainment, tech"):
        call_command("generate_digest", series="sports", stdout=StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD 형식으로 쓰세요"):
        call_command("generate_digest", series="tech", date="03/02/2026", stdout=StringIO())
    with pytest.raises(CommandError, match="'claude'은\\(는\\) 알 수 없는 작성기입니다"):
        call_command("generate_digest", series="tech", writer="claude", feeds_dir=str(SAMPLE_FEEDS), stdout=StringIO())


def test_a_day_without_entries_fails_and_records_the_run():
    with pytest.raises(CommandError, match="후보 기사가 0개뿐이라 항목 5개를 채울 수 없습니다") as failed:
        call_command("generate_digest", series="tech", date="2020-01-01", writer="extractive", stdout=StringIO())
    assert "관리 화면의 ‘생성 실행’ 목록" in str(failed.value)
    assert GenerationRun.objects.get().status == "failed"
