"""Export N digests to Jekyll posts and import them back: posts/s, SQL queries per post, ratios to plain Python.

    .venv/bin/python bench/export_import.py [--count N] [--fast-commit]

Runs on a throwaway database with settings newsroom.settings_test: a temporary SQLite
file, or with DATABASE_URL a temporary PostgreSQL database created and dropped like the
test runner's. Baselines run in the same process, so their ratios hold on a busy machine:
export against plain Python writes of the same bytes into a fresh folder, import against
reading and parsing the same files without the database.

Creating files can be slow for minutes after many were deleted (ext4 without a journal, as on
these machines, passes over each recently freed inode): the plain-write baseline runs right before
the export, in the same parent folder, and the report says when it was slow.

--fast-commit shows what commit latency costs: SQLite in WAL mode with synchronous=NORMAL,
PostgreSQL with synchronous_commit=off (commits stop waiting for the disk; neither can
corrupt the database). It changes only the throwaway database.
"""
import argparse
import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings_test")

TARGET_EXPORT = 2000  # posts/s
TARGET_IMPORT = 1000  # posts/s
# Plain writes slower than this (files/s) mean the disk, not the code, sets the export's pace.
SLOW_FILESYSTEM = 5000


def step(text):
    print(f"... {text}", file=sys.stderr, flush=True)


class QueryCounter:
    """connection.execute_wrapper that counts statements (cheaper than CaptureQueriesContext's log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def cpu_seconds():
    """CPU time of this process and of its finished children (import's parse worker, export's writer)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Run:
    """One timed operation: wall seconds, CPU seconds of all its processes, SQL statements sent."""

    def __init__(self, label, func, total):
        from django.db import connection
        from tqdm import tqdm

        counter = QueryCounter()
        step(label)
        with tqdm(total=total, unit="post", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False) as bar:
            def progress(done, _total):
                bar.update(done - bar.n)

            with connection.execute_wrapper(counter):
                wall, cpu = time.perf_counter(), cpu_seconds()
                self.result = func(progress)
                self.wall, self.cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        self.queries = counter.count


def sample_items():
    """Item texts of realistic length, taken from the sample posts (one has Liquid-looking text)."""
    from digests import jekyll

    items = []
    for path in sorted((ROOT / "digests" / "sample_data" / "posts").glob("*.md")):
        items += jekyll.parse(path.read_text(encoding="utf-8"), path.name).items
    return items


def create_digests(count):
    """count published digests over both series, 5 items × 2 insights each, with bulk inserts."""
    from digests.models import Digest, Insight, NewsItem, Series, Status

    texts = sample_items()
    series = list(Series.objects.filter(slug__in=["tech", "entertainment"]).order_by("slug"))
    start_day = dt.date(2000, 1, 1)
    digests = []
    for n in range(count):
        s = series[n % len(series)]
        day = start_day + dt.timedelta(days=n // len(series))
        digests.append(Digest(
            series=s, date=day, slug=s.post_slug, title=s.title_for(day), status=Status.PUBLISHED,
            published_at=dt.datetime.combine(day, dt.time(13, n % 60, n % 59), tzinfo=s.tzinfo), footer=s.footer,
        ))
    Digest.objects.bulk_create(digests, batch_size=2000)
    items, pending = [], []
    for d_index, digest in enumerate(digests):
        for position in range(5):
            source = texts[(d_index * 5 + position) % len(texts)]
            item = NewsItem(digest=digest, position=position, title=source.title, summary=source.summary,
                            source_url=f"{source.source_url.split('?')[0]}?n={d_index}")
            items.append(item)
            pending.append((item, source))
    NewsItem.objects.bulk_create(items, batch_size=2000)
    Insight.objects.bulk_create(
        [Insight(news_item=item, position=p, label=i.label, text=i.text)
         for item, source in pending for p, i in enumerate(source.insights[:2])],
        batch_size=2000,
    )


def wipe():
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("digests_reviewevent", "digests_insight", "digests_newsitem", "digests_digest"):
            cursor.execute(f"DELETE FROM {table}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="Digests to create (default 10,000)")
    parser.add_argument("--fast-commit", action="store_true",
                        help="SQLite WAL + synchronous=NORMAL / PostgreSQL synchronous_commit=off")
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    logging.disable(logging.INFO)  # a cache log line per import would time the terminal, not the import
    from django.db import connection

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    db = settings.DATABASES["default"]
    sqlite = db["ENGINE"].endswith("sqlite3")
    if sqlite:
        # A file like the real deployment's, not the test runner's in-memory database.
        db.setdefault("TEST", {})["NAME"] = str(workdir / "bench.sqlite3")
    if args.fast_commit:
        options = db.setdefault("OPTIONS", {})
        if sqlite:
            options["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
        else:
            options["options"] = (options.get("options", "") + " -c synchronous_commit=off").strip()
    step(f"creating a throwaway {connection.vendor} database (migrations)")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.count, workdir, args.fast_commit)
    finally:
        connection.creation.destroy_test_db(db["NAME"], verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)


def run(count, workdir, fast_commit):
    from django.db import connection

    from digests import jekyll
    from digests.jekyll_io import export_digests, import_paths
    from digests.models import Digest

    load = os.getloadavg()[0]
    step(f"creating {count:,} digests with bulk inserts")
    start = time.perf_counter()
    create_digests(count)
    step(f"created in {time.perf_counter() - start:.1f} s")

    site, again, plain = workdir / "site", workdir / "site2", workdir / "plain"
    step("rendering the posts once for the plain-write baseline (not timed)")
    from digests.jekyll_io import _posts_of

    expected = sorted((jekyll.post_filename(d.date, d.slug), jekyll.render(p).encode("utf-8"))
                      for d, p in _posts_of(Digest.objects.all()))
    (plain / "_posts").mkdir(parents=True)

    def plain_writes(progress):
        for n, (name, data) in enumerate(expected, start=1):
            with open(plain / "_posts" / name, "wb") as handle:
                handle.write(data)
            progress(n, count)

    # Right before the export, in a sibling folder: both meet the filesystem in the same state.
    baseline_write = Run("plain Python writes of the same bytes into a fresh folder", plain_writes, count)
    exported = Run("exporting", lambda p: export_digests(Digest.objects.all(), site, p), count)
    assert len(exported.result.written) == count and not exported.result.failed, exported.result.summary()
    unchanged = Run("exporting again (nothing changes)", lambda p: export_digests(Digest.objects.all(), site, p), count)
    assert len(unchanged.result.unchanged) == count, unchanged.result.summary()

    files = sorted((site / "_posts").iterdir())
    contents = [f.read_bytes() for f in files]
    assert [(f.name, data) for f, data in zip(files, contents)] == expected

    def parse_only(progress):
        for n, f in enumerate(files, start=1):
            jekyll.parse(jekyll.decode(f.read_bytes(), str(f)), str(f))
            progress(n, count)

    baseline_parse = Run("reading and parsing the files without the database", parse_only, count)
    updated = Run("importing back over the same digests (updates)", lambda p: import_paths([site], progress=p), count)
    assert len(updated.result.updated) == count and not updated.result.failed, updated.result.summary()
    wipe()
    created = Run("importing into empty tables (creates)", lambda p: import_paths([site], progress=p), count)
    assert len(created.result.created) == count and not created.result.failed, created.result.summary()

    step("checking the round trip: export of the imported digests")
    again.mkdir()
    export_digests(Digest.objects.all(), again)
    identical = sum((again / "_posts" / f.name).read_bytes() == data for f, data in zip(files, contents))

    commit = ""
    if fast_commit:
        commit = ", WAL + synchronous=NORMAL" if connection.vendor == "sqlite" else ", synchronous_commit=off"
    print(f"bench/export_import.py: {count:,} digests × 5 items × 2 insights on {connection.vendor}{commit} "
          f"({sum(map(len, contents)) / count / 1024:.1f} KiB per post; load average {load:.1f} "
          f"on {os.cpu_count()} CPUs at the start)")
    print(f"  {'':34} {'seconds':>8} {'posts/s':>8} {'CPU ms/post':>12} {'queries/post':>13}"
          "   (CPU: all processes)")
    rows = [
        ("export, all files written", exported, TARGET_EXPORT),
        ("export, all files unchanged", unchanged, None),
        ("import, all digests created", created, TARGET_IMPORT),
        ("import, all digests updated", updated, TARGET_IMPORT),
        ("baseline: plain writes", baseline_write, None),
        ("baseline: read + parse only", baseline_parse, None),
    ]
    for name, r, target in rows:
        met = target is not None and count / r.wall >= target
        verdict = "" if target is None else f"  (target ≥ {target:,}: {'met' if met else 'MISSED'})"
        queries = f"{r.queries / count:13.3f}" if r.queries else f"{'-':>13}"
        print(f"  {name:34} {r.wall:8.2f} {count / r.wall:8,.0f} {r.cpu / count * 1000:12.3f} {queries}{verdict}")
    print(f"  export / plain writes of the same bytes: {exported.wall / baseline_write.wall:.1f}× the time")
    print(f"  import (created) / read + parse only:    {created.wall / baseline_parse.wall:.1f}× the time")
    print(f"  round trip: {identical:,}/{count:,} files byte-identical after export → import → export")
    if count / baseline_write.wall < SLOW_FILESYSTEM:
        print(f"  note: plain writes ran at {count / baseline_write.wall:,.0f} files/s, so file creation itself is slow "
              "right now; on ext4 without a journal that follows deleting many files (an earlier run's cleanup) "
              "for a few minutes. Run again later for figures of the code rather than of the disk.")


if __name__ == "__main__":
    main()
