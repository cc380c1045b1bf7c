"""jekyll_io: import by (series, date), byte-identical export, bad files refused whole, bounded queries."""
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests import jekyll, jekyll_io
from digests.exporting import export_digests
from digests.jekyll_io import import_paths, import_post
from digests.models import Digest, Insight, ItemSource, NewsItem, ReviewEvent, Series, Status
from digests.posts import digest_snapshot, with_content
from digests.tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
SAMPLES = Path(__file__).resolve().parents[1] / "sample_data" / "posts"


def post_text(title="[2026-03-01] 글로벌 IT 뉴스 Top 5", date="2026-03-01 13:00:00 +0900", categories="tech",
              items=2, extra="", footer=True):
    item = jekyll.Item(
        title="제목", summary="요약 문단입니다.", sources=[jekyll.Source("https://example.com/a?b=1")],
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
    assert [(i.title, i.summary, [s.url for s in i.sources.all()]) for i in items] == [
        (i.title, i.summary, i.urls) for i in post.items]
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
    text = post_text(title="[2026-03-01] 오늘의 글로벌 IT 뉴스 Top 5 {beta}", categories="science")
    report = import_paths([write(tmp_path, "2026-03-01-daily-it-news.md", text)])
    assert len(report.created) == 1, report.failed
    series = Series.objects.get(jekyll_category="science")
    assert (series.slug, series.name, series.post_slug, series.layout) == ("science", "science", "daily-it-news", "default")
    assert series.title_template == "[{date}] 오늘의 글로벌 IT 뉴스 Top 5 {{beta}}"
    assert series.title_for(dt.date(2026, 3, 2)) == "[2026-03-02] 오늘의 글로벌 IT 뉴스 Top 5 {beta}"
    assert Digest.objects.get().series == series

    # A second post of that category joins it, and the export gives the file back.
    second = write(tmp_path, "2026-03-02-daily-it-news.md", text.replace("2026-03-01", "2026-03-02"))
    assert import_paths([second]).created and Series.objects.filter(jekyll_category="science").count() == 1
    export_digests(Digest.objects.all(), tmp_path / "site")
    assert (tmp_path / "site" / "_posts" / second.name).read_bytes() == second.read_bytes()


def test_a_file_that_fails_in_the_database_leaves_nothing_and_the_series_it_made_goes_too(tmp_path, monkeypatch):
    good = write(tmp_path, "2026-03-01-daily-it-news.md", post_text())
    bad = write(tmp_path, "2026-03-02-daily-it-news.md",
                post_text(categories="brand-new", date="2026-03-02 09:00:00 +0900"))
    real_store_items = jekyll_io._Importer._store_items

    # After the series was made and the digest recorded, while its rows wait for the batch's INSERTs.
    def store_items(self, digest, items, created):
        if digest.series.jekyll_category == "brand-new":
            raise RuntimeError("disk full")
        return real_store_items(self, digest, items, created)

    monkeypatch.setattr(jekyll_io._Importer, "_store_items", store_items)
    report = import_paths([good, bad])
    assert report.created == [str(good)]
    assert [str(f) for f in report.failed] == [f"{bad}: 저장하지 않음: RuntimeError: disk full"]
    assert not Series.objects.filter(jekyll_category="brand-new").exists()
    assert Digest.objects.count() == 1 and NewsItem.objects.count() == 2
    assert list(ReviewEvent.objects.values_list("digest__date", flat=True)) == [dt.date(2026, 3, 1)]


def test_a_file_the_database_refuses_at_the_batch_commit_fails_alone(tmp_path):
    """Two series with one post slug: their posts of a day would be one blog file. The batch's INSERT is
    refused; imported again file by file, only the second of the two fails, and says why."""
    SeriesFactory(slug="culture", jekyll_category="culture", post_slug="daily-it-news")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "2026-03-01-daily-it-news.md", post_text())
    other = write(tmp_path / "a", "2026-03-02-daily-it-news.md", post_text(date="2026-03-02 13:00:00 +0900"))
    clash = write(tmp_path / "b", "2026-03-01-daily-it-news.md", post_text(categories="culture"))
    report = import_paths([tmp_path / "a", tmp_path / "b"])
    assert report.created == [str(first), str(other)]
    assert [f.path for f in report.failed] == [str(clash)]
    assert "IntegrityError" in report.failed[0].message and "live_slug" in report.failed[0].message
    assert sorted(Digest.objects.values_list("series__slug", "date")) == [
        ("tech", dt.date(2026, 3, 1)), ("tech", dt.date(2026, 3, 2))]
    assert NewsItem.objects.count() == 4 and ReviewEvent.objects.count() == 2


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
    assert failed[latin1.name].line == latin1_line and "UTF-8이 아닙니다" in failed[latin1.name].message
    assert failed[no_front.name].line == 1 and "front matter가 없습니다" in failed[no_front.name].message
    assert failed[bad_date.name].line == 4 and "2026-13-45" in failed[bad_date.name].message
    assert "글에 항목이 없습니다" in failed[no_item.name].message
    assert str(failed[too_long.name]) == f"{too_long}: 제목이(가) 301자입니다. 최대 300자까지 들어가니 줄이세요"
    assert str(failed["nowhere.md"]) == f"{missing}: 그런 파일이나 폴더가 없습니다. 경로를 확인하세요"
    assert Digest.objects.count() == 1 and ReviewEvent.objects.count() == 1
    assert NewsItem.objects.count() == 2
    assert report.summary() == "가져온 글 1개(새로 만듦 1개, 갱신 0개), 실패 6개"


def test_a_file_that_is_not_a_post_is_reported_in_korean(tmp_path):
    path = write(tmp_path, "2026-03-03-daily-it-news.md", "### 제목\n\n**📌 요약**\n요약\n")
    report = import_paths([path])
    assert [str(problem) for problem in report.failed] == [
        f"{path}:1: front matter가 없습니다. 글은 '---' 줄로 시작해야 합니다"]


def test_warnings_are_reported_with_file_and_line(tmp_path):
    text = (post_text(extra="author: 뉴스봇\n").replace("**📌 요약**", "**📌 요정**  ").replace("### ", "#### ", 1)
            .replace("\n", "\r\n"))
    path = write(tmp_path, "2026-03-01-daily-it-news.md", text)
    report = import_paths([path])
    assert report.created == [str(path)]
    messages = [str(w) for w in report.warnings]
    assert f"{path}:1: front matter 키 'author'은(는) 다이제스트의 생성 기록에 보관하지만 내보내지는 않습니다" in messages
    # The parser's own warnings are translated too, in the report and in the provenance.
    no_header = "항목 제목이 '#' 3개가 아니라 4개로 쓰여 있습니다"
    assert any(m.startswith(f"{path}:") and m.endswith(no_header) for m in messages)
    digest = Digest.objects.get()
    assert any(w.endswith(no_header) for w in digest.provenance["import"]["warnings"])
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
    assert [str(f) for f in report.failed] == [
        f"{tmp_path / 'empty'}: 이 폴더에 글 파일(*.md, *.markdown)이 없습니다. 사이트 폴더나 그 _posts 폴더, 또는 글 "
        "파일을 지정하세요"]


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
    # None, whatever the number of items in the post: the batch reads its digests with one query, and
    # writes the digests, audit rows, items, insights and sources of all its files together. A new post
    # of a known series writes nothing before that, so it takes no savepoint either.
    assert len(eight) == len(two), [q["sql"][:60] for q in eight.captured_queries]
    with CaptureQueriesContext(connection) as two_again:
        assert len(import_paths([tmp_path / "two"]).updated) == 2
    with CaptureQueriesContext(connection) as eight_again:
        assert len(import_paths([tmp_path / "eight"]).updated) == 8
    # The same posts again: only the digest's UPDATE, its one write (no savepoint); the batch read its
    # digests' items, insights, sources and tags with them, found them unchanged and left them alone.
    assert (len(eight_again) - len(two_again)) / 6 == 1, [q["sql"][:60] for q in eight_again.captured_queries]




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


def test_an_item_keeps_every_source_in_order_and_the_export_gives_them_back(tmp_path):
    text = post_text(items=1).replace(
        "**[🔗 원문 기사 보기](https://example.com/a?b=1)**",
        "**[🔗 원문 기사 보기](https://example.com/a?b=1)**\n**[🔗 원문 기사 보기](https://other.example/b)**\n"
        "**[🔗 원문 기사 보기](https://third.example/c)**")
    path = write(tmp_path, "2026-03-01-daily-it-news.md", text)
    report = import_paths([path])
    assert report.created and not report.warnings
    item = NewsItem.objects.get()
    assert list(item.sources.values_list("position", "url")) == [
        (0, "https://example.com/a?b=1"), (1, "https://other.example/b"), (2, "https://third.example/c")]
    assert "https://other.example/b" not in item.summary
    export_digests(Digest.objects.all(), tmp_path / "site")
    assert (tmp_path / "site" / "_posts" / path.name).read_bytes() == path.read_bytes()
    # Re-importing with one source fewer leaves exactly the two named.
    write(tmp_path, path.name, text.replace("\n**[🔗 원문 기사 보기](https://third.example/c)**", ""))
    assert import_paths([path]).updated
    assert list(ItemSource.objects.values_list("url", flat=True)) == [
        "https://example.com/a?b=1", "https://other.example/b"]


def test_early_news_posts_join_the_tech_series_and_keep_their_category(tmp_path, tech):
    text = post_text(title="[2025-12-01] 오늘의 글로벌 IT 뉴스 Top 5", date="2025-12-01 13:00:00 +0900",
                     categories="news")
    path = write(tmp_path, "2025-12-01-daily-it-news.md", text)
    assert import_paths([path]).created
    digest = Digest.objects.get()
    assert (digest.series, digest.category, digest.jekyll_category) == (tech, "news", "news")
    assert digest.get_absolute_url() == "/news/2025/12/01/daily-it-news.html"
    assert not Series.objects.filter(jekyll_category="news").exists()
    assert digest.live_snapshot["categories"] == "news"
    export_digests(Digest.objects.all(), tmp_path / "site")
    assert (tmp_path / "site" / "_posts" / path.name).read_bytes() == path.read_bytes()




def test_import_as_published_refuses_what_publish_would_refuse(tmp_path):
    text = post_text().replace("요약 문단입니다.", "요약 <img src=x onerror=alert(1)> 문단")
    path = write(tmp_path, "2026-03-01-daily-it-news.md", text)
    report = import_paths([path])
    assert not report.created and len(report.failed) == 1
    assert "발행 불가" in report.failed[0].message and "HTML" in report.failed[0].message
    assert not Digest.objects.exists()
    assert import_paths([path], status=Status.DRAFT).created  # a draft is not live: an editor fixes it


def test_import_as_published_sends_the_publish_signals(tmp_path, django_capture_on_commit_callbacks):
    from digests import signals

    seen = []

    def receiver(sender, digest, **kwargs):
        seen.append(digest.pk)

    signals.digest_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_paths([SAMPLES / "2026-11-02-daily-it-news.md"])
            import_paths([SAMPLES / "2026-11-02-daily-it-news.md"])  # unchanged: not published again
    finally:
        signals.digest_published.disconnect(receiver)
    assert seen == [Digest.objects.get().pk]


def test_a_new_post_that_fails_after_it_was_recorded_leaves_no_row_and_no_signal(
        tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """Such a file opened no savepoint (it had written nothing): what it left waiting, its publish signal
    included, goes with it, and the file beside it is imported and announced as usual."""
    from digests import signals

    good = write(tmp_path, "2026-03-01-daily-it-news.md", post_text())
    bad = write(tmp_path, "2026-03-02-daily-it-news.md", post_text(date="2026-03-02 13:00:00 +0900"))
    real_store_items = jekyll_io._Importer._store_items

    def store_items(self, digest, items, created):
        if digest.date == dt.date(2026, 3, 2):
            raise RuntimeError("disk full")
        return real_store_items(self, digest, items, created)

    monkeypatch.setattr(jekyll_io._Importer, "_store_items", store_items)
    seen = []

    def receiver(sender, digest, **kwargs):
        seen.append(digest.date)

    signals.digest_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = import_paths([good, bad])
    finally:
        signals.digest_published.disconnect(receiver)
    assert report.created == [str(good)] and [f.path for f in report.failed] == [str(bad)]
    assert seen == [dt.date(2026, 3, 1)]
    assert list(Digest.objects.values_list("date", flat=True)) == [dt.date(2026, 3, 1)]
    assert ReviewEvent.objects.count() == 1 and NewsItem.objects.count() == 2


def test_an_update_refused_after_its_items_changed_leaves_the_digest_as_it_was(tmp_path):
    """The items are rewritten before the workflow's check refuses the post: the file's savepoint,
    opened by the first of those writes, takes them back (and the file beside it is imported)."""
    path = write(tmp_path, "2026-03-01-daily-it-news.md", post_text(items=3, extra='tags: ["a"]\n'))
    assert import_paths([path]).created
    before = list(NewsItem.objects.values_list("position", "title", "summary"))
    sources = list(ItemSource.objects.values_list("news_item_id", "url"))
    changed = (post_text(items=2, extra='tags: ["b"]\n').replace("### 제목", "### 새 제목")
               .replace("요약 문단입니다.", "요약 <img src=x onerror=alert(1)> 문단")
               .replace("https://example.com/a?b=1", "https://example.com/new"))
    write(tmp_path, "2026-03-01-daily-it-news.md", changed)
    other = write(tmp_path, "2026-03-02-daily-it-news.md", post_text(date="2026-03-02 13:00:00 +0900"))
    report = import_paths([tmp_path])
    assert report.created == [str(other)] and [f.path for f in report.failed] == [str(path)]
    digest = Digest.objects.get(date=dt.date(2026, 3, 1))
    assert list(digest.items.values_list("position", "title", "summary")) == before
    assert list(ItemSource.objects.filter(news_item__digest=digest).values_list("news_item_id", "url")) == sources
    assert list(digest.tags.names()) == ["a"] and digest.version == 1


def test_two_files_of_one_batch_for_the_same_day_and_a_file_name_without_a_date(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "2026-03-01-daily-it-news.md", post_text(items=3, extra='tags: ["a"]\n'))
    second = write(tmp_path / "b", "2026-03-01-daily-it-news.md",
                   post_text(items=2, extra='tags: ["b"]\n').replace("### 제목", "### 둘째 파일의 제목"))
    undated = write(tmp_path / "b", "early-post.md", post_text(date="2026-03-02 13:00:00 +0900", items=1))
    report = import_paths([first, second, undated])
    assert (len(report.created), len(report.updated), report.failed) == (2, 1, [])
    digest = Digest.objects.get(date=dt.date(2026, 3, 1))
    assert list(digest.items.values_list("title", flat=True)) == ["둘째 파일의 제목", "둘째 파일의 제목"]
    assert Insight.objects.filter(news_item__digest=digest).count() == 2
    assert ItemSource.objects.filter(news_item__digest=digest).count() == 2
    assert sorted(digest.tags.names()) == ["b"]
    assert digest.live_snapshot == digest_snapshot(with_content(Digest.objects.filter(pk=digest.pk)).get())
    assert Digest.objects.get(date=dt.date(2026, 3, 2)).items.count() == 1
