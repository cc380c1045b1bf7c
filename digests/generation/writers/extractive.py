"""The offline writer: the entry's own title and first sentences, no insights, every item flagged for the editor."""
import time

from ... import verify
from .base import WriteResult, Writer, WriterError, WrittenItem

MAX_SUMMARY = 400


def first_sentences(text, limit=MAX_SUMMARY, count=3):
    """The text's first sentences within `limit` characters, each as it stands in the text."""
    chosen = []
    for sentence in verify.split_sentences(text)[:count]:
        if chosen and sum(len(s) + 1 for s in chosen) + len(sentence) > limit:
            break
        chosen.append(sentence)
    if chosen and len(chosen[0]) > limit:
        chosen[0] = chosen[0][: limit - 1].rstrip() + "…"
    return chosen


class ExtractiveWriter(Writer):
    name = "extractive"

    def write(self, request):
        started = time.perf_counter()
        chosen = request.candidates[: request.item_count]
        if len(chosen) < request.item_count:
            raise WriterError(f"Only {len(chosen)} candidates for {request.item_count} items", kind="too_few")
        items = []
        for c in chosen:
            # Its sentences are the lead source's own, so each cites source 1 and quotes itself.
            lead = c.articles[0].text if c.articles and c.articles[0].text else c.summary
            sentences = [(s, 1, s) for s in first_sentences(lead)] or [(c.title, 1, c.title)]
            items.append(WrittenItem(candidate=c, title=c.title, summary=" ".join(s for s, _, _ in sentences),
                                     insights=[], needs_attention=True, sentences=sentences))
        return WriteResult(
            items=items, writer=self.name, latency=round(time.perf_counter() - started, 3),
            warnings=[f"Extractive writer: the {len(items)} items have no insights and untranslated text; "
                      "each is flagged for an editor."],
        )
