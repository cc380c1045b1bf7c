"""The structured answer a writer must give, and its validation against the candidates it was given."""
import json
import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
LATIN = re.compile(r"[A-Za-z]")
# Korean tech prose is full of English names (OpenAI, GPU); below this share of Hangul it is not Korean.
MIN_HANGUL_SHARE = 0.3


class InsightOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(description="짧은 시사점 제목 (예: '시장 영향')")
    text: str = Field(description="시사점 한두 문장")


class SentenceOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="한국어 요약 문장 하나")
    source: int = Field(description="이 문장의 근거인 출처 번호 (후보 sources의 source 값)")
    quote: str = Field(description="그 출처 text에서 글자 그대로 옮긴 근거 구절 (원문 언어 그대로, 번역 금지)")


class ItemOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    candidate_id: str = Field(description="이 기사를 쓴 후보의 id (주어진 목록의 값 그대로)")
    title: str = Field(description="한국어 기사 제목")
    sentences: list[SentenceOut] = Field(description="한국어 요약 2~4문장, 문장마다 출처와 근거 구절")
    insights: list[InsightOut]
    tags: list[str] = Field(description="짧은 태그 1~4개")


class DigestOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemOut]


class InvalidAnswer(Exception):
    """The answer does not fit the request; `errors` are shown to the model on the retry."""

    def __init__(self, errors, raw=""):
        super().__init__("; ".join(errors))
        self.errors = list(errors)
        self.raw = raw


def _inline(node, defs):
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        # "title" annotations go (a string); the item's "title" property (a dict) stays.
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs" and not (k == "title" and isinstance(v, str))}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def json_schema():
    """The answer's JSON schema with references inlined: every field required, no extra keys (strict mode)."""
    schema = DigestOut.model_json_schema()
    return _inline(schema, schema.get("$defs", {}))


def hangul_share(text):
    hangul = len(HANGUL.findall(text))
    latin = len(LATIN.findall(text))
    return hangul / (hangul + latin) if hangul + latin else 0.0


def _strip_fences(text):
    text = text.strip()
    if text.startswith("```"):
        text = re.sub(r"^```[a-zA-Z]*\s*", "", text)
        text = re.sub(r"\s*```$", "", text)
    return text


def validate(raw, candidate_ids, item_count, insight_count, source_counts=None):
    """Parse and check an answer; raises InvalidAnswer listing every problem found.

    `source_counts` maps a candidate id to how many sources the writer was shown for it.
    """
    try:
        data = json.loads(_strip_fences(raw or ""))
    except json.JSONDecodeError as exc:
        raise InvalidAnswer([f"The answer is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})."], raw)
    try:
        answer = DigestOut.model_validate(data)
    except ValidationError as exc:
        raise InvalidAnswer(
            [f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in exc.errors()], raw
        ) from None
    errors = []
    if len(answer.items) != item_count:
        errors.append(f"Expected exactly {item_count} items, got {len(answer.items)}.")
    seen = set()
    allowed = set(candidate_ids)
    for n, item in enumerate(answer.items, 1):
        if item.candidate_id not in allowed:
            errors.append(f"Item {n}: candidate_id {item.candidate_id!r} is not one of the given candidates.")
        elif item.candidate_id in seen:
            errors.append(f"Item {n}: candidate {item.candidate_id!r} is used twice.")
        seen.add(item.candidate_id)
        summary = " ".join(s.text for s in item.sentences)
        if not item.title.strip() or not summary.strip():
            errors.append(f"Item {n}: the title and the summary must not be empty.")
        if not HANGUL.search(item.title) or hangul_share(item.title + " " + summary) < MIN_HANGUL_SHARE:
            errors.append(f"Item {n}: the title and summary must be written in Korean.")
        count = (source_counts or {}).get(item.candidate_id)
        for m, sentence in enumerate(item.sentences, 1):
            if not sentence.text.strip() or not sentence.quote.strip():
                errors.append(f"Item {n}, sentence {m}: the text and the quote must not be empty.")
            if count is not None and not 1 <= sentence.source <= count:
                errors.append(f"Item {n}, sentence {m}: source {sentence.source} is not one of the candidate's "
                              f"sources (1 to {count}).")
        if len(item.insights) != insight_count:
            errors.append(f"Item {n}: expected exactly {insight_count} insights, got {len(item.insights)}.")
        for m, insight in enumerate(item.insights, 1):
            if not insight.text.strip():
                errors.append(f"Item {n}, insight {m}: the text is empty.")
            elif hangul_share(insight.label + " " + insight.text) < MIN_HANGUL_SHARE:
                errors.append(f"Item {n}, insight {m}: must be written in Korean.")
    if errors:
        raise InvalidAnswer(errors, raw)
    return answer
