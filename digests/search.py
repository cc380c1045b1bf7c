"""Korean full-text search of live digests: kiwipiepy stems, indexed by PostgreSQL (tsvector + GIN) or SQLite (FTS5)."""
import re
import threading

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .markdown import plain_text, render_inline, render_insight, text_of

# Content morphemes only: nouns, verb and adjective stems, roots, foreign words, numbers, hanja.
# Particles and endings (정부가, 정부는 → 정부) and bound nouns (것, 수) are left out.
KEPT_TAGS = frozenset({"NNG", "NNP", "VV", "VA", "XR", "SL", "SN", "SH", "VV-I", "VV-R", "VA-I", "VA-R"})
# Morphemes that make up one written compound word (a noun prefix starts one).
COMPOUND_TAGS = frozenset({"NNG", "NNP", "XPN", "SL", "SN", "SH", "XR"})
URL = re.compile(r"(?:https?://|ftp://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
WORD = re.compile(r"\w+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_RESULTS = 1000
MAX_QUERY_TERMS = 8
SNIPPET_CHARS = 140

_lock = threading.Lock()
_kiwi = None


def analyzer():
    """The process's one Kiwi (about 250 MB and a second to load: only when something is analysed)."""
    global _kiwi
    with _lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            # Without the default user dictionary "엔비디아의" splits into 엔비디아 + 의, as it should.
            # One thread: Kiwi's thread pool does not survive a fork (gunicorn --preload), its analyses
            # hang in the workers. The first analysis finishes loading the model: done here, before a fork.
            kiwi = Kiwi(load_default_dict=False, load_typo_dict=False, num_workers=1)
            kiwi.tokenize("한국어 형태소 분석")
            _kiwi = kiwi
        return _kiwi


def document_text(snapshot: dict) -> str:
    """What readers can find in a live version: titles, summaries, insights and tags, as plain text, without URLs."""
    # Each field as its own screen shows it: the post title as the blog's layout prints it, the item's
    # title and insights as inline Markdown ("1. CES" keeps its number), the summary as a block.
    parts = [snapshot.get("title", "")]
    for item in snapshot.get("items", []):
        parts.append(text_of(render_inline(item.get("title", ""))))
        parts.append(plain_text(item.get("summary", ""), limit=None))
        parts += [text_of(render_insight(insight.get("label", ""), insight.get("text", "")))
                  for insight in item.get("insights", [])]
    lines = [URL.sub(" ", part) for part in parts if part]
    tags = (snapshot.get("extra") or {}).get("tags") or []
    if isinstance(tags, list):
        lines.append(" ".join(str(tag) for tag in tags))  # names, not Markdown
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def _terms(tokens) -> list[str]:
    """Kept morphemes, plus each compound written as one word (배리어+프리 → 배리어프리, 재+계약 → 재계약).

    Kiwi splits the same compound differently by context ("배리어프리" alone, "배리어 프리" in a
    sentence): the joined form matches either way, and a prefix (재) only counts inside its word.
    """
    out, run, end = [], [], None
    for token in tokens:
        if token.tag in COMPOUND_TAGS and token.start == end and run:
            run.append(token.form)
        else:
            if len(run) > 1:
                out.extend(WORD.findall("".join(run).lower()))
            run = [token.form] if token.tag in COMPOUND_TAGS else []
        end = token.start + token.len
        if token.tag in KEPT_TAGS:
            out.extend(WORD.findall(token.form.lower()))
    if len(run) > 1:
        out.extend(WORD.findall("".join(run).lower()))
    return out


def terms_of(texts: list[str]) -> list[str]:
    """Each text's stems, space-separated (what the database indexes)."""
    if not texts:
        return []
    kiwi = analyzer()
    return [" ".join(_terms(tokens)) for tokens in kiwi.tokenize(texts)]


def query_terms(query: str) -> list[str]:
    """The stems of a reader's query, in order, without repeats."""
    query = CONTROL.sub(" ", query or "").strip()
    if not query:
        return []
    terms = dict.fromkeys(_terms(analyzer().tokenize(query)))
    return list(terms)[:MAX_QUERY_TERMS]


def index(digest_ids) -> int:
    """Bring the search documents of these digests in line with their live versions; how many changed."""
    from .models import Digest, SearchDocument

    digest_ids, changes = list(digest_ids), 0
    for start in range(0, len(digest_ids), 500):
        chunk = digest_ids[start:start + 500]
        live = dict(Digest.objects.live().filter(pk__in=chunk).values_list("pk", "live_snapshot"))
        changes += SearchDocument.objects.filter(digest_id__in=chunk).exclude(digest_id__in=live).delete()[0]
        stored = dict(SearchDocument.objects.filter(digest_id__in=live).values_list("digest_id", "text"))
        changed = {pk: text for pk, text in ((pk, document_text(snap)) for pk, snap in live.items())
                   if stored.get(pk) != text}
        if not changed:
            continue
        changes += len(changed)
        documents = [SearchDocument(digest_id=pk, text=text, terms=terms)
                     for (pk, text), terms in zip(changed.items(), terms_of(list(changed.values())))]
        SearchDocument.objects.bulk_create(documents, update_conflicts=True, unique_fields=["digest"],
                                           update_fields=["text", "terms"])
    return changes


def ranked_ids(terms: list[str]) -> list[int]:
    """Ids of the live digests whose text has every term, best match first (newest among equals)."""
    if not terms:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT d.id FROM digests_searchdocument s JOIN digests_digest d ON d.id = s.digest_id, "
                "plainto_tsquery('simple', %s) q WHERE s.vector @@ q AND d.live_snapshot IS NOT NULL "
                "ORDER BY ts_rank(s.vector, q) DESC, d.date DESC, d.id LIMIT %s",
                [" ".join(terms), MAX_RESULTS],
            )
        else:
            # Each stem as an FTS5 string (quotes doubled), implicitly ANDed.
            match = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
            cursor.execute(
                "SELECT d.id FROM digests_searchdocument_fts f JOIN digests_digest d ON d.id = f.rowid "
                "WHERE digests_searchdocument_fts MATCH %s AND d.live_snapshot IS NOT NULL "
                "ORDER BY bm25(digests_searchdocument_fts), d.date DESC, d.id LIMIT %s",
                [match, MAX_RESULTS],
            )
        return [row[0] for row in cursor.fetchall()]


def snippet(text: str, terms: list[str]) -> str:
    """A piece of `text` around the first match, the query's words highlighted with <mark>, HTML-escaped."""
    if not terms:
        return escape(text[:SNIPPET_CHARS])
    # A stem matches where a word starts with it (정부 in 정부가); Latin stems match whole words only.
    pattern = re.compile("|".join(
        rf"(?<![\w]){re.escape(t)}(?![a-z0-9])" if t.isascii() else rf"(?<![\w]){re.escape(t)}"
        for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text)
    start = 0 if first is None else max(0, first.start() - SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start, first.start())
        start = space + 1 if space != -1 else start
    end = min(len(text), start + SNIPPET_CHARS)
    piece = text[start:end]
    out, last = [], 0
    for match in pattern.finditer(piece):
        out.append(escape(piece[last:match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(piece[last:]))
    body = "".join(out).replace("\n", " ")
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S308 - escaped above
