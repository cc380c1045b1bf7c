"""Import N blog posts and export them back: seconds against the targets, SQL queries per post, ratios to plain Python.

    .venv/bin/python bench/export_import.py [--count N] [--fast-commit]

Runs on a throwaway database with settings newsroom.settings_test: a temporary SQLite
file, or with DATABASE_URL a temporary PostgreSQL database created and dropped like the
test runner's. Baselines run in the same process, so their ratios hold on a busy machine:
export against plain Python writes of the same bytes into a fresh folder, import against
reading and parsing the same files without the database.

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

# For 1,000 posts (the blog's size and a half), scaled with --count.
TARGET_IMPORT_SECONDS = 2.0
TARGET_EXPORT_SECONDS = 1.0


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


def blog_posts(count):
    """(file name, bytes) of `count` posts over both series, 5 items × 2 insights, one to three sources each."""
    from digests import jekyll
    from digests.models import Series

    texts = sample_items()
    series = list(Series.objects.filter(slug__in=["tech", "entertainment"]).order_by("slug"))
    posts = []
    for n in range(count):
        s = series[n % len(series)]
        day = dt.date(2000, 1, 1) + dt.timedelta(days=n // len(series))
        items = []
        for position in range(5):
            text = texts[(n * 5 + position) % len(texts)]
            base = text.urls[0].split("?")[0]
            sources = [jekyll.Source(f"{base}?n={n}&s={k}") for k in range(1 + (n + position) % 3)]
            items.append(jekyll.Item(text.title, text.summary, text.insights[:2], sources))
        post = jekyll.Post(title=s.title_for(day), date=dt.datetime.combine(day, dt.time(13, n % 60), tzinfo=s.tzinfo),
                           categories=s.jekyll_category, layout=s.layout, items=items, footer=s.footer,
                           extra={"tags": ["AI", f"tag{n % 7}"]} if n % 2 else {})
        posts.append((jekyll.post_filename(day, s.post_slug), jekyll.render(post).encode("utf-8")))
    return posts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="Posts (default 1,000: the blog's size and a half)")
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

    from digests import jekyll, readers
    from digests.exporting import export_digests
    from digests.jekyll_io import import_paths
    from digests.models import Digest, SearchDocument
    from newsroom.celery import app

    # Queued, not run inline as the test settings do: the import's figures are the import's; the
    # indexing task a worker runs after it is timed on its own below.
    app.conf.task_always_eager = False

    load = os.getloadavg()[0]
    step(f"rendering {count:,} posts (not timed)")
    expected = blog_posts(count)
    blog, site = workdir / "blog", workdir / "site"
    (blog / "_posts").mkdir(parents=True)

    def plain_writes(progress):
        for n, (name, data) in enumerate(expected, start=1):
            with open(blog / "_posts" / name, "wb") as handle:
                handle.write(data)
            progress(n, count)

    baseline_write = Run("plain Python writes of the posts into a fresh folder", plain_writes, count)
    files = sorted((blog / "_posts").iterdir())

    def parse_only(progress):
        for n, f in enumerate(files, start=1):
            jekyll.parse(jekyll.decode(f.read_bytes(), str(f)), str(f))
            progress(n, count)

    baseline_parse = Run("reading and parsing the files without the database", parse_only, count)
    created = Run("importing into empty tables (creates)", lambda p: import_paths([blog], progress=p), count)
    assert len(created.result.created) == count and not created.result.failed, created.result.summary()
    # What the worker then does with the task each batch queued: the Korean analysis for search.
    indexed = Run("indexing them for search (the task the import queued)", lambda p: readers.reindex(), count)
    assert SearchDocument.objects.count() == count
    updated = Run("importing the same posts again (updates)", lambda p: import_paths([blog], progress=p), count)
    assert len(updated.result.updated) == count and not updated.result.failed, updated.result.summary()
    exported = Run("exporting into a fresh folder", lambda p: export_digests(Digest.objects.all(), site, p), count)
    assert len(exported.result.written) == count and not exported.result.failed, exported.result.summary()
    unchanged = Run("exporting again (nothing changes)", lambda p: export_digests(Digest.objects.all(), site, p),
                    count)
    assert len(unchanged.result.unchanged) == count, unchanged.result.summary()
    identical = sum((site / "_posts" / name).read_bytes() == data for name, data in expected)

    commit = ""
    if fast_commit:
        commit = ", WAL + synchronous=NORMAL" if connection.vendor == "sqlite" else ", synchronous_commit=off"
    print(f"bench/export_import.py: {count:,} posts × 5 items × 2 insights, 1-3 sources an item, on "
          f"{connection.vendor}{commit} ({sum(len(d) for _, d in expected) / count / 1024:.1f} KiB per post; "
          f"load average {load:.1f} on {os.cpu_count()} CPUs at the start)")
    print(f"  {'':34} {'seconds':>8} {'posts/s':>8} {'CPU ms/post':>12} {'queries/post':>13}")
    rows = [
        ("import, all digests created", created, TARGET_IMPORT_SECONDS),
        ("import, all digests updated", updated, TARGET_IMPORT_SECONDS),
        ("export, all files written", exported, TARGET_EXPORT_SECONDS),
        ("export, all files unchanged", unchanged, TARGET_EXPORT_SECONDS),
        ("search index (worker, after import)", indexed, None),
        ("baseline: plain writes", baseline_write, None),
        ("baseline: read + parse only", baseline_parse, None),
    ]
    scale = count / 1000
    for name, r, target in rows:
        verdict = ""
        if target is not None:
            limit = target * scale
            verdict = f"  (target ≤ {limit:.1f} s: {'met' if r.wall <= limit else 'MISSED'})"
        queries = f"{r.queries / count:13.2f}" if r.queries else f"{'-':>13}"
        print(f"  {name:34} {r.wall:8.2f} {count / r.wall:8,.0f} {r.cpu / count * 1000:12.3f} {queries}{verdict}")
    print(f"  import (created) / read + parse only:    {created.wall / baseline_parse.wall:.1f}× the time")
    print(f"  export (written) / plain writes:         {exported.wall / baseline_write.wall:.1f}× the time")
    print(f"  round trip: {identical:,}/{count:,} files byte-identical after import → export")


if __name__ == "__main__":
    main()
