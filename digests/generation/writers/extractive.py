"""The offline writer: the entry's own title and first sentences, empty insights to fill, every item flagged."""
import re
import time

from django.utils.translation import gettext as _

from .base import WriteResult, Writer, WriterError, WrittenItem

SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")
MAX_SUMMARY = 400


def first_sentences(text, limit=MAX_SUMMARY, count=3):
    sentences = [s.strip() for s in SENTENCE_END.split(text or "") if s and s.strip()]
    summary = ""
    for sentence in sentences[:count]:
        if summary and len(summary) + len(sentence) + 1 > limit:
            break
        summary = f"{summary} {sentence}".strip()
    if len(summary) > limit:
        summary = summary[: limit - 1].rstrip() + "…"
    return summary


class ExtractiveWriter(Writer):
    name = "extractive"

    def write(self, request):
        started = time.perf_counter()
        chosen = request.candidates[: request.item_count]
        if len(chosen) < request.item_count:
            raise WriterError(f"Only {len(chosen)} candidates for {request.item_count} items", kind="too_few")
        # It cannot write insights: it leaves the series' number of them empty, so the editor types
        # into them instead of adding rows, and the gate says which are still missing.
        empty = [("", "")] * request.insight_count
        items = [
            WrittenItem(candidate=c, title=c.title, summary=first_sentences(c.summary) or c.title, insights=list(empty),
                        needs_attention=True)
            for c in chosen
        ]
        return WriteResult(
            items=items, writer=self.name, latency=round(time.perf_counter() - started, 3),
            warnings=[_("Offline draft: the %(count)s items keep the feeds' own text (translate it) and have "
                        "%(insights)s empty insights each to write; each item is flagged for an editor.")
                      % {"count": len(items), "insights": request.insight_count}],
        )
