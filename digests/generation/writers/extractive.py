"""The offline writer: the entry's own title and first sentences, no insights, every item flagged for the editor."""
import re
import time

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
        items = [
            WrittenItem(candidate=c, title=c.title, summary=first_sentences(c.summary) or c.title, insights=[],
                        needs_attention=True)
            for c in chosen
        ]
        return WriteResult(
            items=items, writer=self.name, latency=round(time.perf_counter() - started, 3),
            warnings=[f"Extractive writer: the {len(items)} items have no insights and untranslated text; "
                      "each is flagged for an editor."],
        )
