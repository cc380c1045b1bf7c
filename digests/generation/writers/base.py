"""The one writer interface: a request of candidates in, validated items out, or a classified error."""
import datetime as dt
import time
from dataclasses import dataclass, field

from django.utils import translation

from ... import verify
from .. import prompts
from .schema import InvalidAnswer, json_schema, validate

SYSTEM = "You write Korean news digests as JSON that matches the given schema. 한국어로만 작성하세요."


@dataclass
class WriteRequest:
    series_name: str
    date: dt.date
    candidates: list  # merge.Candidate, best first
    item_count: int
    insight_count: int
    feedback: list[str] = field(default_factory=list)  # validation errors of the previous answer


@dataclass
class WrittenItem:
    candidate: object  # merge.Candidate: the source URL always comes from it, never from the model
    title: str
    summary: str
    insights: list[tuple[str, str]]
    tags: list[str] = field(default_factory=list)
    needs_attention: bool = False
    # (text, source number, quote) of each summary sentence: the evidence digests.verify checks.
    sentences: list[tuple[str, int | None, str]] = field(default_factory=list)


@dataclass
class WriteResult:
    items: list[WrittenItem]
    writer: str
    model: str = ""
    tokens: dict = field(default_factory=dict)
    latency: float = 0.0
    warnings: list[str] = field(default_factory=list)


class WriterError(Exception):
    """A failed call; retryable ones (timeouts, 429, 5xx) are tried again after `retry_after` or a backoff."""

    def __init__(self, message, *, kind="error", retryable=False, retry_after=None):
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after


class WriterUnavailable(Exception):
    """The writer is not configured (no API key, no model): the chain moves on without calling it."""


def parse_retry_after(value):
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, (parsedate_to_datetime(value) - dt.datetime.now(dt.timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


class Writer:
    name = "writer"
    model = ""

    @property
    def label(self):
        return f"{self.name}:{self.model}" if self.model else self.name

    def write(self, request: WriteRequest) -> WriteResult:
        raise NotImplementedError


class LanguageModelWriter(Writer):
    """A writer that sends the prompt and JSON schema to a model and validates the JSON it returns."""

    def complete(self, prompt, schema):
        """Return (text, tokens dict); raise WriterError."""
        raise NotImplementedError

    def write(self, request):
        started = time.perf_counter()
        raw, tokens = self.complete(prompts.render(request), json_schema())
        by_id = {c.id: c for c in request.candidates}
        shown = prompts.sources_shown()
        answer = validate(raw, list(by_id), request.item_count, request.insight_count,
                          {c.id: min(len(c.articles), shown) for c in request.candidates})
        items = []
        for item in answer.items:
            sentences = [(s.text.strip(), s.source, s.quote.strip()) for s in item.sentences]
            items.append(WrittenItem(
                candidate=by_id[item.candidate_id], title=item.title.strip(),
                summary=" ".join(text for text, _, _ in sentences),
                insights=[(i.label.strip(), i.text.strip()) for i in item.insights],
                tags=[t.strip()[:100] for t in item.tags if t.strip()][:6], sentences=sentences,
            ))
        problems = ungrounded(items)
        warnings = []
        if problems:
            if not request.feedback:
                raise InvalidAnswer(problems, raw)  # one corrected retry, told what did not hold
            # The retry still cites badly: keep the draft, its sentences stay unsupported for the reviewer.
            warnings.append(f"{self.label}: {len(problems)} sentences are not supported by their sources "
                            "after a corrected retry; the reviewer sees each one.")
        return WriteResult(items=items, writer=self.name, model=self.model, tokens=tokens,
                           latency=round(time.perf_counter() - started, 3), warnings=warnings)


def sources_of(candidate):
    """The candidate's sources as digests.verify reads them, numbered as the writer saw them."""
    return [verify.Source(text=a.text, title=a.title) for a in candidate.articles]


def ungrounded(items):
    """Why sentences of written items do not hold against their sources, as feedback for the model."""
    problems = []
    with translation.override("en"):
        for n, item in enumerate(items, 1):
            verdicts = verify.verify(item.sentences, sources_of(item.candidate))
            for m, verdict in enumerate(verdicts, 1):
                for reason in verdict.reasons if verdict.state == verify.UNSUPPORTED else ():
                    problems.append(f"Item {n}, sentence {m}: {verify.describe(reason)} "
                                    "Quote the source's text verbatim and write only what it says.")
    return problems


__all__ = ["InvalidAnswer", "LanguageModelWriter", "WriteRequest", "WriteResult", "Writer", "WriterError",
           "WriterUnavailable", "WrittenItem", "parse_retry_after"]
