"""exporting: live versions only, unchanged files untouched, failures reported, bounded queries."""
import datetime as dt
import os
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests import publishing
from digests.exporting import export_digests
from digests.jekyll_io import import_paths
from digests.models import Digest, NewsItem, Status
from digests.publishing import write_atomic
from digests.tests.factories import DigestFactory
from digests.tests.live import live_digest

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data" / "posts"


def test_export_leaves_unchanged_files_untouched(tmp_path):
    import_paths([SAMPLES])
    first = export_digests(Digest.objects.all(), tmp_path)
    assert (len(first.written), len(first.unchanged)) == (6, 0)
    posts = tmp_path / "_posts"
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in posts.iterdir()}

    digest = Digest.objects.get(date=dt.date(2026, 11, 2), series__slug="tech")
    digest.live_snapshot["items"][0]["title"] = "바뀐 제목"
    digest.save(update_fields=["live_snapshot"])
    second = export_digests(Digest.objects.all(), tmp_path)

    assert second.summary() == "쓴 글 1개, 변경 없음 5개"
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in posts.iterdir()}
    assert set(after) == set(before), "no temporary file is left behind"
    changed = "2026-11-02-daily-it-news.md"
    assert {n for n in after if after[n] != before[n]} == {changed}
    assert "### 바뀐 제목\n" in (posts / changed).read_text(encoding="utf-8")


def test_export_filters_by_queryset(tmp_path):
    import_paths([SAMPLES])
    Digest.objects.filter(date=dt.date(2026, 11, 4)).update(status=Status.APPROVED, live_snapshot=None)
    report = export_digests(Digest.objects.filter(series__slug="tech"), tmp_path)
    assert sorted(Path(p).name for p in report.written) == [
        "2026-11-02-daily-it-news.md", "2026-11-03-daily-it-news.md"]


def test_export_reports_a_digest_it_cannot_write_and_goes_on(tmp_path):
    import_paths([SAMPLES / "2026-11-02-daily-it-news.md", SAMPLES / "2026-11-03-daily-it-news.md"])
    (tmp_path / "_posts" / "2026-11-02-daily-it-news.md").mkdir(parents=True)  # a folder where the file goes
    report = export_digests(Digest.objects.order_by("date"), tmp_path)
    assert len(report.written) == 1 and len(report.failed) == 1
    assert "2026-11-02-daily-it-news.md" in report.failed[0].path and "쓰지 못했습니다" in report.failed[0].message


def _make_digests(count, start):
    for n in range(count):
        live_digest(date=start + dt.timedelta(days=n), tags=[f"tag{n}", "공통"])


def test_export_query_count_does_not_grow_with_the_digests(tmp_path):
    ContentType.objects.get_for_model(Digest)  # cached for the process: keep it out of the count
    _make_digests(3, dt.date(2025, 1, 1))
    with CaptureQueriesContext(connection) as three:
        assert len(export_digests(Digest.objects.all(), tmp_path / "a").written) == 3
    _make_digests(27, dt.date(2025, 2, 1))
    with CaptureQueriesContext(connection) as thirty:
        assert len(export_digests(Digest.objects.all(), tmp_path / "b").written) == 30
    assert len(thirty) == len(three) <= 2


def test_write_atomic(tmp_path, monkeypatch):
    path = tmp_path / "post.md"
    assert write_atomic(path, b"one") is True and path.read_bytes() == b"one"
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    assert write_atomic(path, b"one") is False and path.stat().st_ino == inode
    assert write_atomic(path, b"two") is True and path.read_bytes() == b"two"
    assert path.stat().st_ino != inode, "replaced by rename, not rewritten in place"
    assert path.stat().st_mode & 0o777 == 0o640

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publishing.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(path, b"three")
    assert path.read_bytes() == b"two" and [p.name for p in tmp_path.iterdir()] == ["post.md"]


def test_export_writes_only_what_readers_see(tmp_path, editor):
    """Approved-but-unpublished text, and a reopened digest's edits, never reach the blog's working copy."""
    never = DigestFactory(status=Status.APPROVED, date=dt.date(2026, 5, 1))
    live = live_digest(date=dt.date(2026, 5, 2))
    published_title = live.live_snapshot["items"][0]["title"]
    NewsItem.objects.filter(digest=live, position=0).update(title="고치는 중인 제목")
    Digest.objects.filter(pk=live.pk).update(status=Status.DRAFT)
    report = export_digests(Digest.objects.all(), tmp_path)
    assert [Path(p).name for p in report.written] == [f"{live.date}-{live.slug}.md"]
    text = (tmp_path / "_posts" / f"{live.date}-{live.slug}.md").read_text(encoding="utf-8")
    assert published_title in text and "고치는 중인 제목" not in text
    assert not (tmp_path / "_posts" / f"{never.date}-{never.slug}.md").exists()
