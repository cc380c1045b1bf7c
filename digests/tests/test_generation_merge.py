"""Merging one story told by several feeds, ranking candidates, and the day's window and exclusions."""
import datetime as dt

import pytest

from digests.generation import merge
from digests.generation.merge import Entry, cluster, normalize_title, rank
from digests.models import FeedEntry, Source
from digests.tests.factories import DigestFactory, NewsItemFactory

NOW = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.timezone.utc)
_ids = iter(range(1, 10**6))


def entry(title, url, source="A", weight=1.0, hours_ago=1.0, summary=None, links=()):
    from digests.generation.urls import canonicalize

    return Entry(next(_ids), hash(source) % 1000, source, weight, url, canonicalize(url), title,
                 f"{title}. 요약." if summary is None else summary, NOW - dt.timedelta(hours=hours_ago),
                 links=tuple(canonicalize(u) for u in links))


def groups_of(entries):
    return sorted(sorted(e.source_name for e in g) for g in cluster(entries))


def background():
    """Other stories of the day, so that word rarity means something."""
    return [entry(f"{topic} story about {word} and more", f"https://bg.example/{n}", f"BG{n}")
            for n, (topic, word) in enumerate([("Chip", "fabs"), ("Cloud", "regions"), ("Phone", "cameras"),
                                               ("Game", "consoles"), ("Apple", "retail"), ("Google", "maps"),
                                               ("Startup", "funding"), ("Robot", "vacuums")])]


def test_paraphrased_headlines_are_one_story():
    """The merge that put SpaceX twice in a draft: the same story, other words."""
    tc = entry("SpaceX acquires xAI in merger to build data centers in space", "https://techcrunch.com/x", "TechCrunch")
    verge = entry("SpaceX acquires xAI in merger, plans data centers in space", "https://theverge.com/y", "Verge")
    other = entry("SpaceX's Starship completes its twelfth test flight", "https://theverge.com/z", "Verge2")
    groups = groups_of([tc, verge, other, *background()])
    assert ["TechCrunch", "Verge"] in groups and ["Verge2"] in groups


def test_korean_and_english_tellings_merge_on_shared_names_and_numbers():
    en = entry("Nvidia revenue jumps 62% to $68 billion on data center demand", "https://cnbc.com/nv", "CNBC",
               summary="Nvidia reported fourth-quarter revenue of $68 billion, up 62% from a year earlier.")
    ko = entry("엔비디아 4분기 매출 680억 달러…62% 급증", "https://mt.co.kr/nv", "머니투데이",
               summary="Nvidia의 4분기 매출이 680억 달러로 1년 전보다 62% 늘었다.")
    china = entry("US tightens export rules on Nvidia chips to China", "https://reuters.com/nv", "Reuters",
                  summary="New licence requirements for Nvidia's H20 chips sold to Chinese customers.")
    groups = groups_of([en, ko, china, *background()])
    assert ["CNBC", "머니투데이"] in groups and ["Reuters"] in groups


def test_an_entry_linking_to_another_entrys_article_is_the_same_story():
    hn = entry("Show HN: An offline-first sync engine built on SQLite", "https://blog.example.dev/sync", "Hacker News")
    geek = entry("SQLite 기반 오프라인 우선 동기화 엔진 공개", "https://news.hada.io/topic?id=1", "GeekNews",
                 links=["https://blog.example.dev/sync"])
    assert ["GeekNews", "Hacker News"] in groups_of([hn, geek, *background()])


def test_near_misses_stay_apart():
    """Two Apple stories of one day, and quarterly results of two quarters."""
    entries = [
        entry("Apple unveils new MacBook Air with M5 chip", "https://m.example/1", "A",
              summary="The new MacBook Air starts at $999 with the M5 chip."),
        entry("Apple unveils new iPad Pro with M5 chip", "https://m.example/2", "B",
              summary="The iPad Pro gets the M5 chip; prices start at $1,099."),
        entry("Apple hit with 500 million euro EU fine over App Store rules", "https://r.example/3", "C"),
        entry("Alphabet Q4 results beat estimates as cloud grows 34%", "https://c.example/4", "D"),
        entry("Alphabet Q3 results beat estimates as cloud grows 28%", "https://c.example/5", "E"),
    ]
    assert all(len(g) == 1 for g in cluster(entries + background()))


def test_coverage_counts_outlets_and_an_aggregator_names_its_publisher():
    urls = ["https://news.google.com/rss/articles/a", "https://news.google.com/rss/articles/b"]
    a = entry("반도체특별법 국회 본회의 통과…보조금 근거 마련 - 연합뉴스", urls[0], "Google News KR")
    b = entry("반도체특별법 본회의 통과…직접 보조금 지원 근거 담겨 - KBS", urls[1], "Google News KR")
    candidate = next(c for c in rank([a, b, *background()], NOW) if len(c.entry_ids) == 2)
    assert candidate.sources == ["KBS", "연합뉴스"] and candidate.score_parts["sources"] == 2
    assert [x.name for x in candidate.articles] == ["연합뉴스", "KBS"]


def test_a_used_story_returning_with_new_sources_is_a_follow_up_ranked_lower():
    old = entry("SpaceX acquires xAI in merger to build data centers in space", "https://techcrunch.com/x", "TechCrunch",
                hours_ago=26)
    used = merge.UsedStory(date=dt.date(2026, 3, 1), title="스페이스X, xAI 인수", item_id=7,
                           urls=frozenset({old.canonical_url}), entries=[old])
    again = entry("SpaceX acquires xAI in merger, plans data centers in space", "https://theverge.com/y", "Verge")
    repeat = entry("Totally new words", "https://techcrunch.com/x?utm_source=rss", "TechCrunch")  # the used URL
    fresh = entry("A fresh story about robots", "https://fresh.example/1", "Fresh")
    candidates = rank([again, repeat, fresh], NOW, used=[used])
    follow = next(c for c in candidates if c.follow_up)
    assert follow.follow_up == {"date": "2026-03-01", "title": "스페이스X, xAI 인수", "item": 7}
    assert [a.name for a in follow.articles] == ["Verge"] and follow.score_parts["follow_up"] == 0.5
    assert [c.title for c in candidates] == ["A fresh story about robots", again.title]


def test_the_prompt_gives_each_source_numbered_with_its_text():
    a = entry("SpaceX acquires xAI", "https://techcrunch.com/x", "TechCrunch", summary="SpaceX will buy xAI.")
    b = entry("SpaceX acquires xAI!", "https://theverge.com/y", "Verge", summary="Musk merges his companies.")
    b.text = "The Verge's article text, read from the page."
    candidate = rank([a, b], NOW)[0]
    sources = candidate.as_prompt()["sources"]
    # The telling whose page was read leads; the other gives its feed text.
    assert [(s["source"], s["outlet"]) for s in sources] == [(1, "Verge"), (2, "TechCrunch")]
    assert sources[0]["text"] == "The Verge's article text, read from the page."
    assert sources[1]["text"] == "SpaceX will buy xAI."
    assert candidate.as_prompt(chars=5)["sources"][0]["text"] == "The V"


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
    used = merge.UsedStory(date=dt.date(2026, 3, 1), title="One", item_id=1, urls=frozenset({a.canonical_url}),
                           entries=[])
    assert [c.title for c in rank([a, b], NOW, used=[used])] == ["Two"]


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
