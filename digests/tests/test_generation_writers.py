"""Writers and their chain against a fake model speaking the Gemini and OpenAI wire formats, through the real SDKs."""
import datetime as dt

import pytest

from digests.generation.merge import Article, Candidate
from digests.generation.writers import chain
from digests.generation.writers.base import WriteRequest
from digests.generation.writers.extractive import ExtractiveWriter, first_sentences
from digests.generation.writers.schema import InvalidAnswer, validate
from digests.tests.fakes.fixtures import *  # noqa: F401,F403


def candidates(n=8):
    return [
        Candidate(id=f"c{k:03d}", title=f"Chip story {k}", summary=f"Chip story {k} happened. Then more. And more.",
                  link=f"https://news.example.com/{k}?utm_source=rss", source_name="Fixture", sources=["Fixture"],
                  entry_ids=[k], canonical_urls=[f"https://news.example.com/{k}"], published_at=None,
                  articles=[Article(url=f"https://news.example.com/{k}", name="Fixture", entry_id=k,
                                    title=f"Chip story {k}",
                                    text=f"Chip story {k} happened at ExampleCorp. Then more. And more.")])
        for k in range(n)
    ]


@pytest.fixture
def request_():
    return WriteRequest(series_name="글로벌 IT 뉴스", date=dt.date(2026, 3, 2), candidates=candidates(), item_count=5,
                        insight_count=2)


def outcomes(attempts):
    return [(a["writer"].split(":")[0], a["outcome"]) for a in attempts]


def test_gemini_writes_valid_items_with_urls_from_the_candidates(writer_settings, model_server, request_):
    result, attempts = chain.write(request_)
    assert outcomes(attempts) == [("gemini", "ok")]
    assert (result.writer, result.model) == ("gemini", "gemini-2.5-flash")
    assert len(result.items) == 5 and all(len(i.insights) == 2 for i in result.items)
    assert result.items[0].candidate.url == "https://news.example.com/0"  # tracking removed, from the candidate
    assert result.tokens["total"] > 0
    sent = model_server.requests[0]
    assert sent["wire"] == "gemini" and sent["body"]["generationConfig"]["responseMimeType"] == "application/json"
    assert "c000" in sent["prompt"] and "responseJsonSchema" in sent["body"]["generationConfig"]


def test_openai_compatible_writer_uses_json_schema_mode(writer_settings, model_server, request_):
    result, attempts = chain.write(request_, ["openai"])
    assert outcomes(attempts) == [("openai", "ok")] and result.model == "fake-model"
    body = model_server.requests[0]["body"]
    assert body["response_format"]["type"] == "json_schema" and body["response_format"]["json_schema"]["strict"]


def test_timeout_is_retried_then_the_next_writer_is_tried(writer_settings, model_server, request_):
    model_server.script("gemini", "delay:3", "delay:3")
    result, attempts = chain.write(request_)
    assert outcomes(attempts) == [("gemini", "timeout"), ("gemini", "timeout"), ("openai", "ok")]
    assert result.writer == "openai"


def test_429_honours_retry_after(writer_settings, model_server, request_):
    model_server.script("gemini", "429:1")
    result, attempts = chain.write(request_)
    assert outcomes(attempts) == [("gemini", "http_429"), ("gemini", "ok")]
    first, second = model_server.requests[:2]
    assert second["time"] - first["time"] >= 1.0 and attempts[0]["waited"] == 1.0


def test_429_asking_too_long_a_wait_moves_on(writer_settings, model_server, request_):
    model_server.script("gemini", "429:3600")
    result, attempts = chain.write(request_)
    assert outcomes(attempts) == [("gemini", "http_429"), ("openai", "ok")]
    assert "too long" in attempts[0]["note"]


def test_500_is_retried_with_backoff(writer_settings, model_server, request_):
    model_server.script("gemini", "500")
    result, attempts = chain.write(request_)
    assert outcomes(attempts) == [("gemini", "http_500"), ("gemini", "ok")] and attempts[0]["waited"] >= 0.05


def test_not_json_is_retried_once_with_the_errors(writer_settings, model_server, request_):
    model_server.script("gemini", "not_json")
    result, attempts = chain.write(request_)
    assert outcomes(attempts) == [("gemini", "invalid"), ("gemini", "ok")]
    retry_prompt = model_server.requests[1]["prompt"]
    assert "이전 답변의 문제" in retry_prompt and "not JSON" in retry_prompt


@pytest.mark.parametrize(("behaviour", "message"), [
    ("wrong_count", "Expected exactly 5 items, got 4"),
    ("unknown_id", "is not one of the given candidates"),
    ("empty_insights", "expected exactly 2 insights, got 0"),
    ("english", "must be written in Korean"),
])
def test_an_invalid_answer_twice_passes_down_the_chain(behaviour, message, writer_settings, model_server, request_):
    model_server.script("gemini", behaviour, behaviour)
    result, attempts = chain.write(request_)
    assert outcomes(attempts) == [("gemini", "invalid"), ("gemini", "invalid"), ("openai", "ok")]
    assert message in attempts[0]["error"] and message in model_server.requests[1]["prompt"]
    assert result.writer == "openai" and all(len(i.insights) == 2 for i in result.items)


def test_every_model_failing_falls_back_to_extractive_flagged_items(writer_settings, model_server, request_):
    model_server.default = "english"
    result, attempts = chain.write(request_)
    assert outcomes(attempts)[-1] == ("extractive", "ok")
    assert all(i.needs_attention and i.insights == [("", "")] * request_.insight_count for i in result.items)
    assert result.items[0].title == "Chip story 0" and result.items[0].summary.startswith("Chip story 0 happened at")


def test_no_writer_left_raises_with_every_attempt(writer_settings, model_server, request_):
    model_server.default = "500"
    with pytest.raises(chain.ChainFailed) as failed:
        chain.write(request_, ["gemini", "openai"])
    assert outcomes(failed.value.attempts) == [("gemini", "http_500")] * 2 + [("openai", "http_500")] * 2
    assert "초안을 만든 작성기가 없습니다" in str(failed.value)


def test_unconfigured_writers_are_skipped_and_unknown_ones_refused(writer_settings, request_):
    writer_settings.GEMINI_API_KEY = ""
    result, attempts = chain.write(request_, ["gemini", "extractive"])
    assert attempts[0]["outcome"] == "skipped" and "GEMINI_API_KEY" in attempts[0]["error"]
    with pytest.raises(ValueError, match="'claude'은\\(는\\) 알 수 없는 작성기입니다"):
        chain.write(request_, ["claude"])


def test_validate_reports_every_problem():
    with pytest.raises(InvalidAnswer) as bad:
        validate('{"items": [{"candidate_id": "x", "title": "Hello", "sentences": [{"text": "English", "source": 3, '
                 '"quote": ""}], "insights": [], "tags": []}]}', ["a"], 2, 2, {"x": 1})
    errors = bad.value.errors
    assert any("exactly 2 items" in e for e in errors) and any("Korean" in e for e in errors)
    assert any("not one of the given candidates" in e for e in errors)
    assert any("source 3 is not one of the candidate's sources (1 to 1)" in e for e in errors)
    assert any("the text and the quote must not be empty" in e for e in errors)
    with pytest.raises(InvalidAnswer, match="items: Field required"):
        validate("{}", ["a"], 1, 1)


def test_extractive_takes_first_sentences():
    assert first_sentences("첫 문장입니다. 둘째 문장입니다! 셋째? 넷째.") == ["첫 문장입니다.", "둘째 문장입니다!", "셋째?"]
    assert first_sentences("SpaceX said on Feb. 2, 2026 it will buy xAI. More.") == [
        "SpaceX said on Feb. 2, 2026 it will buy xAI.", "More."]
    result = ExtractiveWriter().write(WriteRequest("x", dt.date(2026, 1, 1), candidates(5), 5, 2))
    assert len(result.items) == 5 and result.warnings


def test_extractive_sentences_cite_their_source_and_verify():
    from digests import verify
    from digests.generation.writers.base import sources_of

    result = ExtractiveWriter().write(WriteRequest("x", dt.date(2026, 1, 1), candidates(5), 5, 2))
    item = result.items[0]
    assert item.sentences[0] == ("Chip story 0 happened at ExampleCorp.", 1, "Chip story 0 happened at ExampleCorp.")
    verdicts = verify.verify(item.sentences, sources_of(item.candidate))
    assert {v.state for v in verdicts} == {verify.VERIFIED}


def test_a_model_citing_badly_gets_one_corrected_retry_then_its_draft_is_kept(writer_settings, model_server, request_):
    model_server.script("gemini", "ungrounded", "ungrounded")
    result, attempts = chain.write(request_, ["gemini"])
    assert outcomes(attempts) == [("gemini", "invalid"), ("gemini", "ok")]
    retry = model_server.requests[1]["prompt"]
    assert "Item 1, sentence 1: The number “16억 달러” is not in source 1." in retry
    assert "Item 1, sentence 2: The name “Nvidia” is not in source 1." in retry
    assert "Item 1, sentence 3: Its quote is not in source 1." in retry
    assert result.warnings and "not supported by their sources" in result.warnings[0]
    assert result.items[0].sentences[1][0] == "Nvidia도 이번 거래에 참여했습니다."


def test_a_retry_that_cites_well_is_taken(writer_settings, model_server, request_):
    model_server.script("gemini", "ungrounded", "ok")
    result, attempts = chain.write(request_, ["gemini"])
    assert outcomes(attempts) == [("gemini", "invalid"), ("gemini", "ok")] and not result.warnings
