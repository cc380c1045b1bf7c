"""digests.verify: quotes, numbers across Korean and English forms (both ways), names, phrases; no database."""
import pytest

from digests import verify
from digests.verify import Source, UNSUPPORTED, UNVERIFIABLE, VERIFIED

EN = Source(title="SpaceX acquires xAI in merger to build data centers in space", text=(
    "SpaceX said on Feb. 2, 2026 that it will acquire xAI in a deal valued at $16 billion, "
    "about 22 trillion won. Elon Musk said a third of the compute will be in orbit by 2030. "
    "Shares of partners rose 40 percent in early trading. The company called it “the largest merger ever”."))
KO = Source(title="스페이스X, xAI 인수", text=(
    "스페이스X는 2026년 2월 2일 xAI를 160억 달러(약 22조 원)에 인수한다고 밝혔다. "
    "머스크는 연산의 3분의 1을 2030년까지 궤도에 올리겠다고 말했다. 협력사 주가는 40% 올랐다."))


def state(text, source, quote="", sources=(EN, KO)):
    return verify.verify_sentence(text, source, quote, list(sources))


@pytest.mark.parametrize("korean, english", [
    ("160억 달러", "$16 billion"), ("22조 원", "22 trillion won"), ("3분의 1", "a third"), ("3분의 1", "one-third"),
    ("40%", "40 percent"), ("40퍼센트", "40%"), ("2026년 2월 2일", "Feb. 2, 2026"), ("2026년 2월 2일", "February 2, 2026"),
    ("2월 2일", "2 February 2026"), ("1조 2천억 원", "1.2 trillion won"), ("3천만 명", "30 million people"),
    ("2030년", "by 2030"), ("3분기", "the third quarter"), ("2026년 1분기", "Q1 2026"), ("10만 명", "100,000 users"),
])
def test_number_forms_match_both_ways(korean, english):
    ko, en = verify.numbers(korean), verify.numbers(english)
    assert len(ko) == 1 and len(en) == 1, (ko, en)
    assert ko[0].matches(en[0]) and en[0].matches(ko[0])


@pytest.mark.parametrize("korean, english", [
    ("16억 달러", "$16 billion"), ("160억 원", "$16 billion"), ("4분의 1", "a third"), ("41%", "40 percent"),
    ("2026년 2월 3일", "Feb. 2, 2026"), ("40%", "40 people"), ("2분기", "Q3"),
])
def test_different_numbers_do_not_match(korean, english):
    assert not any(k.matches(e) for k in verify.numbers(korean) for e in verify.numbers(english))


def test_digits_inside_names_are_not_numbers():
    assert verify.numbers("GPT-5 runs on H100 and M5 chips over 5G") == []
    assert [n.value for n in verify.numbers("$16B, $1.5bn and the 2nd")] == [16e9, 1.5e9, 2.0]


def test_a_korean_sentence_checked_against_an_english_source_is_verified():
    sentence = "SpaceX는 2026년 2월 2일 xAI를 160억 달러에 인수한다고 밝혔다."
    verdict = state(sentence, 1, "it will acquire xAI in a deal valued at $16 billion")
    assert verdict.state == VERIFIED, verdict.reasons
    assert verdict.checked["names"] == ["SpaceX", "xAI"] and len(verdict.checked["numbers"]) == 2
    start, end = verdict.span
    assert EN.text[start:end] == "it will acquire xAI in a deal valued at $16 billion"


def test_an_english_sentence_checked_against_a_korean_source_is_verified():
    verdict = state("xAI will be bought for $16 billion, a third of compute in orbit by 2030; shares up 40%.", 2,
                    "xAI를 160억 달러(약 22조 원)에 인수한다고")
    assert verdict.state == VERIFIED, verdict.reasons


def test_a_wrong_number_is_unsupported_with_the_number_named():
    verdict = state("SpaceX는 xAI를 16억 달러에 인수한다.", 1, "valued at $16 billion")
    assert verdict.state == UNSUPPORTED
    assert verdict.reasons == [{"code": "number_missing", "value": "16억 달러", "source": 1}]
    assert verify.describe(verdict.reasons[0]) == "The number “16억 달러” is not in source 1."


def test_a_name_not_in_the_source_is_unsupported():
    verdict = state("SpaceX는 Nvidia와 함께 xAI를 인수한다.", 1, "it will acquire xAI")
    assert [(r["code"], r["value"]) for r in verdict.reasons] == [("name_missing", "Nvidia")]


def test_a_quote_not_in_the_source_is_unsupported_even_when_the_facts_hold():
    verdict = state("SpaceX는 xAI를 인수한다.", 1, "SpaceX will merge with xAI next week")
    assert verdict.state == UNSUPPORTED and verdict.reasons == [{"code": "quote_missing", "source": 1}]
    assert verify.describe(verdict.reasons[0]) == "Its quote is not in source 1."


def test_quotes_match_after_unicode_and_whitespace_normalisation_and_parts_in_order():
    text = "Musk\u00a0said:  “We’re going\n to orbit.” Then ＳｐａｃｅＸ shipped it."
    assert verify.find_quote('musk said: "we\'re going to orbit."', text) is not None
    assert verify.find_quote("Musk said … SpaceX shipped it", text) is not None
    assert verify.find_quote("SpaceX shipped it … Musk said", text) is None


def test_a_too_short_quote_and_an_unknown_source_are_unsupported():
    assert state("SpaceX는 xAI를 인수한다.", 1, "xAI").reasons == [{"code": "quote_too_short", "source": 1}]
    assert state("SpaceX는 xAI를 인수한다.", 3, "it will acquire xAI").reasons == [{"code": "no_source", "source": 3}]


def test_quoted_phrases_must_be_in_the_source():
    assert state("회사는 이를 “the largest merger ever”라고 불렀다.", 1, "called it “the largest merger ever”").state == VERIFIED
    verdict = state("회사는 이를 “역사상 최대”라고 불렀다.", 1, "called it “the largest merger ever”")
    assert [(r["code"], r["value"]) for r in verdict.reasons] == [("phrase_missing", "역사상 최대")]


def test_a_sentence_with_nothing_to_check_is_unverifiable_not_verified():
    assert state("이번 거래는 업계에 큰 파장을 일으킬 전망이다.", 1, "The company called it").state == UNVERIFIABLE
    assert state("이번 거래는 업계에 큰 파장을 일으킬 전망이다.", 1, "").state == UNVERIFIABLE


def test_a_sentence_taken_from_the_source_verifies_even_without_names_or_numbers():
    sentence = "Shares of partners rose 40 percent in early trading."
    assert state(sentence, 1, sentence).state == VERIFIED
    plain = Source(text="It explains what happened. More details follow.")
    assert verify.verify_sentence("It explains what happened.", 1, "It explains what happened.", [plain]).state == VERIFIED


def test_no_source_text_is_unverifiable():
    assert verify.verify_sentence("SpaceX는 xAI를 160억 달러에 인수한다.", 1, "", [Source(text="")]).state == UNVERIFIABLE
    # An imported or hand-written item: its links have no text, its sentences cite nothing.
    uncited = verify.verify_sentence("요약 문단 30입니다.", None, "", [Source(text="")])
    assert (uncited.state, uncited.reasons) == (UNVERIFIABLE, [{"code": "no_text", "source": None}])


def test_an_edited_summary_keeps_citations_and_is_checked_again():
    generated = [{"text": "SpaceX는 xAI를 16억 달러에 인수한다.", "source": 1, "quote": "valued at $16 billion"},
                 {"text": "협력사 주가는 40% 올랐다.", "source": 2, "quote": "협력사 주가는 40% 올랐다."}]
    edited = "SpaceX는 xAI를 160억 달러에 인수한다. 협력사 주가는 40% 올랐다. Tesla도 참여했다."
    triples = verify.realign(edited, generated)
    assert [t[1:] for t in triples] == [(1, "valued at $16 billion"), (2, "협력사 주가는 40% 올랐다."), (None, "")]
    verdicts = verify.verify(triples, [EN, KO])
    assert [v.state for v in verdicts] == [VERIFIED, VERIFIED, UNSUPPORTED]
    assert verdicts[2].reasons == [{"code": "name_missing", "value": "Tesla", "source": None}]
    assert verify.describe(verdicts[2].reasons[0]) == "The name “Tesla” is in none of the item's sources."


def test_an_uncited_sentence_is_verified_by_the_source_that_holds_its_facts():
    verdict = verify.verify_sentence("주가는 40% 올랐다.", None, "", [Source(text="nothing here"), KO])
    assert (verdict.state, verdict.source) == (VERIFIED, 2)


def test_sentences_split_at_ends_but_not_after_abbreviations_and_markdown_is_ignored():
    text = "SpaceX said on **Feb. 2, 2026** it will buy [xAI](https://x.ai). The U.S. Army agreed. 인수했다. 발표했다!"
    assert verify.split_sentences(text) == ["SpaceX said on Feb. 2, 2026 it will buy xAI.", "The U.S. Army agreed.",
                                            "인수했다.", "발표했다!"]
    assert verify.fingerprint("a **b**") == verify.fingerprint("a b")


def test_names_of_korean_and_english_sentences():
    assert verify.names("SpaceX가 xAI를 인수한 뒤 Elon Musk CEO가 GPT-5를 언급했다.") == ["SpaceX", "xAI", "Elon", "Musk", "GPT-5"]
    assert verify.names("The deal is worth $16 billion, SpaceX said while Musk's firm agreed.") == ["SpaceX", "Musk"]
