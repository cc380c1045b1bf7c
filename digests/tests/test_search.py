"""Korean search: stems match across particles, only what readers read is indexed, ranked, with highlighted snippets."""
import json
from pathlib import Path

import pytest
from django.core.cache import cache

from digests import readers, search, workflow
from digests.models import Digest, SearchDocument, Status
from digests.tests.factories import DigestFactory
from digests.tests.live import live_digest

pytestmark = pytest.mark.django_db
QUERY_SET = Path(__file__).resolve().parents[2] / "bench" / "search_queries.json"


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def with_text(digest, summary, title=None, insight=None, tags=None):
    snap = dict(digest.live_snapshot)
    item = {**snap["items"][0], "summary": summary}
    if title:
        item["title"] = title
    if insight:
        item["insights"] = [{"label": "", "text": insight}]
    snap["items"] = [item]
    if tags is not None:
        snap["extra"] = {"tags": tags}
    Digest.objects.filter(pk=digest.pk).update(live_snapshot=snap)
    readers.live_changed([digest.pk])
    digest.refresh_from_db()
    return digest


def found(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def titles_found(query):
    ids = search.ranked_ids(search.query_terms(query))
    return [Digest.objects.get(pk=pk).live_snapshot["title"] for pk in ids]


def test_particles_and_endings_match_their_stem(tech):
    gov = with_text(live_digest(series=tech), "정부가 반도체 지원책을 발표했습니다.")
    other = with_text(live_digest(series=tech), "기업들이 새 제품을 공개했습니다.")
    for query in ["정부", "정부가", "정부는", "정부의 반도체", "반도체를", "지원책", "발표한"]:
        assert titles_found(query) == [gov.live_snapshot["title"]], query
    assert titles_found("공개하는 기업") == [other.live_snapshot["title"]]
    assert titles_found("정부 제품") == []  # every stem must be there


def test_the_footer_and_source_urls_are_not_indexed(tech):
    digest = live_digest(series=tech)  # footer "이 포스팅은 Gemini AI가 …", sources https://example.com/…
    assert digest.live_snapshot["footer"] and "Gemini" in digest.live_snapshot["footer"]
    with_text(digest, "링크는 https://news.example.com/a 에 있습니다. [원문](https://other.example.org/b)")
    for query in ["Gemini", "포스팅", "https", "example", "news", "com", "ref", "rss", "other"]:
        assert titles_found(query) == [], query
    assert titles_found("원문 링크") == [digest.live_snapshot["title"]]  # the link's text is


def test_titles_insights_and_tags_are_indexed(tech):
    digest = with_text(live_digest(series=tech), "요약입니다.", title="엔비디아의 새 칩", insight="클라우드 수요가 커집니다.",
                       tags=["K-pop", "반도체"])
    title = digest.live_snapshot["title"]
    for query in ["엔비디아", "칩", "클라우드", "수요", "K-pop", "pop", "반도체"]:
        assert titles_found(query) == [title], query


def test_each_field_is_indexed_as_its_screen_shows_it():
    # Titles and insights are inline Markdown: "1. " and "- " at their start, and "*" in a label, are text.
    snapshot = {"title": "[2026-01-01] *별표* 제목", "items": [
        {"title": "1. CES 2026 개막", "summary": "- 삼성\n- **엘지**", "insights": [
            {"label": "A*B*C", "text": "`코드` [링크](https://example.com/x)"}, {"label": "", "text": "3. 세 번째"}]},
        {"title": "- 대시로 시작", "summary": "요약", "insights": []}]}
    assert search.document_text(snapshot).split("\n") == [
        "[2026-01-01] *별표* 제목", "1. CES 2026 개막", "삼성 엘지", "A*B*C: 코드 링크", "3. 세 번째", "- 대시로 시작", "요약"]


def test_more_matches_rank_higher_and_unpublished_digests_leave_the_index(tech, publisher):
    once = with_text(live_digest(series=tech), "배터리 소식입니다.")
    often = with_text(live_digest(series=tech), "배터리 배터리 배터리, 배터리 재활용과 배터리 가격.",
                      title="배터리 특집")
    assert titles_found("배터리") == [often.live_snapshot["title"], once.live_snapshot["title"]]
    workflow.unpublish(often, publisher, "pulled")
    assert not SearchDocument.objects.filter(digest=often).exists()
    assert titles_found("배터리") == [once.live_snapshot["title"]]


def test_publishing_indexes_the_published_words(tech, publisher):
    digest = DigestFactory(series=tech, status=Status.APPROVED)
    item = digest.items.first()
    item.summary = "우주 데이터센터 구상이 공개됐습니다."
    item.save()
    workflow.publish(digest, publisher)
    assert titles_found("데이터센터를") == [digest.live_snapshot["title"]]


def test_results_show_a_snippet_with_the_matches_highlighted_and_escaped(client, tech):
    with_text(live_digest(series=tech), "지난주 정부가 <script>alert(1)</script> 반도체 지원책(1 < 2 & 3)을 발표했고, "
                                        "업계는 정부의 결정을 반겼습니다.")
    page = found(client, "정부는")
    assert "검색 결과 1건" in page
    assert '<p class="snippet">' in page
    assert "<mark>정부</mark>가" in page and "<mark>정부</mark>의" in page
    assert "<script>alert(1)</script>" not in page and "지원책(1 &lt; 2 &amp; 3)" in page


def test_snippets_cut_around_the_first_match():
    text = "앞부분 " * 60 + "핵심 단어인 반도체가 여기에 있습니다." + " 뒷부분" * 60
    piece = search.snippet(text, ["반도체"])
    assert piece.startswith("…") and piece.endswith("…") and "<mark>반도체</mark>가" in piece
    assert len(piece) < search.SNIPPET_CHARS + 40
    assert search.snippet("said AI and aid", ["ai"]).count("<mark>") == 1  # Latin stems: whole words


def test_odd_queries_answer_200(client, tech):
    live_digest(series=tech)
    # A NUL is refused before any view, with a 400 that names it (digests/middleware.py).
    assert client.get("/search/", {"q": "a\x00b"}).status_code == 400
    for query in ["'\\\" & | ! :* %_", "가", "ㅋㅋㅋ", "*", '"', "OR", "NEAR(", "a" * 500]:
        page = found(client, query)
        assert "검색 결과" in page, query
    assert "검색 결과" not in found(client, "")


def test_the_query_set_finds_what_it_expects_and_nothing_in_footers_or_urls(tech, entertainment):
    # The same sample posts and queries as bench/search.py, which prints the figures.
    from bench.search import load_posts

    names = {v: k for k, v in load_posts().items()}
    queries = json.loads(QUERY_SET.read_text(encoding="utf-8"))["queries"]
    assert len(queries) >= 30
    for query in queries:
        ids = set(search.ranked_ids(search.query_terms(query["q"])))
        assert ids == {names[name] for name in query["expect"]}, query["q"]


def test_an_import_indexes_its_posts_after_commit_with_one_analyser_call(monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    """The Korean analysis (10-25 ms a post) runs in a task queued once the batch commits, not in the import."""
    from digests.jekyll_io import import_paths

    calls = []
    real = search.terms_of
    monkeypatch.setattr(search, "terms_of", lambda texts: calls.append(len(texts)) or real(texts))
    before = readers.current()[0]
    with django_capture_on_commit_callbacks() as queued:
        report = import_paths([Path(__file__).resolve().parents[1] / "sample_data" / "posts"])
    assert len(report.created) == 6 and calls == [] and readers.current()[0] == before + 1
    assert titles_found("배리어프리") == []  # not indexed yet
    for callback in queued:
        callback()
    assert calls == [6] and readers.current()[0] == before + 2  # the reindex bumps: cached searches are redone
    assert len(titles_found("배리어프리")) == 1 and titles_found("Gemini") == []
    with django_capture_on_commit_callbacks(execute=True):
        again = import_paths([Path(__file__).resolve().parents[1] / "sample_data" / "posts"])
    assert len(again.updated) == 6 and calls == [6]  # unchanged text: nothing analysed again


def test_the_sweep_restores_a_lost_index_and_drops_unpublished_digests(tech):
    from digests import tasks

    kept, pulled = live_digest(series=tech), live_digest(series=tech)
    SearchDocument.objects.filter(digest=kept).delete()  # an import whose indexing task was never queued
    Digest.objects.filter(pk=pulled.pk).update(live_snapshot=None, status=Status.APPROVED)  # behind the signals
    before = readers.current()[0]
    tasks.index_search()
    assert set(SearchDocument.objects.values_list("digest_id", flat=True)) == {kept.pk}
    assert readers.current()[0] == before + 1
    tasks.index_search()
    assert readers.current()[0] == before + 1  # nothing changed: no bump
