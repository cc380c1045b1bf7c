"""Merge one story told by several feeds into one candidate, then rank candidates for a day."""
import datetime as dt
import functools
import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .. import verify
from .urls import canonicalize, strip_tracking

# Weighted word overlap (Jaccard, words weighted by rarity in the day's entries) at or above this: one story.
SAME_WORDS = 0.5
# ... and when each title names something the other does not (MacBook Air / iPad Pro): only near-identical.
SAME_WORDS_CONFLICT = 0.75
# Shared anchors (Latin-script names, numbers) that make one story across languages: at least this many,
# one of them a name, weighing at least ANCHOR_WEIGHT.
ANCHORS = 2
ANCHOR_WEIGHT = 4.0
# Comparing only entries that share one of their rarest features keeps merging near-linear. One word and two
# names: a retelling shares its rarest word with the original (from one side or the other), a Korean one its
# names; a second word made a quarter more comparisons and no other cluster on the labelled or synthetic days.
BLOCK_WORDS = 1
BLOCK_ANCHORS = 2
# A link more entries than this share is boilerplate (a feed's "about" page), not a story.
MAX_LINK_SHARE = 3
SUMMARY_LEAD = 300
TEXT_LEAD = 600
HALF_LIFE_HOURS = 12.0
# A story already in the week's digests that returns with new sources ranks below fresh ones.
FOLLOW_UP_FACTOR = 0.5
WORD = re.compile(r"[\w']+", re.UNICODE)
TOKEN = re.compile(r"[A-Za-z0-9]+(?:['.&+-][A-Za-z0-9]+)*|[\uac00-\ud7a3]+")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
DIGIT = re.compile(r"\d")
BRACKETED = re.compile(r"^\s*[\[【(<][^\]】)>]{1,12}[\]】)>]\s*")
AGGREGATOR_HOSTS = ("news.google.com",)
AGGREGATOR = re.compile("|".join(re.escape(host) for host in AGGREGATOR_HOSTS))
# The tokens of an English text that can be names: those with a capital letter (a regex finds them at C speed).
CAPITALISED = re.compile(r"(?<![A-Za-z0-9'.&+-])[A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?:['.&+-][A-Za-z0-9]+)*")
FAR_PAST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
STOPWORDS = frozenset("""a an the of to in on for with and or its it is are was were be been as at by from new after over
into this that has have had will would can could more than says said say report reports here what now how why who
about up out not no but all just also via amid still again their his her our your they we you i s""".split())
PARTICLES = ("으로", "에서", "에게", "까지", "부터", "보다", "처럼", "이다", "하고", "은", "는", "이", "가", "을", "를", "의",
             "에", "와", "과", "도", "로", "만")
# Korean spellings of names English titles write in Latin script (the anchors of Korean–English pairs).
ALIASES = {
    "애플": "apple", "구글": "google", "삼성전자": "samsung", "삼성": "samsung", "엔비디아": "nvidia",
    "마이크로소프트": "microsoft", "메타": "meta", "아마존": "amazon", "테슬라": "tesla", "넷플릭스": "netflix",
    "오픈AI": "openai", "인텔": "intel", "퀄컴": "qualcomm", "스페이스X": "spacex", "일론": "elon", "머스크": "musk",
    "엑스AI": "xai", "소프트뱅크": "softbank", "화웨이": "huawei", "샤오미": "xiaomi", "카카오": "kakao",
    "네이버": "naver", "하이닉스": "hynix", "디즈니": "disney", "유튜브": "youtube", "틱톡": "tiktok", "앤트로픽": "anthropic",
}
MIXED_ALIASES = tuple(k for k in ALIASES if any(c.isascii() for c in k))
NOT_NAMES = STOPWORDS | verify.GENERIC | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december jan feb mar apr jun jul aug sep sept oct nov dec show ask".split())


@dataclass
class Entry:
    """The fields of a FeedEntry that merging and ranking read (text and links once its page was read)."""

    id: int
    source_id: int
    source_name: str
    weight: float
    url: str
    canonical_url: str
    title: str
    summary: str
    published_at: dt.datetime | None
    links: tuple = ()
    text: str = ""  # the article page's main text, when it was read
    language: str = ""


@dataclass(frozen=True)
class Article:
    """One source's telling of a candidate story: what an item's ItemSource is made from."""

    url: str
    name: str
    entry_id: int
    title: str = ""
    text: str = ""  # the article's text, else the feed's
    language: str = ""


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
    # Set when the story was in a digest of the past week and returns with new sources.
    follow_up: dict | None = None

    @property
    def url(self):
        """The link readers get: the representative entry's, minus tracking parameters."""
        return strip_tracking(self.link)

    def as_prompt(self, chars=1500, count=4):
        """What the writer reads: the story and each source numbered from 1, with the text quotes must come from."""
        data = {"id": self.id, "title": self.title, "coverage": len(self.sources),
                "published_at": self.published_at.isoformat() if self.published_at else None,
                "sources": [{"source": n, "outlet": a.name, "title": a.title, "text": a.text[:chars]}
                            for n, a in enumerate(self.articles[:count], 1)]}
        if self.follow_up:
            data["follow_up_of"] = f"{self.follow_up['date']} {self.follow_up['title']}"
        return data


def normalize_title(title, url=""):
    """Lower case words only, no [속보]-style prefix, no " - Publisher" suffix that aggregators append."""
    return " ".join(WORD.findall(_title_text(title, url).lower()))


def _title_text(title, url=""):
    text = title or ""
    if text.lstrip()[:1] in ("[", "【", "(", "<"):
        text = BRACKETED.sub("", text)
    if " - " in text and AGGREGATOR.search(url or ""):
        text = text.rsplit(" - ", 1)[0]
    return text


def outlet(entry):
    """Who reported it: the publisher an aggregator names after " - ", else the feed's source."""
    if " - " in (entry.title or "") and AGGREGATOR.search(entry.url or ""):
        name = entry.title.rsplit(" - ", 1)[1].strip()
        if 0 < len(name) <= 60:
            return name
    return entry.source_name


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


@functools.lru_cache(maxsize=1 << 16)
def _stem(word):
    """English words to a crude stem (acquires, acquired, acquire: acquir); Korean ones lose their particle."""
    if word[0] >= "\uac00":  # tokens are Latin letters and digits, or Hangul syllables
        for particle in PARTICLES:
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                return word[: -len(particle)]
        return word
    word = word.lower().removesuffix("'s")
    if len(word) < 5:
        return word
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("e", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def _number_keys(text, anchors=False):
    """Numbers as comparable keys: 160억 달러 and $16 billion are both "#1.6e+10"; years as plain numbers.

    Only numbers written with digits: "two hours" is too common to tell stories apart (and costs time).
    As `anchors`, no years either: half the day's entries say 2026.
    """
    keys = set()
    if DIGIT.search(text) is None:
        return keys
    for number in verify.numbers(text):
        if number.kind == "date":
            if number.month and number.day:
                keys.add(f"d{number.month}-{number.day}")
            elif number.year and not number.month and not anchors:
                keys.add(f"#{number.year}")
        elif number.kind == "quarter":
            keys.add(f"q{number.value:g}")
        elif number.value is not None and not (anchors and number.kind == "amount" and 1900 <= number.value <= 2100):
            keys.add({"percent": "%", "fraction": "/"}.get(number.kind, "#") + f"{number.value:.6g}")
    return keys


def _names(tokens, text):
    """Latin-script names (lower case) among the text's tokens, and the Korean spellings of known ones.

    In a Korean text every Latin word is a name; in an English one, those with a capital letter.
    """
    korean = HANGUL.search(text) is not None
    found = set()
    for token in tokens:
        if token[0] >= "\uac00":
            alias = ALIASES.get(_stem(token)) or ALIASES.get(token)
            if alias:
                found.add(alias)
            continue
        lower = token.lower()
        if (korean or lower != token) and len(token) > 1 and lower not in NOT_NAMES and not token.isdigit():
            found.add(lower.removesuffix("'s"))
    for spelling in MIXED_ALIASES:  # 스페이스X, 오픈AI: Latin letters inside the Korean spelling
        if spelling in text:
            found.add(ALIASES[spelling])
    return found


class _Features:
    """What one entry is compared on: title words, names; its numbers are read only when a comparison needs them."""

    __slots__ = ("words", "weight", "names", "title_names", "digits", "_title", "_rest", "_numbers", "_title_numbers")

    def __init__(self, entry):
        title = _title_text(entry.title, entry.url)
        tokens = TOKEN.findall(title)
        words = set()
        for token in tokens:
            stem = _stem(token)
            if stem in STOPWORDS:
                continue
            words.add(stem)
            if len(stem) >= 3 and stem[0] >= "\uac00":
                words.update(stem[k:k + 2] for k in range(len(stem) - 1))
        rest = f"{entry.summary[:SUMMARY_LEAD]}\n{entry.text[:TEXT_LEAD]}"
        self.words = frozenset(words)
        self.weight = 0.0  # the words' summed rarity, once the day's frequencies are known
        self.title_names = frozenset(_names(tokens, title))
        # Of an English text only capitalised words can be names: finding just those is half the features' time.
        korean = HANGUL.search(rest) is not None
        self.names = self.title_names | _names(TOKEN.findall(rest) if korean else CAPITALISED.findall(rest), rest)
        self._title, self._rest = title, rest
        self.digits = DIGIT.search(title) is not None or DIGIT.search(rest) is not None
        self._numbers = self._title_numbers = None

    @property
    def title_numbers(self):
        """The title's numbers, years left out: "Oscar nominations 2026" and "98th Academy Awards" are one story."""
        if self._title_numbers is None:
            self._title_numbers = frozenset(k for k in _number_keys(self._title)
                                            if not (k[0] == "#" and 1900 <= float(k[1:]) <= 2100))
        return self._title_numbers

    @property
    def numbers(self):
        if self._numbers is None:
            self._numbers = frozenset(_number_keys(f"{self._title}\n{self._rest}", anchors=True))
        return self._numbers


def _enough_names(a, b):
    """Two shared names, or one and numbers on both sides: what the anchor test needs at least."""
    if a.names.isdisjoint(b.names):
        return False
    return (a.digits and b.digits) or len(a.names & b.names) >= 2


def _same_story(a, b, idf):
    """Whether two entries' features tell one story: many shared rare words, or shared names and numbers."""
    names = a.names & b.names
    words = a.words & b.words
    if len(words) < 2 and not _enough_names(a, b):
        return False  # one shared word, or one name and no numbers: not enough for either test below
    conflict = not (a.title_names <= b.names) and not (b.title_names <= a.names)
    alike = False
    if words:
        shared = sum(idf[w] for w in words)
        alike = shared / (a.weight + b.weight - shared) >= (SAME_WORDS_CONFLICT if conflict else SAME_WORDS)
    if not alike and (conflict or not names):
        return False
    # Numbers are read last, only for the pairs still in question: reading them was most of a comparison.
    if a.title_numbers and b.title_numbers and a.title_numbers.isdisjoint(b.title_numbers):
        return False  # "Q3 results" and "Q4 results" read alike but are two stories
    if alike:
        return True
    numbers = a.numbers & b.numbers
    return (len(names) + len(numbers) >= ANCHORS
            and sum(idf["@" + n] for n in names) + sum(idf[n] for n in numbers) >= ANCHOR_WEIGHT)


def cluster(entries):
    """Group entries telling one story: same canonical URL, a link to the other's article (or one shared
    link), many shared rare title words, or shared names and numbers (Korean–English retellings)."""
    n = len(entries)
    groups = _Groups(n)
    by_url = {}
    for i, entry in enumerate(entries):
        if entry.canonical_url:
            groups.union(by_url.setdefault(entry.canonical_url, i), i)
    linked = defaultdict(list)
    for i, entry in enumerate(entries):
        for link in set(entry.links):
            if link in by_url:
                groups.union(by_url[link], i)
            linked[link].append(i)
    for members in linked.values():
        if 1 < len(members) <= MAX_LINK_SHARE:
            for j in members[1:]:
                groups.union(members[0], j)
    features = [_Features(e) for e in entries]
    frequency = defaultdict(int)
    for f in features:
        for key in f.words:
            frequency[key] += 1
        for key in f.names:
            frequency["@" + key] += 1
    # Numbers are read only for the entries a comparison needs: their rarity is that of a rare name.
    idf = defaultdict(lambda: math.log(n + 1) / 2, {key: math.log((n + 1) / count) for key, count in frequency.items()})
    for f in features:
        f.weight = sum(idf[w] for w in f.words)
    postings = defaultdict(list)  # feature -> the entries that have it
    for i, f in enumerate(features):
        for key in f.words:
            postings[key].append(i)
        for key in f.names:
            postings["@" + key].append(i)
    near = []
    for i, f in enumerate(features):
        # The entries that have one of this entry's rarest features (one no other entry has cannot join two).
        # The stable sort keeps ties alphabetical, so the keys do not vary between runs.
        words = sorted((w for w in sorted(f.words) if frequency[w] > 1), key=frequency.__getitem__)[:BLOCK_WORDS]
        anchors = sorted((k for k in sorted("@" + x for x in f.names) if frequency[k] > 1),
                         key=frequency.__getitem__)[:BLOCK_ANCHORS]
        others = set()
        for key in words + anchors:
            others.update(postings[key])
        others.discard(i)
        near.append(others)
    # Components do not depend on the order pairs are looked at: no sorting needed for stable results.
    for i, others in enumerate(near):
        a = features[i]
        for j in others:
            if j < i and i in near[j]:
                continue  # each pair once: it was looked at from the other side
            b = features[j]
            # _same_story's first test, inline: nine pairs in ten share only one blocking word, and a call
            # per pair was a third of the merge's time.
            if len(a.words & b.words) < 2 and (a.names.isdisjoint(b.names) or not _enough_names(a, b)):
                continue
            if groups.find(i) != groups.find(j) and _same_story(a, b, idf):
                groups.union(i, j)
    clusters = defaultdict(list)
    for i in range(n):
        clusters[groups.find(i)].append(entries[i])
    return list(clusters.values())


def candidate_id(members):
    key = min((e.canonical_url or normalize_title(e.title)) for e in members)
    return "c" + hashlib.sha1(key.encode()).hexdigest()[:10]


def to_candidate(members, now):
    """The cluster's representative is the entry of its heaviest source (then one with its page read, then the
    earliest); coverage counts outlets."""
    if len(members) == 1:
        lead = members[0]
        dates = [lead.published_at] if lead.published_at else []
    else:
        # The best-documented telling leads: an article page read beats a feed's two lines.
        lead = max(members, key=lambda e: (e.weight, bool(e.text), -(e.published_at or FAR_PAST).timestamp(), -e.id))
        dates = [e.published_at for e in members if e.published_at]
    outlets = {e.id: outlet(e) for e in members}
    sources = sorted(set(outlets.values()))
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
            articles.append(Article(url=url, name=outlets[entry.id], entry_id=entry.id, title=entry.title,
                                    text=entry.text or entry.summary, language=entry.language))
    return Candidate(
        id=candidate_id(members), title=lead.title, summary=summary, link=lead.url,
        source_name=lead.source_name, sources=sources, entry_ids=sorted(e.id for e in members),
        canonical_urls=sorted({e.canonical_url for e in members if e.canonical_url}),
        published_at=min(dates) if dates else None, score=round(score, 6), score_parts=parts, articles=articles,
    )


@dataclass
class UsedStory:
    """A story of a recent digest: its item, the URLs it cited and the entries it was written from."""

    date: dt.date
    title: str
    item_id: int
    urls: frozenset
    entries: list


def rank(entries, now, exclude_ids=(), used=()):
    """Merged candidates, best first. A story of a recent digest (`used`) is left out, unless it returns with
    sources it did not have: then it stays, as a follow-up, ranked lower."""
    exclude_ids = set(exclude_ids)
    past = {}  # entry id or canonical URL -> the used story it belongs to
    pool = list(entries)
    ids = {e.id for e in pool}
    for story in used:
        for url in story.urls:
            past.setdefault(url, story)
        for entry in story.entries:
            past.setdefault(entry.id, story)
            if entry.id not in ids:
                ids.add(entry.id)
                pool.append(entry)
    candidates = []
    for members in cluster(pool):
        fresh = [e for e in members if e.id not in past and e.canonical_url not in past]
        if not fresh:
            continue
        candidate = to_candidate(fresh, now)
        if candidate.id in exclude_ids:
            continue
        earlier = [past.get(e.id) or past.get(e.canonical_url) for e in members]
        earlier = [story for story in earlier if story is not None]
        if earlier:
            story = max(earlier, key=lambda s: s.date)
            candidate.follow_up = {"date": story.date.isoformat(), "title": story.title, "item": story.item_id}
            candidate.score = round(candidate.score * FOLLOW_UP_FACTOR, 6)
            candidate.score_parts["follow_up"] = FOLLOW_UP_FACTOR
        candidates.append(candidate)
    # Best score first, then the newest, then by id: two stable sorts (a datetime compares faster than its
    # timestamp is computed).
    candidates.sort(key=lambda c: c.id)
    candidates.sort(key=lambda c: (c.score, c.published_at or FAR_PAST), reverse=True)
    return candidates


def used_stories(series, date, days=7, exclude_digest=None):
    """The series' stories in the `days` before `date`: each item's cited URLs and the entries behind them."""
    from ..models import ItemSource, NewsItem

    items = NewsItem.objects.filter(
        digest__series=series, digest__date__gte=date - dt.timedelta(days=days), digest__date__lt=date
    )
    if exclude_digest is not None:
        items = items.exclude(digest=exclude_digest)
    rows = ItemSource.objects.filter(news_item__in=items).values_list(
        "news_item_id", "news_item__title", "news_item__digest__date", "url", "entry_id")
    stories, entry_ids = {}, {}
    for item_id, title, day, url, entry_id in rows:
        story = stories.setdefault(item_id, UsedStory(date=day, title=title, item_id=item_id, urls=set(), entries=[]))
        story.urls.add(canonicalize(url))
        if entry_id:
            entry_ids[entry_id] = story
    for entry in _entries(_feed_entries(pk__in=list(entry_ids))):
        entry_ids[entry.id].entries.append(entry)
    for story in stories.values():
        story.urls = frozenset(story.urls)
    return list(stories.values())


def window_hours():
    """How far before the scheduled time candidates come from (NEWSROOM_CANDIDATE_WINDOW_HOURS)."""
    from django.conf import settings

    return settings.NEWSROOM_CANDIDATE_WINDOW_HOURS


def window(series, date, hours=None):
    end = series.scheduled_at(date)
    return end - dt.timedelta(hours=hours or window_hours()), end


def _feed_entries(**lookups):
    from ..models import FeedEntry

    return FeedEntry.objects.filter(**lookups)


def _entries(queryset):
    rows = queryset.values_list("id", "source_id", "source__name", "source__weight", "url", "canonical_url", "title",
                                "summary", "published_at", "fetched_at", "links", "article__text", "article__language")
    return [Entry(*row[:8], published_at=row[8] or row[9], links=tuple(row[10] or ()), text=row[11] or "",
                  language=row[12] or "") for row in rows]


def load_entries(series, start, end):
    from django.db.models import Q

    return _entries(
        _feed_entries(source__series=series, source__active=True)
        .filter(Q(published_at__gte=start, published_at__lt=end)
                | Q(published_at__isnull=True, fetched_at__gte=start, fetched_at__lt=end))
    )


def candidates_for(series, date, hours=None, extra_exclude_ids=()):
    """The day's ranked candidates from stored entries in the window before the scheduled time."""
    start, end = window(series, date, hours)
    return rank(load_entries(series, start, end), end, extra_exclude_ids, used_stories(series, date))
