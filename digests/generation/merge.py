"""Merge one story told by several feeds into one candidate, then rank candidates for a day."""
import datetime as dt
import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .urls import canonicalize, strip_tracking

# token_sort_ratio at or above this: the same headline (word order and punctuation aside).
TITLE_SIMILARITY = 90
# Comparing only titles that share one of their rarest words keeps merging near-linear.
BLOCK_KEYS = 3
HALF_LIFE_HOURS = 12.0
WORD = re.compile(r"[\w']+", re.UNICODE)
BRACKETED = re.compile(r"^\s*[\[【(<][^\]】)>]{1,12}[\]】)>]\s*")
AGGREGATOR_HOSTS = ("news.google.com",)
FAR_PAST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


@dataclass
class Entry:
    """The fields of a FeedEntry that merging and ranking read."""

    id: int
    source_id: int
    source_name: str
    weight: float
    url: str
    canonical_url: str
    title: str
    summary: str
    published_at: dt.datetime | None


@dataclass(frozen=True)
class Article:
    """One source's telling of a candidate story: what an item's ItemSource is made from."""

    url: str
    name: str
    entry_id: int


@dataclass
class Candidate:
    """One story, possibly carried by several sources; `id` is stable for the same set of URLs."""

    id: str
    title: str
    summary: str
    link: str
    source_name: str
    sources: list[str]
    entry_ids: list[int]
    canonical_urls: list[str]
    published_at: dt.datetime | None
    score: float = 0.0
    score_parts: dict = field(default_factory=dict)
    # Every source's article, the representative's first; one per URL.
    articles: list[Article] = field(default_factory=list)

    @property
    def url(self):
        """The link readers get: the representative entry's, minus tracking parameters."""
        return strip_tracking(self.link)

    def as_prompt(self):
        return {"id": self.id, "title": self.title, "summary": self.summary[:700], "sources": self.sources,
                "published_at": self.published_at.isoformat() if self.published_at else None}


def normalize_title(title, url=""):
    """Lower case words only, no [속보]-style prefix, no " - Publisher" suffix that aggregators append."""
    text = BRACKETED.sub("", title or "")
    if any(host in (url or "") for host in AGGREGATOR_HOSTS) and " - " in text:
        text = text.rsplit(" - ", 1)[0]
    return " ".join(WORD.findall(text.lower()))


class _Groups:
    """Union-find over entry indices."""

    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster(entries):
    """Group entries telling the same story: the same canonical URL, or near-identical titles."""
    n = len(entries)
    groups = _Groups(n)
    by_url = {}
    for i, entry in enumerate(entries):
        if entry.canonical_url:
            groups.union(by_url.setdefault(entry.canonical_url, i), i)
    # token_sort_ratio is ratio() of the sorted words: sort once here instead of in every comparison.
    tokens = [sorted(normalize_title(e.title, e.url).split()) for e in entries]
    titles = [" ".join(words) for words in tokens]
    numbers = [frozenset(w for w in words if not w.isalpha() and any(c.isdigit() for c in w)) for words in tokens]
    frequency = defaultdict(int)
    for words in tokens:
        for word in set(words):
            frequency[word] += 1
    # Rarest first; the stable sort keeps ties in alphabetical order, so the keys do not vary between runs.
    keys = [sorted(dict.fromkeys(words), key=frequency.__getitem__)[:BLOCK_KEYS] for words in tokens]
    blocks = defaultdict(list)
    for i, words in enumerate(keys):
        for word in words:
            blocks[word].append(i)
    for i, words in enumerate(keys):
        # Later entries sharing one of this title's rarest words: one comparison call per entry.
        others = list({j for word in words for j in blocks[word] if j > i})
        if not others:
            continue
        matches = process.extract(titles[i], [titles[j] for j in others], scorer=fuzz.ratio,
                                  score_cutoff=TITLE_SIMILARITY, limit=None)
        for _choice, _score, index in matches:
            # "Q1 results" and "Q2 results" read alike but are two stories: numbers must agree.
            if numbers[i] == numbers[others[index]]:
                groups.union(i, others[index])
    clusters = defaultdict(list)
    for i in range(n):
        clusters[groups.find(i)].append(entries[i])
    return list(clusters.values())


def candidate_id(members):
    key = min((e.canonical_url or normalize_title(e.title)) for e in members)
    return "c" + hashlib.sha1(key.encode()).hexdigest()[:10]


def to_candidate(members, now):
    """The cluster's representative is the entry of its heaviest source (then the earliest)."""
    if len(members) == 1:
        lead = members[0]
        sources = [lead.source_name]
        dates = [lead.published_at] if lead.published_at else []
    else:
        lead = max(members, key=lambda e: (e.weight, -(e.published_at or FAR_PAST).timestamp(), -e.id))
        sources = sorted({e.source_name for e in members})
        dates = [e.published_at for e in members if e.published_at]
    newest = max(dates) if dates else None
    age_hours = max(0.0, (now - newest).total_seconds() / 3600) if newest else 24.0
    parts = {
        "weight": max(e.weight for e in members),
        "sources": len(sources),
        "age_hours": round(age_hours, 2),
        "recency": round(0.5 ** (age_hours / HALF_LIFE_HOURS), 4),
    }
    score = parts["weight"] * (1 + math.log2(parts["sources"])) * parts["recency"]
    summary = lead.summary if len(members) == 1 else max((e.summary for e in members), key=len)
    articles, seen = [], set()
    for entry in [lead] + sorted((e for e in members if e is not lead),
                                 key=lambda e: (-e.weight, (e.published_at or FAR_PAST).timestamp(), e.id)):
        url = strip_tracking(entry.url)
        key = entry.canonical_url or url
        if url and key not in seen:
            seen.add(key)
            articles.append(Article(url=url, name=entry.source_name, entry_id=entry.id))
    return Candidate(
        id=candidate_id(members), title=lead.title, summary=summary, link=lead.url,
        source_name=lead.source_name, sources=sources, entry_ids=sorted(e.id for e in members),
        canonical_urls=sorted({e.canonical_url for e in members if e.canonical_url}),
        published_at=min(dates) if dates else None, score=round(score, 6), score_parts=parts, articles=articles,
    )


def rank(entries, now, exclude_ids=(), exclude_urls=()):
    """Merged candidates, best first, without stories already used (by candidate id or URL)."""
    exclude_ids, exclude_urls = set(exclude_ids), set(exclude_urls)
    candidates = []
    for members in cluster(entries):
        candidate = to_candidate(members, now)
        if candidate.id in exclude_ids or exclude_urls.intersection(candidate.canonical_urls):
            continue
        candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.score, -(c.published_at or FAR_PAST).timestamp(), c.id))
    return candidates


def used_stories(series, date, days=7, exclude_digest=None):
    """Candidate ids and canonical URLs of the series' items in the `days` before `date`."""
    from ..models import ItemSource, NewsItem

    items = NewsItem.objects.filter(
        digest__series=series, digest__date__gte=date - dt.timedelta(days=days), digest__date__lt=date
    )
    if exclude_digest is not None:
        items = items.exclude(digest=exclude_digest)
    ids = set(items.exclude(candidate_id="").values_list("candidate_id", flat=True))
    urls = {canonicalize(url) for url in ItemSource.objects.filter(news_item__in=items).values_list("url", flat=True)}
    return ids, urls


def window_hours():
    """How far before the scheduled time candidates come from (NEWSROOM_CANDIDATE_WINDOW_HOURS)."""
    from django.conf import settings

    return settings.NEWSROOM_CANDIDATE_WINDOW_HOURS


def window(series, date, hours=None):
    end = series.scheduled_at(date)
    return end - dt.timedelta(hours=hours or window_hours()), end


def load_entries(series, start, end):
    from django.db.models import Q

    from ..models import FeedEntry

    rows = (
        FeedEntry.objects.filter(source__series=series, source__active=True)
        .filter(Q(published_at__gte=start, published_at__lt=end)
                | Q(published_at__isnull=True, fetched_at__gte=start, fetched_at__lt=end))
        .values_list("id", "source_id", "source__name", "source__weight", "url", "canonical_url", "title", "summary",
                     "published_at", "fetched_at")
    )
    return [Entry(*row[:8], published_at=row[8] or row[9]) for row in rows]


def candidates_for(series, date, hours=None, extra_exclude_ids=()):
    """The day's ranked candidates from stored entries in the window before the scheduled time."""
    start, end = window(series, date, hours)
    ids, urls = used_stories(series, date)
    return rank(load_entries(series, start, end), end, ids | set(extra_exclude_ids), urls)
