"""Story merging: precision and recall on our labelled day, and the time for 10,000 entries, each against
the merge of 451b2b0 (titles only) as baseline, run in the same process.

    .venv/bin/python bench/merge.py [--entries 10000] [--labelled bench/merge_labelled.json] [--show]

Precision and recall are over pairs of entries: a pair is "same" when the set labels both with one story.
The baseline is digests/generation/merge.py as it was at 451b2b0, read from git. No database is used.
"""
import argparse
import datetime as dt
import itertools
import json
import os
import random
import string
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings_test")

BASELINE_COMMIT = "451b2b0"
TARGET = 1.0
NOW = dt.datetime(2026, 2, 2, 12, 0, tzinfo=dt.timezone.utc)


def step(text):
    print(f"... {text}", file=sys.stderr, flush=True)


def baseline_module():
    """merge.py of BASELINE_COMMIT, loaded as a module of the same package (its relative imports work)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:digests/generation/merge.py"],
                            capture_output=True, text=True)
    if source.returncode:
        raise SystemExit(f"Cannot read the baseline from git ({source.stderr.strip()}): run from a clone with history.")
    module = types.ModuleType("digests.generation.merge_baseline")
    module.__package__ = "digests.generation"
    exec(compile(source.stdout, f"{BASELINE_COMMIT}:merge.py", "exec"), module.__dict__)
    return module


def labelled_entries(path, module):
    from digests.generation.urls import canonicalize

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    entries, labels = [], {}
    fields = set(module.Entry.__dataclass_fields__)
    for story in data["stories"]:
        for n, item in enumerate(story["entries"]):
            entry_id = len(entries) + 1
            values = dict(id=entry_id, source_id=hash(item["source"]) % 1000, source_name=item["source"], weight=1.0,
                          url=item["url"], canonical_url=canonicalize(item["url"]), title=item["title"],
                          summary=item.get("summary", ""), published_at=NOW - dt.timedelta(hours=n + 1),
                          links=tuple(canonicalize(u) for u in item.get("links", ())))
            entries.append(module.Entry(**{k: v for k, v in values.items() if k in fields}))
            labels[entry_id] = story["story"]
    return entries, labels


def score(module, entries, labels):
    clusters = module.cluster(entries)
    predicted = {e.id: n for n, group in enumerate(clusters) for e in group}
    tp = fp = fn = 0
    mistakes = []
    for a, b in itertools.combinations(entries, 2):
        same, merged = labels[a.id] == labels[b.id], predicted[a.id] == predicted[b.id]
        tp += same and merged
        fp += merged and not same
        fn += same and not merged
        if same != merged:
            mistakes.append(("merged, different stories" if merged else "missed", a.title, b.title))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn, mistakes


def synthetic(module, count, seed=7):
    """A day of COUNT entries: English and Korean titles with names and numbers, 10 % told again in other words
    (a word swapped, another order) and 5 % retold in the other language with the same names and numbers."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(4000)]
    names = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 7))).title() for _ in range(1500)]
    syllables = [chr(0xAC00 + rng.randrange(11172)) for _ in range(600)]
    korean = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(3000)]
    fields = set(module.Entry.__dataclass_fields__)
    entries = []
    for n in range(count):
        if n % 10 == 9:  # the previous story again, from another source, in other words
            prev = entries[-1]
            parts = prev.title.split()
            parts[rng.randrange(len(parts))] = rng.choice(words)
            rng.shuffle(parts)
            title, summary, url = " ".join(parts), prev.summary, f"https://other{n % 9}.example/{n}"
        elif n % 20 == 8:  # the previous story in Korean: its names and numbers, Korean words around them
            prev = entries[-1]
            kept = [w for w in prev.title.split() if w[:1].isupper() or w[:1] in "$0123456789"]
            title = " ".join(kept + rng.choices(korean, k=5))
            summary, url = " ".join(kept + rng.choices(korean, k=12)) + "다.", f"https://ko{n % 9}.example/{n}"
        else:
            picked = rng.choices(words, k=rng.randint(5, 9)) + rng.sample(names, 2)
            if n % 3 == 0:
                picked.append(f"${rng.randint(2, 900)} billion")
            rng.shuffle(picked)
            title = " ".join(picked)
            summary = f"{title}. " + " ".join(rng.choices(words, k=25)) + "."
            url = f"https://site{n % 9}.example/{n}?utm_source=rss"
        values = dict(id=n, source_id=n % 9, source_name=f"Source {n % 9}", weight=1.0 + (n % 3) / 10, url=url,
                      canonical_url=url.split("?")[0], title=title, summary=summary,
                      published_at=NOW - dt.timedelta(minutes=rng.randint(0, 1440)))
        entries.append(module.Entry(**{k: v for k, v in values.items() if k in fields}))
    return entries


def timed(module, entries):
    best = cpu = None
    for _ in range(3):
        started, cpu_started = time.perf_counter(), time.process_time()
        candidates = module.rank(entries, NOW)
        elapsed, used = time.perf_counter() - started, time.process_time() - cpu_started
        best = elapsed if best is None else min(best, elapsed)
        cpu = used if cpu is None else min(cpu, used)
    return best, cpu, len(candidates)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--labelled", default=str(ROOT / "bench" / "merge_labelled.json"))
    parser.add_argument("--show", action="store_true", help="list the pairs each merge gets wrong")
    args = parser.parse_args()

    import django

    django.setup()
    from digests.generation import merge

    baseline = baseline_module()
    rows = {}
    for label, module in (("baseline", baseline), ("merge", merge)):
        step(f"{label}: scoring the labelled set")
        entries, labels = labelled_entries(args.labelled, module)
        rows[label] = score(module, entries, labels)
        step(f"{label}: merging and ranking {args.entries:,} synthetic entries (best of 3)")
        rows[label] += timed(module, synthetic(module, args.entries))
    stories = len(set(labels.values()))
    print(f"labelled set: {len(entries)} entries, {stories} stories, {rows['merge'][2] + rows['merge'][4]} same-story pairs")
    for label, (precision, recall, tp, fp, fn, mistakes, best, cpu, candidates) in rows.items():
        print(f"{label:8}  precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})   "
              f"{args.entries:,} entries -> {candidates:,} candidates in {best:.3f} s (CPU {cpu:.3f} s)")
        if args.show:
            for kind, a, b in mistakes:
                print(f"    {kind}: {a!r} / {b!r}")
    new, old = rows["merge"], rows["baseline"]
    print(f"time ratio merge/baseline {new[6] / old[6]:.2f}x  [target <= {TARGET:g} s: "
          f"{'ok' if new[6] <= TARGET else 'MISSED'}]   load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0 if new[6] <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
