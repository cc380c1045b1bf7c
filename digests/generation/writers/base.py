"""The one writer interface: a request of candidates in, validated items out, or a classified error."""
import datetime as dt
import time
from dataclasses import dataclass, field

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
        answer = validate(raw, list(by_id), request.item_count, request.insight_count)
        items = [
            WrittenItem(
                candidate=by_id[item.candidate_id],
                title=item.title.strip(),
                summary=item.summary.strip(),
                insights=[(i.label.strip(), i.text.strip()) for i in item.insights],
                tags=[t.strip()[:100] for t in item.tags if t.strip()][:6],
            )
            for item in answer.items
        ]
        return WriteResult(items=items, writer=self.name, model=self.model, tokens=tokens,
                           latency=round(time.perf_counter() - started, 3))


__all__ = ["InvalidAnswer", "LanguageModelWriter", "WriteRequest", "WriteResult", "Writer", "WriterError",
           "WriterUnavailable", "WrittenItem", "parse_retry_after"]
