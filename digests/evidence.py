"""Each news item's evidence: its sentences checked against its sources' text (digests.verify), kept in its provenance."""
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from . import verify
from .models import ItemSource, NewsItem

# How much source text the review screen shows around a quote.
CONTEXT = 300


def sources_of(item):
    """The item's sources as verify reads them: the article page's text if it was read, else the feed's."""
    result = []
    for source in item.sources.all():
        entry = source.entry
        if entry is None:
            result.append(verify.Source(text=""))
            continue
        page = getattr(entry, "article", None)  # RelatedObjectDoesNotExist is an AttributeError: no page read
        text = page.text if page is not None and page.ok and page.text else entry.summary
        result.append(verify.Source(text=text, title=entry.title))
    return result


def with_sources(queryset):
    """Items with what checking them reads, in a fixed number of queries."""
    return queryset.prefetch_related(
        Prefetch("sources", queryset=ItemSource.objects.order_by("position", "id").select_related("entry__article")))


def check(item, sentences=None, save=True):
    """Check the item's sentences (the writer's, or its summary's as edited) and store the verdicts."""
    if sentences is None:
        sentences = verify.realign(item.summary, (item.provenance or {}).get("sentences", []))
    verdicts = [v.as_dict() for v in verify.verify(sentences, sources_of(item))]
    item.provenance = {**(item.provenance or {}), "sentences": verdicts, "summary_sha": verify.fingerprint(item.summary),
                       "counts": verify.counts(verdicts)}
    if save:
        NewsItem.objects.filter(pk=item.pk).update(provenance=item.provenance)
    return verdicts


def current(item):
    """The item's verdicts, checked again first if its summary changed since they were computed."""
    provenance = item.provenance or {}
    if provenance.get("summary_sha") != verify.fingerprint(item.summary) or "sentences" not in provenance:
        return check(item)
    return provenance["sentences"]


def refresh(items):
    """Check again the items whose summary an editor changed."""
    for item in items:
        current(item)


def unsupported(digest):
    """(item number, sentence, verdict) of every unsupported sentence of the digest, up to date."""
    items = with_sources(NewsItem.objects.filter(digest=digest).order_by("position", "id"))
    return [(number, verdict) for number, item in enumerate(items, 1) for verdict in current(item)
            if verdict["state"] == verify.UNSUPPORTED]


def describe_unsupported(problems):
    """The unsupported sentences as one line for an error message."""
    parts = []
    for number, verdict in problems:
        reasons = " ".join(verify.describe(r) for r in verdict["reasons"])
        parts.append(_("item %(number)s “%(sentence)s”: %(reasons)s") % {
            "number": number, "sentence": verdict["text"][:80], "reasons": reasons})
    return "; ".join(parts)


STATE_LABELS = {
    verify.VERIFIED: lambda: _("verified"),
    verify.UNSUPPORTED: lambda: _("unsupported"),
    verify.UNVERIFIABLE: lambda: _("unverifiable"),
}


def review(item):
    """What the review screen shows of an item: each sentence's state and reasons, its quote in its source's text."""
    sources = list(item.sources.all())
    texts = sources_of(item)
    sentences = []
    for verdict in current(item):
        number = verdict.get("source")
        entry = {"text": verdict["text"], "state": verdict["state"], "label": STATE_LABELS[verdict["state"]](),
                 "reasons": [verify.describe(r) for r in verdict["reasons"]], "quote": verdict.get("quote", ""),
                 "source": None}
        if number and 1 <= number <= len(sources):
            text = texts[number - 1].text
            source = {"number": number, "name": sources[number - 1].name or sources[number - 1].domain,
                      "url": sources[number - 1].url}
            span = verdict.get("span")
            if span:
                start, end = span
                source.update(before=("…" if start > CONTEXT else "") + text[max(0, start - CONTEXT):start],
                              quote=text[start:end],
                              after=text[end:end + CONTEXT] + ("…" if end + CONTEXT < len(text) else ""))
            else:
                source.update(before=text[:2 * CONTEXT] + ("…" if len(text) > 2 * CONTEXT else ""), quote="", after="")
            entry["source"] = source
        sentences.append(entry)
    return {"item": item, "sentences": sentences, "single_source": len(sources) == 1,
            "follow_up": (item.provenance or {}).get("follow_up"), "counts": verify.counts(sentences)}
