"""The writer chain from settings: retries with backoff on timeouts, 429 and 5xx, one corrected retry, then the next writer."""
import logging
import random
import time
from dataclasses import replace

from django.conf import settings
from django.utils.translation import gettext as _

from .base import InvalidAnswer, WriterError, WriterUnavailable

log = logging.getLogger(__name__)


class ChainFailed(Exception):
    """No writer produced a valid answer; `attempts` says what each one did."""

    def __init__(self, message, attempts):
        super().__init__(message)
        self.attempts = attempts


def make_writer(spec):
    """A writer from a chain entry: "gemini[:model]", "openai[:model]" or "extractive"."""
    name, _sep, model = spec.strip().partition(":")
    name = name.lower()
    if name == "gemini":
        from .gemini import GeminiWriter

        return GeminiWriter(model or None)
    if name in ("openai", "openai_compat"):
        from .openai_compat import OpenAICompatWriter

        return OpenAICompatWriter(model or None)
    if name == "extractive":
        from .extractive import ExtractiveWriter

        return ExtractiveWriter()
    raise ValueError(_("Unknown writer %(writer)s in the chain: use gemini[:model], openai[:model] or extractive")
                     % {"writer": repr(spec)})


def names_from_settings():
    return list(settings.NEWSROOM_WRITERS) or ["extractive"]


def write(request, names=None, *, sleep=time.sleep, progress=None):
    """Try each writer in turn; returns (WriteResult, attempts). Raises ChainFailed when none succeeds."""
    names = names or names_from_settings()
    writers = [(spec, make_writer_or_reason(spec)) for spec in names]  # unknown names fail before any call
    attempts = []
    for spec, writer in writers:
        if isinstance(writer, str):
            attempts.append({"writer": spec, "outcome": "skipped", "error": writer})
            continue
        feedback, transient, corrected = [], 0, False
        while True:
            if progress:
                progress((_("writing with %(writer)s (corrected retry)") if feedback else _("writing with %(writer)s"))
                         % {"writer": writer.label})
            started = time.perf_counter()
            record = {"writer": writer.label}
            try:
                result = writer.write(replace(request, feedback=feedback))
            except InvalidAnswer as exc:
                attempts.append({**record, "outcome": "invalid", "error": str(exc)[:2000],
                                 "seconds": round(time.perf_counter() - started, 3)})
                log.warning("%s gave an invalid answer: %s", writer.label, exc)
                if corrected:
                    break
                corrected, feedback = True, exc.errors
                continue
            except WriterError as exc:
                attempts.append({**record, "outcome": exc.kind, "error": str(exc)[:2000],
                                 "seconds": round(time.perf_counter() - started, 3)})
                log.warning("%s failed: %s", writer.label, exc)
                transient += 1
                if not exc.retryable or transient >= settings.NEWSROOM_WRITER_ATTEMPTS:
                    break
                if exc.retry_after is not None:
                    if exc.retry_after > settings.NEWSROOM_WRITER_MAX_WAIT:
                        attempts[-1]["note"] = f"Retry-After {exc.retry_after:g} s is too long: next writer"
                        break
                    delay = exc.retry_after
                else:
                    base = settings.NEWSROOM_WRITER_BACKOFF * 2 ** (transient - 1)
                    delay = min(base * (1 + random.random() / 2), settings.NEWSROOM_WRITER_MAX_WAIT)
                attempts[-1]["waited"] = round(delay, 3)
                sleep(delay)
                continue
            attempts.append({**record, "outcome": "ok", "seconds": round(time.perf_counter() - started, 3)})
            return result, attempts
    summary = "; ".join(f"{a['writer']}: {a['outcome']}" + (f" ({a['error'][:200]})" if a.get("error") else "")
                        for a in attempts)
    raise ChainFailed(_("No writer produced a valid draft (%(attempts)s); check the writers' keys and models, or "
                        "write with extractive") % {"attempts": summary}, attempts)


def make_writer_or_reason(spec):
    try:
        return make_writer(spec)
    except WriterUnavailable as exc:
        return f"{spec} not configured: {exc}"
