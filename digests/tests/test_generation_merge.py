"""Merging one story told by several feeds, ranking candidates, and the day's window and exclusions."""
import datetime as dt

import pytest

from digests.generation import merge
from digests.generation.merge import Entry, cluster, normalize_title, rank
from digests.models import FeedEntry, Source
from digests.tests.factories import DigestFactory, NewsItemFactory

NOW = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.timezone.utc)
_ids = iter(range(1, 10**6))


def entry(title, url, source="A", weight=1.0, hours_ago=1.0):
    from digests.generation.urls import canonicalize

    return Entry(next(_ids), hash(source) % 1000, source, weight, url, canonicalize(url), title, f"{title}. 요약.",
                 NOW - dt.timedelta(hours=hours_ago))


def test_same_canonical_url_from_two_sources_is_one_candidate():
    a = entry("OpenAI ships a model", "https://news.example.com/a?utm_source=hn", "Hacker News")
    b = entry("Completely different wording", "http://www.news.example.com/a/", "GeekNews")
    c = entry("Unrelated story about chips", "https://news.example.com/c", "TechCrunch")
    candidates = rank([a, b, c], NOW)
    assert len(candidates) == 2
    merged = next(x for x in candidates if len(x.sources) == 2)
    assert merged.sources == ["GeekNews", "Hacker News"] and sorted(merged.entry_ids) == sorted([a.id, b.id])


def test_near_identical_titles_merge_but_different_stories_do_not():
    entries = [
        entry("Apple unveils the M5 chip for MacBook Pro", "https://a.example/1", "A"),
        entry("Apple Unveils The M5 Chip For MacBook Pro!", "https://b.example/2", "B"),
        entry("MacBook Pro: Apple unveils the M5 chip for", "https://c.example/3", "C"),  # same words, other order
        entry("Apple unveils the M5 iPad", "https://d.example/4", "D"),
        entry("Samsung unveils a new foldable phone", "https://e.example/5", "E"),
    ]
    groups = sorted(sorted(e.source_name for e in g) for g in cluster(entries))
    assert groups == [["A", "B", "C"], ["D"], ["E"]]


def test_aggregator_publisher_suffix_and_breaking_prefix_are_ignored():
    assert normalize_title("[속보] 삼성전자, 신제품 공개 - 연합뉴스", "https://news.google.com/rss/articles/x") == "삼성전자 신제품 공개"
    assert normalize_title("Rust 2026 - what changed", "https://blog.example/rust") == "rust 2026 what changed"


def test_ranking_prefers_more_sources_then_recency_and_weight():
    shared = [entry("Big story everyone covers", f"https://s{n}.example/big", f"S{n}", hours_ago=3) for n in range(3)]
    for e in shared[1:]:
        e.canonical_url = shared[0].canonical_url
    fresh = entry("Fresh single-source story", "https://x.example/fresh", "X", hours_ago=0.5)
    stale = entry("Stale single-source story", "https://x.example/stale", "X", hours_ago=20)
    heavy = entry("Story from a trusted source", "https://y.example/heavy", "Y", weight=1.5, hours_ago=0.5)
    order = [c.title for c in rank([stale, fresh, heavy, *shared], NOW)]
    assert order == ["Big story everyone covers", "Story from a trusted source", "Fresh single-source story",
                     "Stale single-source story"]


def test_candidate_ids_are_stable_and_exclusions_apply():
    a = entry("One", "https://a.example/1")
    b = entry("Two", "https://a.example/2")
    first = rank([a, b], NOW)
    assert [c.id for c in rank([b, a], NOW)] == [c.id for c in first]
    assert len(rank([a, b], NOW, exclude_ids={first[0].id})) == 1
    assert len(rank([a, b], NOW, exclude_urls={a.canonical_url})) == 1


def test_merging_ranks_a_candidate_per_story_in_a_large_set():
    entries = [entry(f"Story number {n} about topic {n * 7}", f"https://x.example/{n}", f"S{n % 9}") for n in range(2000)]
    duplicates = [entry(f"Story number {n} about topic {n * 7}!", f"https://y.example/{n}", "Dup") for n in range(0, 2000, 10)]
    candidates = rank(entries + duplicates, NOW)
    assert len(candidates) == 2000
    assert sum(1 for c in candidates if len(c.sources) == 2) == 200


@pytest.mark.django_db
def test_candidates_come_from_the_window_before_the_scheduled_time_minus_recent_digests(tech):
    date = dt.date(2026, 3, 2)
    end = tech.scheduled_at(date)
    source = Source.objects.create(series=tech, name="Fixture", url="https://fixture.example/feed")
    inactive = Source.objects.create(series=tech, name="Off", url="https://off.example/feed", active=False)

    def add(guid, hours_before, src=source, url=None):
        return FeedEntry.objects.create(source=src, guid=guid, title=f"Story {guid}", url=url or f"https://f.example/{guid}",
                                        canonical_url=url or f"https://f.example/{guid}",
                                        published_at=end - dt.timedelta(hours=hours_before))

    add("in-1", 1)
    add("in-2", 23)
    add("used", 2)
    add("after", -1)  # after the scheduled time
    add("too-old", 30)
    add("off", 1, src=inactive)
    yesterday = DigestFactory(series=tech, date=date - dt.timedelta(days=1), items=0)
    NewsItemFactory(digest=yesterday, sources=["https://f.example/used?utm_source=x"])
    old = DigestFactory(series=tech, date=date - dt.timedelta(days=8), items=0)
    NewsItemFactory(digest=old, sources=["https://f.example/in-2"])  # more than 7 days ago: reusable
    titles = [c.title for c in merge.candidates_for(tech, date, 24)]
    assert titles == ["Story in-1", "Story in-2"]
