"""Recall and precision of the Korean search on our own query set (bench/search_queries.json over the sample posts).

    .venv/bin/python bench/search.py [--verbose]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/search.py

Builds a throwaway test database (SQLite in memory, or a test database next to DATABASE_URL's),
makes every sample post a live digest (indexed as publishing indexes it), then runs each query
through the site's search and compares the digests found with those expected. Prints each
query's misses and extras, then recall and precision over the whole set, and the time per query.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings_test")
POSTS = ROOT / "digests" / "sample_data" / "posts"
QUERIES = Path(__file__).with_name("search_queries.json")


def step(text):
    print(f"... {text}", file=sys.stderr, flush=True)


def load_posts():
    """Every sample post as a live digest; returns {digest id: file name without .md}."""
    from digests import jekyll
    from digests.models import Digest, Series, Status
    from digests.posts import post_to_snapshot

    names = {}
    for path in sorted(POSTS.glob("*.md")):
        post = jekyll.parse(path.read_text(encoding="utf-8"), path.name)
        series = Series.objects.get(jekyll_category=post.categories)
        digest = Digest(series=series, date=post.date.date(), slug=series.post_slug, title=post.title,
                        published_at=post.date, status=Status.PUBLISHED, live_snapshot=post_to_snapshot(post))
        digest.save()  # post_save indexes it, as a publish does
        names[digest.pk] = path.stem
    return names


def everything(value) -> str:
    """Every string of a live version, footer and URLs included: what the substring search before this one matched."""
    if isinstance(value, dict):
        return "\n".join(everything(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(everything(v) for v in value)
    return value if isinstance(value, str) else ""


def substring_search(texts, query):
    """The baseline: digests whose text contains every word of the query as typed (no analysis)."""
    words = [w.lower() for w in query.split()]
    return {name for name, text in texts.items() if all(w in text for w in words)}


def score(found_by_query, queries):
    true_pos = sum(len(found & set(q["expect"])) for found, q in zip(found_by_query, queries))
    expected = sum(len(q["expect"]) for q in queries)
    found = sum(len(f) for f in found_by_query)
    empty = [not f for f, q in zip(found_by_query, queries) if not q["expect"]]
    return (true_pos / expected if expected else 1.0, true_pos / found if found else 1.0, true_pos, expected,
            found, sum(empty), len(empty))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every query, not only the imperfect ones")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from digests import search

    setup_test_environment()
    step(f"creating a throwaway {connection.vendor} database")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        names = load_posts()
        step(f"{len(names)} sample posts live and indexed in {time.perf_counter() - started:.1f} s "
             "(includes loading the Korean analyser)")
        queries = json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]
        from digests.models import Digest

        texts = {names[pk]: everything(snap).lower() for pk, snap in Digest.objects.values_list("pk", "live_snapshot")}
        ours, baseline, timings = [], [], []
        print(f"\nbench/search.py  {len(queries)} queries, {len(names)} digests, {connection.vendor}")
        for query in queries:
            expected = set(query["expect"])
            begin = time.perf_counter()
            found = {names[pk] for pk in search.ranked_ids(search.query_terms(query["q"]))}
            timings.append(time.perf_counter() - begin)
            ours.append(found)
            baseline.append(substring_search(texts, query["q"]))
            if args.verbose or found != expected:
                missed, extra = sorted(expected - found), sorted(found - expected)
                print(f"  {query['q']:<16} terms {search.query_terms(query['q'])}  found {len(found)}/"
                      f"{len(expected)} expected" + (f"  missed {missed}" if missed else "")
                      + (f"  extra {extra}" if extra else ""))
        print(f"{'':34}{'recall':>8}{'precision':>11}{'empty ok':>10}")
        for label, found_by_query in [("kiwi stems (this search)", ours),
                                      ("substring, footer and URLs (before)", baseline)]:
            recall, precision, tp, expected, found, empty_ok, empty_total = score(found_by_query, queries)
            print(f"{label:34}{recall:8.3f}{precision:11.3f}{f'{empty_ok}/{empty_total}':>10}"
                  f"   ({tp} of {expected} expected found, {found} found)")
        print(f"time per query: median {sorted(timings)[len(timings) // 2] * 1000:.2f} ms, "
              f"max {max(timings) * 1000:.2f} ms")
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
