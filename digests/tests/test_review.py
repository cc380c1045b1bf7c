"""The review screen: the decision on top, each item as readers see it beside its sources and flags,
one-click actions, reject confirmed, item-aware diffs, bounded queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digests import review, workflow
from digests.models import Digest, FeedEntry, ItemSource, NewsItem, Source, Status
from digests.posts import digest_snapshot, with_content
from digests.tests.factories import DigestFactory

pytestmark = pytest.mark.django_db


def review_url(digest):
    return reverse("admin:digests_digest_review", args=[digest.pk])


def with_feed_entries(digest):
    """Give each item's source the feed entry it came from (outlet, title, the feed's text)."""
    source, _ = Source.objects.get_or_create(series=digest.series, url="https://feed.example/rss",
                                            defaults={"name": "테크피드"})
    for item in digest.items.all():
        entry = FeedEntry.objects.create(source=source, guid=f"g{item.pk}", url=f"https://feed.example/{item.pk}",
                                         title=f"원문 제목 {item.pk}", summary=f"<p>피드 본문 {item.pk} <b>굵게</b></p>")
        item.sources.update(entry=entry, name="테크크런치")
    return digest


def test_the_review_screen_shows_the_decision_first_then_each_item_beside_its_sources(client, editor, reviewer):
    digest = with_feed_entries(workflow.submit(DigestFactory(assignee=editor), editor))
    workflow.request_changes(digest, reviewer, "세 번째 요약이 원문과 다릅니다")
    workflow.submit(digest, editor)
    client.force_login(reviewer)
    html = client.get(review_url(digest)).content.decode()
    top = html.index('class="review-head"')
    assert top < html.index("검토 요청함") < html.index('class="review-items"')  # the latest decision: the resubmission
    assert 'digest-status--in_review">검토 중<' in html and "담당자: editor" in html
    workflow.request_changes(digest, reviewer, "세 번째 요약이 원문과 다릅니다")
    html = client.get(review_url(digest)).content.decode()
    assert html.index("세 번째 요약이 원문과 다릅니다") < html.index('class="review-items"')
    item = digest.items.get(position=2)
    panel = html[html.index(f'id="item-{item.pk}"'):]
    panel = panel[:panel.index("</article>")]
    assert f"<h3><span class=\"review-number\">3.</span> {item.title}</h3>" in panel
    assert "📌 요약" in panel and "💡 시사점" in panel and 'href="https://example.com/news/' in panel
    assert "테크크런치" in panel and f"원문 제목 {item.pk}" in panel and f"피드 본문 {item.pk} 굵게" in panel
    assert "<b>" not in panel  # the feed's HTML is shown as text
    assert "표시 없음." in panel


def test_one_click_actions_share_one_comment_box_and_come_back_to_the_screen(client, editor, reviewer):
    digest = workflow.submit(DigestFactory(), editor)
    client.force_login(reviewer)
    html = client.get(review_url(digest)).content.decode()
    for name in ("approve", "request_changes", "reject"):
        assert f'formaction="{reverse("admin:digests_digest_transition", args=[digest.pk, name])}"' in html
    assert 'accesskey="a"' in html and 'id="review-comment"' in html and "digests/admin/review.js" in html
    url = reverse("admin:digests_digest_transition", args=[digest.pk, "request_changes"])
    response = client.post(url, {"version": digest.version, "comment": "2번 요약을 고쳐 주세요", "next": "review"})
    assert response.status_code == 302 and response["Location"] == review_url(digest)
    assert Digest.objects.get(pk=digest.pk).status == Status.CHANGES_REQUESTED


def test_reject_asks_for_a_reason_and_a_confirmation(client, editor, reviewer):
    digest = workflow.submit(DigestFactory(), editor)
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_transition", args=[digest.pk, "reject"])
    response = client.post(url, {"version": digest.version, "comment": "", "next": "review"}, follow=True)
    assert "반려에는 편집자에게 이유를 알려 줄 댓글이 필요합니다" in response.content.decode()
    response = client.post(url, {"version": digest.version, "comment": "같은 기사가 두 번", "next": "review"})
    html = response.content.decode()
    assert response.status_code == 200 and "네, 반려합니다" in html and "같은 기사가 두 번" in html
    assert Digest.objects.get(pk=digest.pk).status == Status.IN_REVIEW  # not yet
    client.post(url, {"version": digest.version, "comment": "같은 기사가 두 번", "confirmed": "1"})
    digest.refresh_from_db()
    assert digest.status == Status.REJECTED and digest.events.last().comment == "같은 기사가 두 번"


def test_a_flag_is_shown_and_a_reviewer_overrides_it_with_a_comment(client, editor, reviewer):
    digest = DigestFactory()
    item = digest.items.get(position=1)
    NewsItem.objects.filter(pk=item.pk).update(needs_attention=True)
    workflow.submit(digest, editor)
    client.force_login(editor)
    html = client.get(review_url(digest)).content.decode()
    assert "⚑ 확인 필요" in html and "표시 해제" not in html  # editors clear it in the form instead
    client.force_login(reviewer)
    html = client.get(review_url(digest)).content.decode()
    assert "항목 2(“" in html and "확인이 필요합니다" in html  # what holds back the approval, on top
    override = reverse("admin:digests_digest_override", args=[digest.pk, item.pk])
    assert f'action="{override}"' in html
    client.post(override, {"comment": "원문 두 개를 확인했습니다"})
    html = client.get(review_url(digest)).content.decode()
    assert "reviewer이(가) 해제:" in html and "원문 두 개를 확인했습니다" in html
    assert workflow.approve(Digest.objects.get(pk=digest.pk), reviewer).status == Status.APPROVED


def test_feed_links_that_would_run_script_are_never_links(client, editor):
    digest = DigestFactory()
    ItemSource.objects.filter(news_item__digest=digest, news_item__position=0).update(url="javascript:alert(1)")
    ItemSource.objects.filter(news_item__digest=digest, news_item__position=1).update(url="data:text/html,x")
    client.force_login(editor)
    for url in (review_url(digest), reverse("admin:digests_digest_preview", args=[digest.pk]),
                reverse("admin:digests_generationrun_regenerate_item", args=[digest.items.get(position=0).pk])):
        html = client.get(url).content.decode()
        assert 'href="javascript:' not in html and 'href="data:' not in html, url
    assert "링크 아님: javascript:alert(1)" in client.get(review_url(digest)).content.decode()


# Diffs --------------------------------------------------------------------------------


def snapshot_of(digest):
    return digest_snapshot(with_content(Digest.objects.filter(pk=digest.pk)).get())


def test_a_reorder_shows_as_a_move_not_a_delete_and_an_add():
    digest = DigestFactory()
    before = snapshot_of(digest)
    after = {**before, "items": [before["items"][3], *before["items"][:3], before["items"][4]]}
    rows = review.item_diff(before, after)
    assert [(r["kind"], r.get("from"), r.get("to")) for r in rows] == [("moved", 4, 1)]


def test_changed_added_and_removed_items_and_word_diffs():
    digest = DigestFactory()
    before = snapshot_of(digest)
    items = [dict(i) for i in before["items"]]
    items[1] = {**items[1], "summary": items[1]["summary"] + " 덧붙인 문장."}
    new = {**items[4], "title": "완전히 새로운 소식", "summary": "전혀 다른 내용", "sources": [{"url": "https://n.example", "name": ""}]}
    after = {**before, "title": "새 제목", "items": [items[0], items[1], items[2], items[3], new]}
    rows = review.item_diff(before, after)
    kinds = [(r["kind"], r["title"]) for r in rows]
    assert ("changed", "다이제스트") in kinds and ("added", "완전히 새로운 소식") in kinds
    assert ("removed", items[4]["title"]) in kinds
    [changed] = [r for r in rows if r["kind"] == "changed" and r["title"] == items[1]["title"]]
    assert changed["fields"][0][0] == "요약" and "<ins> 덧붙인 문장.</ins>" in changed["fields"][0][1]
    assert review.item_diff(None, after) is None


def test_the_screen_diffs_against_the_draft_and_the_live_version(client, editor):
    digest = DigestFactory()
    Digest.objects.filter(pk=digest.pk).update(generated_snapshot=snapshot_of(digest), live_snapshot=snapshot_of(digest))
    first, fourth = digest.items.get(position=0), digest.items.get(position=3)
    NewsItem.objects.filter(pk=first.pk).update(position=99)
    NewsItem.objects.filter(pk=fourth.pk).update(position=0)
    NewsItem.objects.filter(pk=first.pk).update(position=3)
    client.force_login(editor)
    html = client.get(review_url(digest)).content.decode()
    draft = html[html.index('id="diff-draft"'):html.index('id="diff-live"')]
    assert "4번에서 1번으로 옮김" in draft and "삭제(" not in draft and "추가" not in draft
    assert "4번에서 1번으로 옮김" in html[html.index('id="diff-live"'):]


# Queries ------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_review_screen_queries_do_not_grow_with_items_or_events(client, editor, reviewer, make_user, tech):
    tech.item_count = 1  # a one-item digest is complete too
    tech.save()
    counts = {}
    for items in (1, 5):
        for events in (1, 30):
            digest = with_feed_entries(DigestFactory(items=items))
            digest = workflow.submit(digest, make_user("Editor", username=f"e{items}{events}"))
            for n in range(events - 1):
                workflow.comment(digest, editor, f"댓글 {n}", news_item=digest.items.first())
            client.force_login(reviewer)
            count_queries(client, review_url(digest))  # warm the permission cache
            counts[(items, events)] = count_queries(client, review_url(digest))
    print("review screen queries (items, events):", counts)
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= 20


def test_a_comment_on_one_item_from_the_screen(client, editor, reviewer):
    digest = workflow.submit(DigestFactory(), editor)
    item = digest.items.get(position=3)
    client.force_login(reviewer)
    response = client.post(reverse("admin:digests_digest_comment", args=[digest.pk]),
                           {"comment": "이 기사 출처가 약해요", "news_item": item.pk, "next": "review"})
    assert response["Location"] == review_url(digest)
    html = client.get(review_url(digest)).content.decode()
    panel = html[html.index(f'id="item-{item.pk}"'):]
    assert "이 기사 출처가 약해요" in panel[:panel.index("</article>")]
