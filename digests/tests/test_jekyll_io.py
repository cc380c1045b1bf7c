"""jekyll_io: import by (series, date), byte-identical export, bad files refused whole, bounded queries."""
import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests import jekyll, jekyll_io
from digests.jekyll_io import export_digests, import_paths, import_post, stored_post, write_atomic
from digests.models import Digest, Insight, NewsItem, ReviewEvent, Series, Status
from digests.posts import digest_snapshot, digest_to_post, with_content
from digests.tests.factories import DigestFactory, NewsItemFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
SAMPLES = Path(__file__).resolve().parents[1] / "sample_data" / "posts"


def post_text(title="[2026-03-01] 글로벌 IT 뉴스 Top 5", date="2026-03-01 13:00:00 +0900", categories="tech",
              items=2, extra="", footer=True):
    item = jekyll.Item(
        title="제목", summary="요약 문단입니다.", source_url="https://example.com/a?b=1",
        insights=[jekyll.Insight("라벨", "시사점 내용")],
    )
    fm = f"---\nlayout: default\ntitle:  \"{title}\"\ndate:   {date}\ncategories: {categories}\n{extra}---\n\n"
    body = jekyll.render(jekyll.Post(title="x", date=dt.datetime(2026, 3, 1, tzinfo=SEOUL), items=[item] * items,
                                     footer="바닥글" if footer else None))
    return fm + body.split("---\n\n", 1)[1] if items else fm + "\n"


def write(folder: Path, name: str, text, encoding="utf-8") -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def test_sample_posts_round_trip_byte_identical(tmp_path):
    report = import_paths([SAMPLES])
    assert (len(report.created), report.failed, report.warnings) == (6, [], [])
    export = export_digests(Digest.objects.all(), tmp_path)
    assert len(export.written) == 6
    for sample in sorted(SAMPLES.glob("*.md")):
        assert (tmp_path / "_posts" / sample.name).read_bytes() == sample.read_bytes(), sample.name


def test_golden_post_round_trip(tmp_path, golden_post):
    golden = golden_post
    report = import_paths([golden])
    assert report.created == [str(golden)] and not report.warnings
    export_digests(Digest.objects.all(), tmp_path)
    assert (tmp_path / "_posts" / golden.name).read_bytes() == golden.read_bytes()


def test_import_stores_every_field():
    path = SAMPLES / "2026-11-03-daily-entertainment-news.md"
    report = import_paths([path])
    digest = Digest.objects.get()
    post = jekyll.parse(path.read_text(encoding="utf-8"))
    assert report.created == [str(path)]
    assert (digest.series.slug, digest.date, digest.slug, digest.title) == (
        "entertainment", dt.date(2026, 11, 3), "daily-entertainment-news", "[2026-11-03] 연예/문화 뉴스 Top 5")
    assert digest.published_at == dt.datetime(2026, 11, 3, 13, 7, 55, tzinfo=SEOUL)
    assert digest.footer == post.footer and digest.status == Status.PUBLISHED
    assert sorted(digest.tags.names()) == ["K-팝", "공연"]
    items = list(digest.items.order_by("position"))
    assert [i.position for i in items] == [0, 1, 2, 3, 4]
    assert [(i.title, i.summary, i.source_url) for i in items] == [
        (i.title, i.summary, i.source_url) for i in post.items]
    assert [[(x.label, x.text) for x in i.insights.order_by("position")] for i in items] == [
        [(x.label, x.text) for x in i.insights] for i in post.items]


def test_imported_published_digest_is_live_with_the_stored_content():
    import_paths([SAMPLES])
    assert Digest.objects.live().count() == 6
    for digest in with_content(Digest.objects.all()):
        assert digest.live_snapshot == digest_snapshot(digest)


def test_import_writes_one_audit_event_per_file():
    import_paths([SAMPLES / "2026-11-02-daily-it-news.md"], status=Status.DRAFT)
    import_paths([SAMPLES / "2026-11-02-daily-it-news.md"])
    events = list(ReviewEvent.objects.values_list("action", "from_status", "to_status", "actor", "data__created"))
    assert events == [("import", "", "draft", None, True), ("import", "draft", "published", None, False)]


def test_import_as_draft_is_not_live_and_keeps_a_live_version(tmp_path):
    path = SAMPLES / "2026-11-02-daily-it-news.md"
    import_paths([path], status=Status.DRAFT)
    digest = Digest.objects.get()
    assert digest.status == Status.DRAFT and not Digest.objects.live().exists()

    import_paths([path])
    live = Digest.objects.get().live_snapshot
    changed = write(tmp_path, path.name, path.read_text(encoding="utf-8").replace("노바칩", "노바칩스"))
    import_paths([changed], status=Status.DRAFT)
    digest = Digest.objects.get()
    # A correction in progress: readers keep what was published.
    assert digest.status == Status.DRAFT and digest.live_snapshot == live
    assert "노바칩스" in digest.items.get(position=0).title


def test_reimport_updates_instead_of_duplicating(tmp_path, editor):
    path = SAMPLES / "2026-11-03-daily-entertainment-news.md"
    import_paths([path])
    digest = Digest.objects.get()
    item_ids = list(digest.items.order_by("position").values_list("pk", flat=True))
    digest.items.get(position=1).tags.add("editor-tag")
    Digest.objects.filter(pk=digest.pk).update(generated_snapshot={"title": "draft"}, assignee=editor)
    first_updated_at = digest.updated_at

    text = path.read_text(encoding="utf-8").replace("보이그룹 '노스텔라'", "보이그룹 '노스텔라 X'")
    text = text.replace('tags: ["K-팝", "공연"]\n', "")  # no tags: the digest keeps its own
    changed = write(tmp_path, path.name, text)
    report = import_paths([changed])

    assert report.updated == [str(changed)] and not report.created
    assert Digest.objects.count() == 1 and NewsItem.objects.count() == 5 and Insight.objects.count() == 10
    digest = Digest.objects.get()
    assert digest.version == 2
    assert digest.items.get(position=0).title.startswith("보이그룹 '노스텔라 X'")
    assert list(digest.items.order_by("position").values_list("pk", flat=True)) == item_ids
    assert list(digest.items.get(position=1).tags.names()) == ["editor-tag"]
    assert sorted(digest.tags.names()) == ["K-팝", "공연"]
    assert (digest.generated_snapshot, digest.assignee) == ({"title": "draft"}, editor), "workflow fields are kept"
    assert digest.updated_at > first_updated_at
    assert digest.live_snapshot == digest_snapshot(with_content(Digest.objects.all()).get())


def test_reimport_with_fewer_items_and_new_tags_replaces_them(tmp_path):
    import_paths([write(tmp_path, "2026-03-01-daily-it-news.md", post_text(items=3, extra='tags: ["a"]\n'))])
    again = write(tmp_path, "2026-03-01-daily-it-news.md", post_text(items=1, extra='tags: ["b", "c"]\n'))
    report = import_paths([again])
    assert report.updated and not report.failed
    digest = Digest.objects.get()
    assert digest.items.count() == 1 and Insight.objects.count() == 1
    assert sorted(digest.tags.names()) == ["b", "c"]
    assert digest.live_snapshot == digest_snapshot(with_content(Digest.objects.all()).get())


def test_unknown_category_makes_a_series_with_the_title_pattern(tmp_path):
    text = post_text(title="[2026-03-01] 오늘의 글로벌 IT 뉴스 Top 5 {beta}", categories="news")
    report = import_paths([write(tmp_path, "2026-03-01-daily-it-news.md", text)])
    assert len(report.created) == 1, report.failed
    series = Series.objects.get(jekyll_category="news")
    assert (series.slug, series.name, series.post_slug, series.layout) == ("news", "news", "daily-it-news", "default")
    assert series.title_template == "[{date}] 오늘의 글로벌 IT 뉴스 Top 5 {{beta}}"
    assert series.title_for(dt.date(2026, 3, 2)) == "[2026-03-02] 오늘의 글로벌 IT 뉴스 Top 5 {beta}"
    assert Digest.objects.get().series == series

    # A second post of that category joins it, and the export gives the file back.
    second = write(tmp_path, "2026-03-02-daily-it-news.md", text.replace("2026-03-01", "2026-03-02"))
    assert import_paths([second]).created and Series.objects.filter(jekyll_category="news").count() == 1
    export_digests(Digest.objects.all(), tmp_path / "site")
    assert (tmp_path / "site" / "_posts" / second.name).read_bytes() == second.read_bytes()


def test_a_file_that_fails_in_the_database_leaves_nothing_and_the_series_it_made_goes_too(tmp_path, monkeypatch):
    good = write(tmp_path, "2026-03-01-daily-it-news.md", post_text())
    bad = write(tmp_path, "2026-03-02-daily-it-news.md",
                post_text(categories="brand-new", date="2026-03-02 09:00:00 +0900"))
    real_create = ReviewEvent.objects.create

    def create(**kwargs):
        if kwargs["digest"].series.jekyll_category == "brand-new":
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(ReviewEvent.objects, "create", create)
    report = import_paths([good, bad])
    assert report.created == [str(good)]
    assert [str(f) for f in report.failed] == [f"{bad}: not stored: RuntimeError: disk full"]
    assert not Series.objects.filter(jekyll_category="brand-new").exists()
    assert Digest.objects.count() == 1 and NewsItem.objects.count() == 2


def test_bad_files_are_named_with_their_reason_and_nothing_of_them_is_stored(tmp_path):
    good = write(tmp_path, "2026-03-01-daily-it-news.md", post_text())
    latin1_text = post_text(date="2026-03-02 13:00:00 +0900")
    latin1_line = latin1_text[:latin1_text.index("요약 문단입니다.")].count("\n") + 1
    latin1 = write(tmp_path, "2026-03-02-daily-it-news.md",
                   latin1_text.encode().replace("요약 문단입니다.".encode(), b"caf\xe9"))
    no_front = write(tmp_path, "2026-03-03-daily-it-news.md", "### 제목\n\n**📌 요약**\n요약\n")
    bad_date = write(tmp_path, "2026-03-04-daily-it-news.md", post_text(date="2026-13-45 25:00:00 +0900"))
    no_item = write(tmp_path, "2026-03-05-daily-it-news.md", post_text(items=0, date="2026-03-05 13:00:00 +0900"))
    too_long = write(tmp_path, "2026-03-06-daily-it-news.md",
                     post_text(title="x" * 301, date="2026-03-06 13:00:00 +0900"))
    missing = tmp_path / "nowhere.md"

    report = import_paths([tmp_path, missing])

    assert report.created == [str(good)]
    failed = {Path(f.path).name: f for f in report.failed}
    assert set(failed) == {latin1.name, no_front.name, bad_date.name, no_item.name, too_long.name, "nowhere.md"}
    assert failed[latin1.name].line == latin1_line and "not UTF-8" in failed[latin1.name].message
    assert failed[no_front.name].line == 1 and "no front matter" in failed[no_front.name].message
    assert failed[bad_date.name].line == 4 and "2026-13-45" in failed[bad_date.name].message
    assert "no item" in failed[no_item.name].message
    assert str(failed[too_long.name]) == f"{too_long}: the title has 301 characters; at most 300 fit"
    assert str(failed["nowhere.md"]) == f"{missing}: no such file or folder"
    assert Digest.objects.count() == 1 and ReviewEvent.objects.count() == 1
    assert NewsItem.objects.count() == 2
    assert report.summary() == "Imported 1 (created 1, updated 0), failed 6"


def test_warnings_are_reported_with_file_and_line(tmp_path):
    text = post_text(extra="author: 뉴스봇\n").replace("**📌 요약**", "**📌 요정**  ").replace("\n", "\r\n")
    path = write(tmp_path, "2026-03-01-daily-it-news.md", text)
    report = import_paths([path])
    assert report.created == [str(path)]
    messages = [str(w) for w in report.warnings]
    assert f"{path}:1: front matter key 'author' is kept in the digest's provenance but not exported" in messages
    digest = Digest.objects.get()
    assert digest.provenance["import"]["front_matter"] == {"author": "뉴스봇"}
    assert digest.items.get(position=0).summary == "요약 문단입니다."


def test_folders_a_site_folder_and_leftover_temporary_files(tmp_path):
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    write(tmp_path / "site", "index.md", "# not a post")
    write(posts, "2026-03-01-daily-it-news.md", post_text())
    write(posts, ".hidden-2026-03-02-daily-it-news.md", "half written")
    (tmp_path / "empty").mkdir()
    (posts / "2026").mkdir()
    write(posts / "2026", "2026-03-03-daily-it-news.md", post_text(date="2026-03-03 13:00:00 +0900"))
    (posts / "linked.md").symlink_to(posts / "2026-03-01-daily-it-news.md")  # the same post once more
    (posts / "linked-folder").symlink_to(posts / "2026")  # not followed, as Path.rglob does not
    report = import_paths([tmp_path / "site", tmp_path / "empty", posts / "2026" / "2026-03-03-daily-it-news.md"])
    assert [Path(p).relative_to(posts).as_posix() for p in report.created] == [
        "2026/2026-03-03-daily-it-news.md", "2026-03-01-daily-it-news.md"]  # ordered as Paths are
    assert [str(f) for f in report.failed] == [f"{tmp_path / 'empty'}: no post files (*.md, *.markdown) in this folder"]


def test_import_post_returns_the_digest_and_whether_it_was_created():
    post = jekyll.parse((SAMPLES / "2026-11-04-daily-it-news.md").read_text(encoding="utf-8"))
    digest, created = import_post(post, "2026-11-04-daily-it-news.md")
    assert created and digest.pk and digest.status == Status.PUBLISHED
    again, created = import_post(post, "2026-11-04-daily-it-news.md", status=Status.APPROVED)
    assert not created and again.pk == digest.pk and again.status == Status.APPROVED


def test_progress_is_reported_per_file(tmp_path):
    calls = []
    import_paths([SAMPLES], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 6) for n in range(1, 7)]
    calls.clear()
    export_digests(Digest.objects.all(), tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 6) for n in range(1, 7)]


def test_export_leaves_unchanged_files_untouched(tmp_path):
    import_paths([SAMPLES])
    first = export_digests(Digest.objects.all(), tmp_path)
    assert (len(first.written), len(first.unchanged)) == (6, 0)
    posts = tmp_path / "_posts"
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in posts.iterdir()}

    digest = Digest.objects.get(date=dt.date(2026, 11, 2), series__slug="tech")
    NewsItem.objects.filter(digest=digest, position=0).update(title="바뀐 제목")
    second = export_digests(Digest.objects.all(), tmp_path)

    assert second.summary() == "Wrote 1, unchanged 5"
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in posts.iterdir()}
    assert set(after) == set(before), "no temporary file is left behind"
    changed = "2026-11-02-daily-it-news.md"
    assert {n for n in after if after[n] != before[n]} == {changed}
    assert "### 바뀐 제목\n" in (posts / changed).read_text(encoding="utf-8")


def test_export_filters_by_queryset(tmp_path):
    import_paths([SAMPLES])
    Digest.objects.filter(date=dt.date(2026, 11, 4)).update(status=Status.DRAFT)
    report = export_digests(Digest.objects.published().filter(series__slug="tech"), tmp_path)
    assert sorted(Path(p).name for p in report.written) == [
        "2026-11-02-daily-it-news.md", "2026-11-03-daily-it-news.md"]


def test_export_reports_a_digest_it_cannot_write_and_goes_on(tmp_path):
    import_paths([SAMPLES / "2026-11-02-daily-it-news.md", SAMPLES / "2026-11-03-daily-it-news.md"])
    (tmp_path / "_posts" / "2026-11-02-daily-it-news.md").mkdir(parents=True)  # a folder where the file goes
    report = export_digests(Digest.objects.order_by("date"), tmp_path)
    assert len(report.written) == 1 and len(report.failed) == 1
    assert "2026-11-02-daily-it-news.md" in report.failed[0].path and "not written" in report.failed[0].message


def test_large_exports_are_written_by_a_worker_process_with_the_same_result(tmp_path, monkeypatch):
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    import_paths([SAMPLES])
    _make_digests(20, dt.date(2025, 3, 1))
    pids = tmp_path / "pids"
    real_write_atomic = jekyll_io.write_atomic

    def write_atomic_noting_the_process(path, data):
        with open(pids, "a") as handle:  # appends of a line are atomic between processes
            handle.write(f"{os.getpid()}\n")
        return real_write_atomic(path, data)

    monkeypatch.setattr(jekyll_io, "write_atomic", write_atomic_noting_the_process)
    monkeypatch.setattr(jekyll_io, "WRITE_BATCH", 4)
    monkeypatch.setattr(jekyll_io, "WRITE_AHEAD", 1)

    def run(name, parallel_min, pool=None):
        monkeypatch.setattr(jekyll_io, "PARALLEL_WRITE_MIN", parallel_min)
        if pool:
            monkeypatch.setattr(jekyll_io, "ProcessPoolExecutor", pool)
        site = tmp_path / name
        (site / "_posts" / "2025-03-05-daily-it-news.md").mkdir(parents=True)  # this one fails: a folder
        pids.write_text("")
        calls = []
        report = export_digests(Digest.objects.order_by("date", "pk"), site,
                                progress=lambda done, total: calls.append(done))
        assert calls == list(range(1, 27))
        files = {p.name: p.read_bytes() for p in (site / "_posts").iterdir() if p.is_file()}
        outcome = ([Path(p).name for p in report.written], report.unchanged,
                   [(Path(p.path).name, p.message) for p in report.failed], files)
        return outcome, set(pids.read_text().split())

    serial, writers = run("serial", 10**9)
    assert writers == {str(os.getpid())}
    assert len(serial[0]) == 25 and len(serial[2]) == 1 and "not written" in serial[2][0][1]
    parallel, writers = run("parallel", 8)
    assert parallel == serial
    assert str(os.getpid()) in writers and len(writers) == 2, "the first 8 here, the rest in a worker process"

    def no_processes(*args, **kwargs):
        raise OSError("daemonic processes are not allowed to have children")

    assert run("no-process", 0, no_processes) == (serial, {str(os.getpid())})

    class BrokenPool:
        """A worker killed mid-export (out of memory, say): every batch it had fails."""

        def __init__(self, *args, **kwargs):
            pass

        def submit(self, fn, batch):
            future = Future()
            future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
            return future

        def shutdown(self, **kwargs):
            pass

    assert run("broken", 0, BrokenPool) == (serial, {str(os.getpid())})


def _make_digests(count, start):
    for n in range(count):
        digest = DigestFactory(date=start + dt.timedelta(days=n), status=Status.PUBLISHED)
        digest.tags.add(f"tag{n}", "공통")


def test_export_query_count_does_not_grow_with_the_digests(tmp_path):
    ContentType.objects.get_for_model(Digest)  # cached for the process: keep it out of the count
    _make_digests(3, dt.date(2025, 1, 1))
    with CaptureQueriesContext(connection) as three:
        assert len(export_digests(Digest.objects.all(), tmp_path / "a").written) == 3
    _make_digests(27, dt.date(2025, 2, 1))
    with CaptureQueriesContext(connection) as thirty:
        assert len(export_digests(Digest.objects.all(), tmp_path / "b").written) == 30
    assert len(thirty) == len(three) <= 5


def test_import_runs_a_fixed_number_of_queries_per_file(tmp_path):
    ContentType.objects.get_for_model(Digest)  # cached for the process: keep it out of the count
    def files(count, folder, start):
        folder.mkdir()
        for n in range(count):
            day = start + dt.timedelta(days=n)
            write(folder, f"{day}-daily-it-news.md",
                  post_text(title=f"[{day}] 글로벌 IT 뉴스 Top 5", date=f"{day} 13:00:00 +0900", items=5))
        return folder

    with CaptureQueriesContext(connection) as two:
        assert len(import_paths([files(2, tmp_path / "two", dt.date(2026, 4, 1))]).created) == 2
    with CaptureQueriesContext(connection) as eight:
        assert len(import_paths([files(8, tmp_path / "eight", dt.date(2026, 5, 1))]).created) == 8
    # New digests go in with bulk statements for the whole batch: the series, the batch's own transaction
    # (a savepoint pair inside the test's), the lookup of existing digests, the bulk part's savepoint pair,
    # then one INSERT each for digests, items, insights and events and a SELECT each of the digests' and
    # the items' ids, however many files.
    assert len(eight) == len(two) <= 1 + 2 + 1 + 2 + 6
    # On PostgreSQL the rows go by COPY, still one logged statement per table.
    verb = "COPY" if connection.vendor == "postgresql" else "INSERT INTO"
    assert [q["sql"].split(" (")[0] for q in eight.captured_queries if q["sql"].startswith(verb)] == [
        f'{verb} "digests_{table}"' for table in ("digest", "newsitem", "insight", "reviewevent")]
    # Updates too: the series, the batch's savepoint pair, the locked lookup, the bulk part's savepoint
    # pair, then the digests' tags, one UPDATE (executemany) of the digests, their items' ids, one DELETE
    # of their insights, one UPDATE of the items, one INSERT each for insights and events.
    with CaptureQueriesContext(connection) as two_again:
        assert len(import_paths([tmp_path / "two"]).updated) == 2
    with CaptureQueriesContext(connection) as eight_again:
        assert len(import_paths([tmp_path / "eight"]).updated) == 8
    assert len(eight_again) == len(two_again) <= 1 + 2 + 1 + 2 + 7


def test_stored_post_agrees_with_digest_to_post():
    digests = [
        DigestFactory(status=Status.PUBLISHED, published_at=dt.datetime(2026, 1, 5, 4, 30, tzinfo=dt.timezone.utc)),
        DigestFactory(footer="", items=2),
        DigestFactory(items=0),
    ]
    digests[0].tags.add("z", "a", "가")
    NewsItemFactory(digest=digests[2], position=0, insights=0, source_url="")
    for digest in with_content(Digest.objects.filter(pk__in=[d.pk for d in digests])):
        items = [jekyll.Item(i.title, i.summary, [jekyll.Insight(x.label, x.text) for x in i.insights.all()],
                             i.source_url) for i in digest.items.all()]
        assert stored_post(digest, items, [t.name for t in digest.tags.all()]) == digest_to_post(digest)


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

    monkeypatch.setattr(jekyll_io.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(path, b"three")
    assert path.read_bytes() == b"two" and [p.name for p in tmp_path.iterdir()] == ["post.md"]


def test_files_commit_in_batches_yet_each_file_stays_whole(tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    for n in range(5):
        day = dt.date(2026, 6, 1) + dt.timedelta(days=n)
        text = post_text(title=f"[{day}] 글로벌 IT 뉴스 Top 5", date=f"{day} 13:00:00 +0900", items=2)
        if n == 2:  # refused inside the database step: a title longer than the column
            text = text.replace(f"[{day}] 글로벌 IT 뉴스 Top 5", "긴 제목 " * 80)
        write(folder, f"{day}-daily-it-news.md", text)
    report = import_paths([folder], batch_size=2)
    assert len(report.created) == 4 and [Path(p.path).name for p in report.failed] == ["2026-06-03-daily-it-news.md"]
    assert sorted(Digest.objects.values_list("date", flat=True)) == [
        dt.date(2026, 6, d) for d in (1, 2, 4, 5)]
    assert NewsItem.objects.count() == 8


def test_a_batch_whose_commit_fails_is_imported_file_by_file(tmp_path, monkeypatch, caplog):
    from django.db import DatabaseError

    folder = tmp_path / "posts"
    folder.mkdir()
    for n in range(3):
        day = dt.date(2026, 7, 1) + dt.timedelta(days=n)
        write(folder, f"{day}-daily-it-news.md",
              post_text(title=f"[{day}] 글로벌 IT 뉴스 Top 5", date=f"{day} 13:00:00 +0900", items=1))
    real_atomic = jekyll_io.transaction.atomic
    calls = []

    class FailingBatch:
        """The first batch's commit fails (a full disk, a lost connection): its files roll back."""

        def __init__(self):
            self.inner = real_atomic()

        def __enter__(self):
            return self.inner.__enter__()

        def __exit__(self, *exc):
            if exc[0] is None:
                self.inner.__exit__(DatabaseError, DatabaseError("disk full"), None)
                raise DatabaseError("disk full")
            return self.inner.__exit__(*exc)

    def atomic(*args, **kwargs):
        calls.append(1)
        return FailingBatch() if len(calls) == 1 else real_atomic(*args, **kwargs)

    monkeypatch.setattr(jekyll_io.transaction, "atomic", atomic)
    report = import_paths([folder], batch_size=10)
    assert "committing 3 files failed; importing them one by one" in caplog.text
    assert len(report.created) == 3 and report.failed == []
    assert Digest.objects.filter(date__month=7).count() == 3


def _stored_rows():
    """Everything an import stores, without ids and timestamps, keyed by (series, date) and positions."""
    key = {d.pk: (d.series.jekyll_category, d.date) for d in Digest.objects.select_related("series")}
    skip = {"id", "created_at", "updated_at", "series", "digest", "news_item"}

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
                if f.name not in skip and f.attname not in skip}

    digests = {key[d.pk]: fields(d) for d in Digest.objects.all()}
    items = {(key[i.digest_id], i.position): fields(i) for i in NewsItem.objects.all()}
    insights = sorted((key[x.news_item.digest_id], x.news_item.position, x.position, x.label, x.text)
                      for x in Insight.objects.select_related("news_item"))
    events = sorted((key[e.digest_id], repr(sorted(fields(e).items()))) for e in ReviewEvent.objects.all())
    tagged = Digest.tags.through.objects.filter(content_type=ContentType.objects.get_for_model(Digest))
    tags = sorted((key[object_id], name, slug) for object_id, name, slug in
                  tagged.values_list("object_id", "tag__name", "tag__slug"))
    item_tags = sorted((key[i.digest_id], i.position, t.name) for i in NewsItem.objects.all() for t in i.tags.all())
    series = sorted(Series.objects.values_list("slug", "jekyll_category", "post_slug", "title_template", "layout"))
    return {"digests": digests, "items": items, "insights": insights, "events": events, "tags": tags,
            "item_tags": item_tags, "series": series}


def test_batch_fast_path_stores_exactly_what_the_file_by_file_path_stores(tmp_path, monkeypatch):
    from taggit.models import Tag

    folder = tmp_path / "posts"
    folder.mkdir()
    days = [dt.date(2026, 8, 1) + dt.timedelta(days=n) for n in range(12)]

    def text(n, **kwargs):
        kwargs = {"title": f"[{days[n]}] 글로벌 IT 뉴스 Top 5", "date": f"{days[n]} 13:00:00 +0900", **kwargs}
        return post_text(**kwargs)

    write(folder, f"{days[0]}-daily-it-news.md", text(0, items=5))
    write(folder, f"{days[1]}-daily-it-news.md", text(1, extra='tags: ["b", "a", "b"]\n'))
    write(folder, f"{days[2]}-daily-it-news.md", text(2, footer=False))
    write(folder, f"{days[3]}-daily-it-news.md", text(3, extra="author: 뉴스봇\nlayout2: x\n").replace("\n", "\r\n"))
    write(folder, f"{days[4]}-daily-it-news.md", text(4, items=3).replace("**📌 요약**", "**📌 요정**"))
    write(folder, f"{days[5]}-daily-it-news.md", text(5, title="x" * 301))  # refused: too long
    write(folder, f"{days[6]}-daily-it-news.md", "### 제목\n\n**📌 요약**\n요약\n")  # no front matter
    write(folder, f"{days[7]}-daily-it-news.md", text(7, categories=""))  # series by file name
    write(folder, f"{days[8]}-daily-it-news.md", text(8, categories="brand-new"))  # a new series
    # Date warnings; "tags: []" clears the tags the digest had.
    write(folder, f"{days[9]}-daily-it-news.md", text(9, date="2026-08-11 01:00:00 +0000", extra="tags: []\n"))
    write(folder, f"{days[0]}-other-slug.md", text(0, items=1))  # the same (series, date) again: an update
    write(folder, "not-a-post-name.md", text(10, items=3, extra='tags: ["kept", "new"]\n'))  # "old" goes
    write(folder, f"{days[11]}-daily-it-news.md", text(11, extra="tags: \"z y\"\n"))
    # Imported before, then updated by the folder: one with fewer items, one with more.
    before = tmp_path / "before"
    before.mkdir()
    # And one whose kept items' text and insights change: 3 insights become 1, none become 1.
    old_items = [jekyll.Item("옛 제목", "옛 요약", [jekyll.Insight("가", "1"), jekyll.Insight("", "2"),
                                                   jekyll.Insight("다", "3")], "https://example.com/old"),
                 jekyll.Item("제목", "요약 문단입니다.", [], "https://example.com/a?b=1")]
    old_text = jekyll.render(jekyll.Post(title=f"[{days[9]}] 글로벌 IT 뉴스 Top 5",
                                         date=dt.datetime(2026, 8, 10, 9, 0, tzinfo=SEOUL), items=old_items))
    existing = [write(before, f"{days[10]}-daily-it-news.md", text(10, items=4)),
                write(before, f"{days[4]}-daily-it-news.md", text(4, items=1)),
                write(before, f"{days[9]}-daily-it-news.md", old_text)]

    bulk, updated = [], []
    real_create_all, real_update_all = jekyll_io._Importer._create_all, jekyll_io._Importer._update_all

    def create_all(self, preps):
        bulk.extend(prep.name for prep in preps)
        return real_create_all(self, preps)

    def update_all(self, preps):
        updated.extend(prep.name for prep in preps)
        return real_update_all(self, preps)

    monkeypatch.setattr(jekyll_io._Importer, "_create_all", create_all)
    monkeypatch.setattr(jekyll_io._Importer, "_update_all", update_all)

    def run(fast, status):
        monkeypatch.setattr(jekyll_io, "FAST_IMPORT", fast)
        import_paths(existing, status=Status.DRAFT)
        # What an editor added since: the update keeps the digest's tags (in its live version too) and the
        # items' own tags, since items are updated in place.
        grown = Digest.objects.get(date=days[4])
        grown.tags.add("편집", "kept")
        grown.items.get(position=0).tags.add("item-tag")
        Digest.objects.get(date=days[10]).tags.add("kept", "old")
        Digest.objects.get(date=days[9]).tags.add("gone")
        report = import_paths([folder], status=status, batch_size=8)
        stored = _stored_rows()
        Digest.tags.through.objects.all().delete()
        Tag.objects.all().delete()
        Digest.objects.all().delete()
        Series.objects.filter(jekyll_category="brand-new").delete()
        names = ("created", "updated", "failed", "warnings")
        return {name: [str(p) for p in getattr(report, name)] for name in names}, stored

    for status in (Status.PUBLISHED, Status.DRAFT):
        fast_report, fast_rows = run(True, status)
        slow_report, slow_rows = run(False, status)
        assert fast_report == slow_report
        assert fast_rows == slow_rows
        assert len(fast_report["created"]) == 7 and len(fast_report["updated"]) == 4
        assert len(fast_report["failed"]) == 2 and fast_report["warnings"]
        assert len(fast_rows["digests"]) == 10 and fast_rows["tags"]
        grown = fast_rows["digests"][("tech", days[4])]
        if status == Status.PUBLISHED:
            assert grown["live_snapshot"]["extra"]["tags"] == ["kept", "편집"] and len(grown["live_snapshot"]["items"]) == 3
        assert [key for key in fast_rows["items"] if key[0] == ("tech", days[10])] == [
            (("tech", days[10]), position) for position in range(3)]
        assert fast_rows["item_tags"] == [(("tech", days[4]), 0, "item-tag")]
        digest_tags = {}
        for key, name, _slug in fast_rows["tags"]:
            digest_tags.setdefault(key[1], []).append(name)
        assert digest_tags == {days[1]: ["a", "b"], days[4]: ["kept", "편집"], days[10]: ["kept", "new"],
                               days[11]: ["y", "z"]}
        # New digests of known series went in with bulk statements (the existing ones too, before), tagged
        # or not, and so did the updates of digests that existed before the batch.
        assert sorted(bulk) == sorted([f"{days[n]}-daily-it-news.md" for n in (0, 1, 2, 3, 7, 11, 4, 10, 9)])
        assert sorted(updated) == [f"{days[n]}-daily-it-news.md" for n in (4, 9)] + ["not-a-post-name.md"]
        changed = [row for row in fast_rows["insights"] if row[0] == ("tech", days[9])]
        assert changed == [(("tech", days[9]), 0, 0, "라벨", "시사점 내용"), (("tech", days[9]), 1, 0, "라벨", "시사점 내용")]
        bulk.clear()
        updated.clear()


def test_batch_fast_path_invalidates_the_public_pages_once_on_commit(tmp_path, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    from digests import cache

    calls = []
    monkeypatch.setattr(cache, "invalidate", lambda *a, **k: calls.append(1))
    for n in range(3):
        day = dt.date(2026, 9, 1) + dt.timedelta(days=n)
        write(tmp_path, f"{day}-daily-it-news.md",
              post_text(title=f"[{day}] 글로벌 IT 뉴스 Top 5", date=f"{day} 13:00:00 +0900"))
    with django_capture_on_commit_callbacks(execute=True):
        assert len(import_paths([tmp_path], status=Status.DRAFT).created) == 3
    assert calls == []
    Digest.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert len(import_paths([tmp_path]).created) == 3
    assert calls == [1]


def test_a_batch_whose_bulk_write_fails_is_imported_file_by_file(tmp_path, monkeypatch, caplog):
    for n in range(3):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=n)
        write(tmp_path, f"{day}-daily-it-news.md",
              post_text(title=f"[{day}] 글로벌 IT 뉴스 Top 5", date=f"{day} 13:00:00 +0900"))
    real = jekyll_io._insert_dicts

    def insert_dicts(model, rows):
        real(model, rows)
        if model is ReviewEvent:  # the last statement: everything before it is written
            raise RuntimeError("disk full")

    monkeypatch.setattr(jekyll_io, "_insert_dicts", insert_dicts)
    report = import_paths([tmp_path])
    assert "storing 3 files at once failed" in caplog.text
    assert len(report.created) == 3 and not report.failed
    assert Digest.objects.count() == 3 and NewsItem.objects.count() == 6 and ReviewEvent.objects.count() == 3


def test_large_imports_are_parsed_by_worker_processes_with_the_same_result(tmp_path, monkeypatch):
    bad = write(tmp_path, "2026-11-09-daily-it-news.md", "### 제목\n\n**📌 요약**\n요약\n")

    def run(parse_min, pool=None):
        monkeypatch.setattr(jekyll_io, "PARALLEL_PARSE_MIN", parse_min)
        if pool:
            monkeypatch.setattr(jekyll_io, "ProcessPoolExecutor", pool)
        report = import_paths([SAMPLES, bad], batch_size=4)
        rows = _stored_rows()
        Digest.objects.all().delete()
        return [str(p) for p in report.created + report.failed + report.warnings], rows

    serial = run(10**9)
    assert len(serial[0]) == 7 and len(serial[1]["digests"]) == 6
    assert run(0) == serial

    def no_processes(*args, **kwargs):
        raise OSError("daemonic processes are not allowed to have children")

    assert run(0, no_processes) == serial


def test_bulk_runs_freeze_the_existing_objects_for_the_collector_and_restore_them(tmp_path, monkeypatch):
    import gc

    seen = []
    real = jekyll_io._import_paths
    monkeypatch.setattr(jekyll_io, "_import_paths", lambda *args: seen.append(gc.get_freeze_count()) or real(*args))
    assert gc.get_freeze_count() == 0
    import_paths([SAMPLES])
    assert seen[0] > 1000 and gc.get_freeze_count() == 0

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jekyll_io, "_import_paths", broken)
    with pytest.raises(RuntimeError):
        import_paths([SAMPLES])
    assert gc.get_freeze_count() == 0
    calls = []
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    monkeypatch.setattr(gc, "get_freeze_count", lambda: 5000)  # frozen by someone else (a preforking server)
    export_digests(Digest.objects.all(), tmp_path)
    assert calls == [], "left as it was"
