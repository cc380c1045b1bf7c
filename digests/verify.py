"""Check each summary sentence against its cited source's text: quote, numbers, names, quoted phrases (no ORM).

Offline and deterministic. A sentence ends `verified` (something checkable was checked and held),
`unsupported` (something failed: the reasons say what) or `unverifiable` (nothing to check).
Numbers compare by value across Korean and English forms: 160억 달러 = $16 billion,
3분의 1 = one-third, 2026년 2월 2일 = Feb. 2, 2026.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz

VERIFIED, UNSUPPORTED, UNVERIFIABLE = "verified", "unsupported", "unverifiable"
STATES = (VERIFIED, UNSUPPORTED, UNVERIFIABLE)
# A quote shorter than this (normalised) points at nothing in particular.
MIN_QUOTE = 10
# An edited sentence keeps the citation of the generated sentence it most resembles, above this.
REALIGN_SIMILARITY = 60

# Normalisation -----------------------------------------------------------------------------------

_CHAR_MAP = {
    **dict.fromkeys("‘’‚‛′`´", "'"), **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"), "…": "...", "\u00a0": " ",
}
_DROP = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")


def normalize_map(text):
    """(normalised text, the index in `text` of each normalised character): NFKC, casefold, one space."""
    out, where, space = [], [], True
    for index, char in enumerate(unicodedata.normalize("NFC", text or "")):
        if char in _DROP:
            continue
        for piece in unicodedata.normalize("NFKC", _CHAR_MAP.get(char, char)).casefold():
            if piece.isspace():
                if space:
                    continue
                piece, space = " ", True
            else:
                space = False
            out.append(piece)
            where.append(index)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def normalize(text):
    return normalize_map(text)[0]


def find_quote(quote, text):
    """(start, end) of the quote in `text` (NFC offsets), its "..."-separated parts found in order; else None."""
    haystack, where = normalize_map(text)
    parts = [p.strip(" \"'") for p in normalize(quote).split("...")]
    parts = [p for p in parts if p]
    if not parts:
        return None
    start = end = None
    position = 0
    for part in parts:
        found = haystack.find(part, position)
        if found < 0:
            return None
        position = found + len(part)
        start = found if start is None else start
        end = position
    return where[start], where[end - 1] + 1


# Numbers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A number as written (`text`) and what it means: a kind, a value and a unit, or a date's parts."""

    text: str
    kind: str  # amount, percent, fraction, date, quarter
    value: float | None = None
    unit: str = ""  # usd, krw, eur, ... for amounts of money
    year: int | None = None
    month: int | None = None
    day: int | None = None

    def matches(self, other):
        if self.kind in ("date", "quarter") or other.kind in ("date", "quarter"):
            return _date_matches(self, other)
        if self.kind != other.kind or self.value is None or other.value is None:
            return False
        if self.unit and other.unit and self.unit != other.unit:
            return False
        return abs(self.value - other.value) <= 1e-9 * max(abs(self.value), abs(other.value), 1.0)


def _date_matches(a, b):
    if a.kind == "amount" or b.kind == "amount":  # "2026" next to "2026년"
        year, amount = (a, b) if a.kind != "amount" else (b, a)
        return (year.kind == "date" and year.month is None and year.day is None and not amount.unit
                and amount.value == year.year)
    if a.kind != b.kind:
        return False
    if a.kind == "quarter":
        return a.value == b.value and (a.year is None or b.year is None or a.year == b.year)
    pairs = [(a.year, b.year), (a.month, b.month), (a.day, b.day)]
    # Each part either side leaves out is a wildcard ("2월 2일" = "Feb. 2, 2026"), but one must be compared.
    compared = [(x, y) for x, y in pairs if x is not None and y is not None]
    return bool(compared) and all(x == y for x, y in compared)


_MONTHS = {name: n for n, names in enumerate([
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")], 1) for name in names}
_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
               "twice": 2, "dozen": 12})
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "b": 1e9, "bn": 1e9,
          "trillion": 1e12, "t": 1e12, "tn": 1e12, "hundred": 1e2}
_CURRENCY = {"$": "usd", "us$": "usd", "dollar": "usd", "dollars": "usd", "usd": "usd", "달러": "usd",
             "₩": "krw", "won": "krw", "krw": "krw", "원": "krw", "€": "eur", "euro": "eur", "euros": "eur",
             "eur": "eur", "유로": "eur", "£": "gbp", "pound": "gbp", "pounds": "gbp", "파운드": "gbp",
             "¥": "jpy", "yen": "jpy", "엔": "jpy", "yuan": "cny", "위안": "cny"}
_FRACTION_WORDS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
                   "fifths": 5, "tenth": 10, "tenths": 10}
_ORDINAL_QUARTER = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_KO_SMALL = {"천": 1e3, "백": 1e2, "십": 10}
_KO_BIG = {"조": 1e12, "억": 1e8, "만": 1e4}

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_MONTH = (r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_AMOUNT_TAIL = (r"(?:\s*(?P<scale>trillion|billion|million|thousand|hundred|tn|bn|mn)\b|(?P<short>[tbmk])\b)?"
                r"(?:\s*(?P<pct>%p?|퍼센트(?:포인트)?|프로|percent(?:age points?)?|per cent)"
                r"|\s*(?P<unit>달러|원|유로|엔|위안|파운드|(?:dollars?|won|euros?|yen|yuan|pounds?|USD|KRW|EUR)\b))?")
# Tried in this order; a later pattern never reads characters an earlier one took.
_PATTERNS = [
    ("iso", re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)")),
    ("ko_date", re.compile(r"(?:(?P<y>\d{4})\s*년\s*)?(?P<m>\d{1,2})\s*월(?:\s*(?P<d>\d{1,2})\s*일)?")),
    ("ko_quarter", re.compile(r"(?:(?P<y>\d{4})\s*년\s*)?(?P<q>[1-4])\s*분기")),
    ("ko_year", re.compile(r"(?P<y>\d{4})\s*년")),
    ("ko_day", re.compile(r"(?<![\d.])(?P<d>\d{1,2})\s*일(?![가-힣])|(?<![\d.])(?P<d2>\d{1,2})\s*일(?=[은는이에부까의(])")),
    ("en_date", re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{4})\b)?")),
    ("en_date_dmy", re.compile(r"\b(?P<d>\d{1,2})\s+" + _MONTH + r"(?:,?\s+(?P<y>\d{4})\b)?")),
    ("en_month_year", re.compile(_MONTH + r",?\s+(?P<y>\d{4})\b")),
    ("en_quarter", re.compile(r"\b(?:Q(?P<q>[1-4])|(?P<qw>first|second|third|fourth)[- ]quarter)"
                              r"(?:\s+(?:of\s+)?(?P<y>\d{4}))?\b", re.I)),
    ("ko_fraction", re.compile(r"(?P<den>\d+)\s*분의\s*(?P<num>\d+)")),
    ("en_fraction", re.compile(r"\b(?P<num>a|an|one|two|three|four|five|six|seven|eight|nine)[- ]"
                               r"(?P<den>half|halves|thirds?|quarters?|fifths?|tenths?)\b", re.I)),
    ("slash_fraction", re.compile(r"(?<![\d/])(?P<num>\d{1,2})/(?P<den>\d{1,2})(?![\d/])")),
    ("ko_amount", re.compile(
        r"(?:(?P<cur>[$₩€£¥])\s*)?(?P<chain>(?:" + _NUM + r"\s*[천백십]?\s*[조억만]\s*)+(?:" + _NUM + r"\s*[천백십]?)?"
        r"|" + _NUM + r"\s*[천백십](?![가-힣]))\s*(?P<unit>달러|원|유로|엔|위안|파운드)?")),
    ("en_amount", re.compile(
        # Two branches, each starting with a known character, rather than an optional prefix: the regex engine
        # then skips ahead to the next digit or currency sign instead of trying every position.
        r"(?:(?P<cur>US\$|[$₩€£¥])\s*(?P<n>" + _NUM + r")|(?P<n2>(?<![\w.])" + _NUM + r"))" + _AMOUNT_TAIL, re.I)),
    ("en_words", re.compile(r"\b(?P<n>" + "|".join(_WORDS) + r")\b" + _AMOUNT_TAIL, re.I)),
]
# A pattern is only tried on a text that has one of its hints (lower case).
# A pattern is only tried on a text that has one of its hints (substrings of the lower-cased text): most texts
# have no 월, 분기 or "quarter", and a substring test costs far less than the pattern.
_MONTH_HINT = re.compile("|".join(sorted(_MONTHS, key=len, reverse=True)))
_HINTS = {
    "iso": ("-",), "ko_date": ("월",), "ko_quarter": ("분기",), "ko_year": ("년",), "ko_day": ("일",),
    "en_date": _MONTH_HINT, "en_date_dmy": _MONTH_HINT, "en_month_year": _MONTH_HINT,
    "en_quarter": ("quarter", "q1", "q2", "q3", "q4"), "ko_fraction": ("분의",),
    "en_fraction": ("half", "halves", "third", "quarter", "fifth", "tenth"), "slash_fraction": ("/",),
    "ko_amount": tuple("조억만천백십"),
}
_LOWER_WORD = re.compile(r"[a-z]+")


def _has_hint(kind, lower):
    hints = _HINTS.get(kind)
    if hints is None:
        return True
    if isinstance(hints, tuple):
        return any(hint in lower for hint in hints)
    return hints.search(lower) is not None


_DIGIT = re.compile(r"\d")
_LETTER_DIGIT = re.compile(r"[A-Za-z]-?\d|\d[A-Za-z]")
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


def _name_spans_with_digits(text):
    """Where names with digits in them are (GPT-5, H100, 5G), so that their digits are not read as numbers."""
    spans = []
    for m in _LETTER_DIGIT.finditer(text):
        start, end = m.start(), m.end()
        if spans and start < spans[-1][1]:
            continue
        while start > 0 and text[start - 1] in _TOKEN_CHARS:
            start -= 1
        while end < len(text) and text[end] in _TOKEN_CHARS:
            end += 1
        token = text[start:end].strip("-")
        if start > 0 and text[start - 1] == ".":  # $1.5bn
            continue
        if not _NOT_NAME.match(token):
            spans.append((start, end))
    return spans
# Digits inside a name are part of the name: GPT-5, M5, A19, 5G, H100.
_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-.&'+][A-Za-z0-9]+)*\+?"
                   r"|(?<![A-Za-z0-9.])\d+[A-Za-z]+[A-Za-z0-9]*")
# ... but $16B, 2nd and 1990s are numbers.
_NOT_NAME = re.compile(r"^(?:\d+(?:[kmbtx]|bn|tn|mn|st|nd|rd|th|s)|Q[1-4])$", re.I)


def _names_in(text):
    return [m for m in _NAME.finditer(text) if not _NOT_NAME.match(m.group())]


def _num(text):
    return float(text.replace(",", ""))


def _korean_chain(chain):
    total = group = 0.0
    for digits, small, big in re.findall(r"(" + _NUM + r")\s*([천백십]?)\s*([조억만]?)", chain):
        value = _num(digits) * _KO_SMALL.get(small, 1)
        group += value
        if big:
            total += group * _KO_BIG[big]
            group = 0.0
    return total + group


def _opt_int(value):
    return int(value) if value else None


def _build(kind, m, text):
    g = m.groupdict()
    if kind in ("iso", "ko_date", "en_date", "en_date_dmy", "en_month_year", "ko_year", "ko_day"):
        month = _MONTHS[g["mon"].lower()] if g.get("mon") else _opt_int(g.get("m"))
        day = _opt_int(g.get("d") or g.get("d2"))
        if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
            return None
        return Number(text, "date", year=_opt_int(g.get("y")), month=month, day=day)
    if kind in ("ko_quarter", "en_quarter"):
        quarter = int(g["q"]) if g.get("q") else _ORDINAL_QUARTER[g["qw"].lower()]
        return Number(text, "quarter", value=float(quarter), year=_opt_int(g.get("y")))
    if kind == "ko_fraction":
        return Number(text, "fraction", value=int(g["num"]) / int(g["den"]) if int(g["den"]) else None)
    if kind == "en_fraction":
        numerator = 1 if g["num"].lower() in ("a", "an") else _WORDS[g["num"].lower()]
        return Number(text, "fraction", value=numerator / _FRACTION_WORDS[g["den"].lower()])
    if kind == "slash_fraction":
        return Number(text, "fraction", value=int(g["num"]) / int(g["den"])) if int(g["den"]) else None
    if kind == "ko_amount":
        unit = _CURRENCY.get(g.get("unit") or g.get("cur") or "", "")
        return Number(text, "amount", value=_korean_chain(g["chain"]), unit=unit)
    raw = (g.get("n") or g["n2"]).lower()
    value = float(_WORDS[raw]) if raw in _WORDS else _num(raw)
    # "5 m" is as often metres as millions: a one-letter scale counts only right after the digits ("$16B").
    scale = g.get("scale") or g.get("short")
    if scale:
        value *= _SCALE[scale.lower()]
    if g.get("pct"):
        return Number(text, "percent", value=value)
    unit = _CURRENCY.get((g.get("cur") or g.get("unit") or "").lower(), "")
    return Number(text, "amount", value=value, unit=unit)


def _masked(text, spans):
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def numbers(text):
    """Every number in the text, in order of appearance; digits inside names (GPT-5) are not numbers."""
    text = unicodedata.normalize("NFKC", text or "")
    words = set(_LOWER_WORD.findall(text.lower()))
    if not _DIGIT.search(text) and _WORDS.keys().isdisjoint(words) and _FRACTION_WORDS.keys().isdisjoint(words):
        return []  # the common case in a feed's text: nothing to look for
    work = _masked(text, _name_spans_with_digits(text))
    found = []
    lower = work.lower()
    for kind, pattern in _PATTERNS:
        if kind == "en_words" and _WORDS.keys().isdisjoint(words):
            continue
        if not _has_hint(kind, lower):
            continue
        spans = []
        for m in pattern.finditer(work):
            if not m.group().strip():
                continue
            number = _build(kind, m, text[m.start():m.end()].strip())
            if number is not None:
                found.append((m.start(), number))
            spans.append(m.span())
        if spans:
            work = _masked(work, spans)
    return [number for _, number in sorted(found, key=lambda pair: pair[0])]


# Names and quoted phrases ------------------------------------------------------------------------

# Generic abbreviations a Korean summary uses for words the source spells out.
GENERIC = {"ceo", "cfo", "cto", "coo", "ai", "it", "pc", "tv", "os", "api", "gpu", "cpu", "sns", "vs", "etc", "q1",
           "q2", "q3", "q4"}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_QUOTED = re.compile(r"“([^”]{2,})”|\"([^\"]{2,})\"|‘([^’]{2,})’|「([^」]{2,})」|『([^』]{2,})』"
                     r"|(?<![A-Za-z0-9])'([^']{2,}?)'(?![A-Za-z0-9])")


def names(sentence):
    """Latin-script names of the sentence: every Latin word of a Korean sentence, capitalised ones of an English one."""
    korean = bool(_HANGUL.search(sentence))
    found = []
    for m in _names_in(sentence):
        word = re.sub(r"'s$", "", m.group())
        if not word or word.lower() in GENERIC or word.lower() in _WORDS or word.lower() in _MONTHS:
            continue
        if not korean:
            upper_inside = any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)
            first_word = not sentence[:m.start()].strip(" \"'“‘(")
            if len(word) < 2 or not (upper_inside or (word[0].isupper() and not first_word)):
                continue
        if word not in found:
            found.append(word)
    return found


def phrases(sentence):
    return [next(g for g in m.groups() if g) for m in _QUOTED.finditer(sentence)]


def _contains_word(haystack, needle):
    needle = normalize(needle)
    return bool(needle) and re.search(r"(?<![a-z0-9])" + re.escape(needle) + r"(?![a-z0-9])", haystack) is not None


# Verdicts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What a sentence may rest on: one article's title and text (its position in the item is its number)."""

    text: str
    title: str = ""

    @property
    def full(self):
        return f"{self.title}\n{self.text}" if self.title else self.text


@dataclass
class Verdict:
    """One sentence's outcome; `source` is 1-based, `span` the quote's place in that source's text."""

    text: str
    source: int | None = None
    quote: str = ""
    state: str = UNVERIFIABLE
    reasons: list = field(default_factory=list)
    span: list | None = None
    checked: dict = field(default_factory=dict)

    def as_dict(self):
        return asdict(self)


def _missing(sentence, text, source_number):
    """Reasons a sentence's numbers, names and phrases are not in `text`; and what was checked."""
    haystack = normalize(text)
    available = numbers(text)
    checked = {"numbers": [n.text for n in numbers(sentence)], "names": names(sentence), "phrases": phrases(sentence)}
    reasons = []
    for number in numbers(sentence):
        if not any(number.matches(other) for other in available):
            reasons.append({"code": "number_missing", "value": number.text, "source": source_number})
    for name in checked["names"]:
        if not _contains_word(haystack, name):
            reasons.append({"code": "name_missing", "value": name, "source": source_number})
    for phrase in checked["phrases"]:
        if normalize(phrase) not in haystack:
            reasons.append({"code": "phrase_missing", "value": phrase, "source": source_number})
    return reasons, checked


def verify_sentence(text, source, quote, sources):
    """The verdict on one sentence citing `sources[source - 1]` with `quote` (source None: any of them)."""
    verdict = Verdict(text=text, source=source, quote=quote or "")
    if source is None:
        return _verify_uncited(verdict, sources)
    if not 1 <= source <= len(sources):
        verdict.state, verdict.reasons = UNSUPPORTED, [{"code": "no_source", "source": source}]
        return verdict
    cited = sources[source - 1]
    if not cited.full.strip():
        verdict.reasons = [{"code": "no_text", "source": source}]
        return verdict
    reasons = []
    if verdict.quote:
        span = find_quote(verdict.quote, cited.text)
        # A short sentence may quote itself whole (the extractive writer's do).
        if len(normalize(verdict.quote).replace("...", "")) < MIN_QUOTE and normalize(verdict.quote) != normalize(text):
            reasons.append({"code": "quote_too_short", "source": source})
        elif span is None and find_quote(verdict.quote, cited.title) is None:
            reasons.append({"code": "quote_missing", "source": source})
        verdict.span = list(span) if span else None
    missing, verdict.checked = _missing(text, cited.full, source)
    reasons += missing
    verdict.reasons = reasons
    if reasons:
        verdict.state = UNSUPPORTED
    elif any(verdict.checked.values()) or normalize(text) in normalize(cited.full):
        verdict.state = VERIFIED
    return verdict


def _verify_uncited(verdict, sources):
    """A sentence an editor wrote: its facts must all be in one of the item's sources."""
    best = None
    for number, source in enumerate(sources, 1):
        if not source.full.strip():
            continue  # an imported item's link: nothing to check against
        reasons, checked = _missing(verdict.text, source.full, number)
        if best is None or len(reasons) < len(best[1]):
            best = (number, reasons, checked)
        if not reasons:
            break
    if best is None:
        verdict.reasons = [{"code": "no_text", "source": None}]
        return verdict
    number, reasons, verdict.checked = best
    if reasons:
        verdict.state = UNSUPPORTED
        verdict.reasons = [{**r, "source": None} for r in reasons]
    elif any(verdict.checked.values()) or any(normalize(verdict.text) in normalize(s.full) for s in sources):
        verdict.state, verdict.source = VERIFIED, number
    return verdict


def verify(sentences, sources):
    """Verdicts for (text, source, quote) triples against the item's sources, in order."""
    return [verify_sentence(text, source, quote, sources) for text, source, quote in sentences]


# Sentences of an edited summary -----------------------------------------------------------------

_ABBREVIATIONS = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Inc|Corp|Co|Ltd|Jr|Sr|St|vs|etc|No|Jan|Feb|Mar|Apr|Jun|Jul"
                            r"|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)\.$")
_MARKDOWN = [(re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"(\*\*|__|\*|`)"), ""),
             (re.compile(r"^\s*(?:[-+*]|\d+\.|#+)\s+", re.M), "")]


def plain(markdown):
    text = markdown or ""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(text):
    """Sentences of a (Markdown) summary: after . ! ? 。 and a space, except after Feb. or U.S."""
    text = plain(text)
    sentences, start = [], 0
    for m in re.finditer(r"(?<=[.!?。])[\"'”’)]*\s+", text):
        head = text[start:m.start()].rstrip("\"'”’)")
        nxt = text[m.end():m.end() + 1]
        if _ABBREVIATIONS.search(head) or (nxt and (nxt.isdigit() or nxt.islower())):
            continue
        sentences.append(text[start:m.end()].strip())
        start = m.end()
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return sentences


def realign(summary, previous):
    """(text, source, quote) for each sentence of an edited summary, each keeping its closest old citation."""
    pool = [(normalize(p["text"]), p) for p in previous]
    used = set()
    result = []
    for sentence in split_sentences(summary):
        key = normalize(sentence)
        match = next((i for i, (old, _) in enumerate(pool) if i not in used and old == key), None)
        if match is None:
            scores = [(fuzz.ratio(key, old), i) for i, (old, _) in enumerate(pool) if i not in used]
            score, index = max(scores, default=(0, None))
            match = index if score >= REALIGN_SIMILARITY else None
        if match is None:
            result.append((sentence, None, ""))
        else:
            used.add(match)
            result.append((sentence, pool[match][1].get("source"), pool[match][1].get("quote", "")))
    return result


def fingerprint(summary):
    return hashlib.sha256(plain(summary).encode()).hexdigest()[:16]


def counts(verdicts):
    result = dict.fromkeys(STATES, 0)
    for verdict in verdicts:
        result[verdict["state"] if isinstance(verdict, dict) else verdict.state] += 1
    return result


def describe(reason):
    """The reason as a sentence for the reviewer, in the active language."""
    from django.utils.translation import gettext as _

    code, value, source = reason.get("code"), reason.get("value", ""), reason.get("source")
    if code == "no_source":
        return _("It cites source %(source)s, which the item does not have.") % {"source": source}
    if code == "no_text":
        return _("There is no source text to check it against.")
    if code == "quote_too_short":
        return _("Its quote is too short to show anything.")
    if code == "quote_missing":
        return _("Its quote is not in source %(source)s.") % {"source": source}
    messages = {
        "number_missing": (_("The number “%(value)s” is not in source %(source)s."),
                           _("The number “%(value)s” is in none of the item's sources.")),
        "name_missing": (_("The name “%(value)s” is not in source %(source)s."),
                         _("The name “%(value)s” is in none of the item's sources.")),
        "phrase_missing": (_("The quoted phrase “%(value)s” is not in source %(source)s."),
                           _("The quoted phrase “%(value)s” is in none of the item's sources.")),
    }
    cited, uncited = messages.get(code, (_("Unknown problem: %(value)s"),) * 2)
    return (cited if source else uncited) % {"value": value or code, "source": source}
