"""Versioned prompt templates: a change of wording is a new file, so provenance says which one wrote a draft."""
import hashlib
import json
from pathlib import Path
from string import Template

from django.conf import settings

DIRECTORY = Path(__file__).resolve().parent
CURRENT = "digest_v2"


def load(version=CURRENT):
    return (DIRECTORY / f"{version}.txt").read_text(encoding="utf-8")


def fingerprint(version=CURRENT):
    return hashlib.sha256(load(version).encode()).hexdigest()[:12]


def sources_shown():
    """How many sources of each story the writer reads (NEWSROOM_PROMPT_SOURCES)."""
    return settings.NEWSROOM_PROMPT_SOURCES


def render(request, version=CURRENT):
    feedback = ""
    if request.feedback:
        feedback = "\n이전 답변의 문제 (모두 고쳐서 다시 답하세요):\n" + "\n".join(f"- {e}" for e in request.feedback)
    return Template(load(version)).substitute(
        series=request.series_name,
        date=request.date.isoformat(),
        item_count=request.item_count,
        insight_count=request.insight_count,
        candidates=json.dumps([c.as_prompt(settings.NEWSROOM_PROMPT_SOURCE_CHARS, sources_shown())
                               for c in request.candidates], ensure_ascii=False, indent=1),
        feedback=feedback,
    )
