"""Feed fetching and story merging speed, each against a baseline measured in the same process.

    .venv/bin/python bench/ingest.py [--feeds 9] [--delay 1.0] [--entries 10000] [--no-baseline]

1. Fetch: N local feeds (127.0.0.1) that each answer after DELAY seconds, fetched the way
   generation does (concurrently) against one after another (the old script). Target: <= 2 s for 9.
2. Merge and rank ENTRIES synthetic entries (10 % told twice in other words) against comparing
   every title with every other one. Target: <= 1 s for 10,000.
No database is used.
"""
import argparse
import datetime as dt
import os
import random
import string
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings_test")

FETCH_TARGET = 2.0
MERGE_TARGET = 1.0


def step(text):
    print(f"... {text}", file=sys.stderr, flush=True)


def bench_fetch(count, delay, baseline):
    from django.conf import settings

    from digests.generation import fetch
    from digests.tests.fakes.feeds import FeedServer, rss, stories

    settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    now = dt.datetime.now(dt.timezone.utc)
    with FeedServer() as server:
        sources = []
        for n in range(count):
            url = server.add(f"/feed{n}.xml", body=rss(stories(f"feed{n}", 30, now)), delay=delay)
            sources.append(SimpleNamespace(pk=n, name=f"feed{n}", url=url, etag="", last_modified=""))
        step(f"fetching {count} feeds that each answer after {delay:g} s, concurrently (best of 3)")
        concurrent = None
        for _ in range(3):
            started = time.perf_counter()
            results = fetch.fetch_all(sources)
            elapsed = time.perf_counter() - started
            concurrent = elapsed if concurrent is None else min(concurrent, elapsed)
        bad = [r for r in results if r.status != "ok"]
        if bad:
            raise SystemExit(f"Fetch failed: {bad[0].as_dict()} — is something else using 127.0.0.1?")
        serial = None
        if baseline:
            step("fetching them one after another (baseline)")
            started = time.perf_counter()
            for source in sources:
                fetch.fetch_all([source])
            serial = time.perf_counter() - started
    return concurrent, serial


def synthetic_entries(count, seed=7):
    from digests.generation.merge import Entry

    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(4000)]
    now = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.timezone.utc)
    entries = []
    for n in range(count):
        if n % 10 == 9:  # the previous story again, from another source, punctuated differently
            prev = entries[-1]
            title = prev.title.title() + "!"
            url = f"https://other{n % 9}.example/{n}"
        else:
            title = " ".join(rng.choices(words, k=rng.randint(6, 12)))
            url = f"https://site{n % 9}.example/{n}?utm_source=rss"
        entries.append(Entry(n, n % 9, f"Source {n % 9}", 1.0 + (n % 3) / 10, url, url.split("?")[0], title,
                             f"{title}. Summary.", now - dt.timedelta(minutes=rng.randint(0, 1440))))
    return entries, now


def all_pairs(entries):
    """The baseline: compare every title with every other one (no blocking)."""
    from rapidfuzz import fuzz, process

    from digests.generation.merge import TITLE_SIMILARITY, normalize_title

    titles = [" ".join(sorted(normalize_title(e.title, e.url).split())) for e in entries]
    pairs = 0
    for i, title in enumerate(titles):
        pairs += len(process.extract(title, titles[i + 1:], scorer=fuzz.ratio, score_cutoff=TITLE_SIMILARITY,
                                     limit=None))
    return pairs


def bench_merge(count, baseline):
    from digests.generation.merge import rank

    entries, now = synthetic_entries(count)
    step(f"merging and ranking {count:,} entries (best of 3)")
    best = cpu = None
    for _ in range(3):
        started, cpu_started = time.perf_counter(), time.process_time()
        candidates = rank(entries, now)
        elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu_started
        best = elapsed if best is None else min(best, elapsed)
        cpu = cpu_used if cpu is None else min(cpu, cpu_used)
    merged = sum(1 for c in candidates if len(c.entry_ids) > 1)
    naive = None
    if baseline:
        step(f"comparing all {count * (count - 1) // 2:,} title pairs (baseline, slow)")
        started = time.perf_counter()
        all_pairs(entries)
        naive = time.perf_counter() - started
    return best, cpu, naive, len(candidates), merged


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=9)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--no-baseline", action="store_true", help="skip the slow baselines")
    args = parser.parse_args()

    import django

    django.setup()
    concurrent, serial = bench_fetch(args.feeds, args.delay, not args.no_baseline)
    merge_time, merge_cpu, naive, candidates, merged = bench_merge(args.entries, not args.no_baseline)

    print(f"fetch  {args.feeds} feeds x {args.delay:g} s: concurrent {concurrent:.2f} s"
          + (f", one by one {serial:.2f} s, ratio {serial / concurrent:.1f}x" if serial else "")
          + f"  [target <= {FETCH_TARGET:g} s: {'ok' if concurrent <= FETCH_TARGET else 'MISSED'}]")
    # Other processes on a shared machine stretch wall time: CPU time says what the code itself costs.
    print(f"merge  {args.entries:,} entries -> {candidates:,} candidates ({merged:,} merged): {merge_time:.3f} s"
          f" (CPU {merge_cpu:.3f} s)"
          + (f", all pairs {naive:.2f} s, ratio {naive / merge_time:.1f}x" if naive else "")
          + f"  [target <= {MERGE_TARGET:g} s: {'ok' if merge_time <= MERGE_TARGET else 'MISSED'}]")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0 if concurrent <= FETCH_TARGET and merge_time <= MERGE_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
