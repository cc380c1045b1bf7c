"""Admin: nested editing, no-op saves, reordering, stale saves refused, read-only states, queue, bulk actions, query counts."""
import datetime as dt
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digests import workflow
from digests.models import Digest, ReviewEvent, Status
from digests.tests.factories import DigestFactory

pytestmark = pytest.mark.django_db


class FormData(HTMLParser):
    """What a browser would post from the form with id `form_id`: inputs, textareas and selects as rendered."""

    def __init__(self, html, form_id="digest_form"):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._textarea = self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "__prefix__" in (attrs.get("name") or ""):
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "submit" or (kind in ("checkbox", "radio") and "checked" not in attrs):
                return
            self.data[name] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            # The browser drops one leading newline of a textarea's content.
            text = self.data[self._textarea] + data
            self.data[self._textarea] = text[1:] if text.startswith("\n") and not self.data[self._textarea] else text


def change_url(digest):
    return reverse("admin:digests_digest_change", args=[digest.pk])


def form_of(client, digest):
    response = client.get(change_url(digest))
    assert response.status_code == 200
    return FormData(response.content.decode()).data


def item_field(data, digest, position, field):
    """The form key of the item at `position` (as stored) in the page."""
    item = digest.items.get(position=position)
    for key, value in data.items():
        if key.startswith("items-") and key.endswith("-id") and key.count("-") == 2 and value == str(item.pk):
            return key[: -len("id")] + field
    raise KeyError(position)


def post(client, digest, data):
    return client.post(change_url(digest), {**data, "_continue": "Save"})


def test_change_form_has_nested_items_insights_markdownx_and_tags(client, editor):
    digest = DigestFactory()
    client.force_login(editor)
    response = client.get(change_url(digest))
    html = response.content.decode()
    assert html.count('markdownx-editor"') >= 5 and html.count('class="markdownx-preview"') >= 5
    assert 'name="items-0-insights-1-text"' in html and 'name="tags"' in html
    assert "nested_admin" in html  # the drag-and-drop sorting script
    assert 'value="submit"' in html and 'value="approve"' not in html  # exactly this editor's transitions
    assert "독자 화면 미리보기" in html and "Jekyll 마크다운" in html and "초안과 비교" in html and "검토 화면" in html
    for item in digest.items.all():  # each item links to its rewrite page
        assert reverse("admin:digests_generationrun_regenerate_item", args=[item.pk]) in html


def test_saving_an_unchanged_form_changes_and_logs_nothing(client, editor):
    digest = DigestFactory()
    client.force_login(editor)
    before = Digest.objects.get(pk=digest.pk)
    response = post(client, digest, form_of(client, digest))
    assert response.status_code == 302, response.content.decode()[:2000]
    after = Digest.objects.get(pk=digest.pk)
    assert (after.version, after.updated_at, after.last_edited_by) == (before.version, before.updated_at, None)
    assert not ReviewEvent.objects.exists()


def test_an_edit_bumps_the_version_and_is_audited(client, editor):
    digest = DigestFactory()
    client.force_login(editor)
    data = form_of(client, digest)
    data[item_field(data, digest, 1, "summary")] = "고친 요약입니다."
    data[item_field(data, digest, 1, "insights-0-text")] = "새 시사점"
    assert post(client, digest, data).status_code == 302
    digest.refresh_from_db()
    assert digest.version == 2 and digest.last_edited_by == editor
    assert digest.items.get(position=1).summary == "고친 요약입니다."
    event = digest.events.get()
    assert event.action == "edit" and event.actor == editor
    changes = event.data["changes"]
    assert any(key.endswith("요약") and pair[1] == "고친 요약입니다." for key, pair in changes.items())
    assert any(key.endswith("시사점 1 · 내용") and pair[1] == "새 시사점" for key, pair in changes.items())


def test_reordering_items_moves_positions_in_two_phases(client, editor):
    digest = DigestFactory()
    client.force_login(editor)
    order = list(digest.items.values_list("title", flat=True))
    data = form_of(client, digest)
    # Drag the last item to the top, as nested_admin's sortable does: every position renumbered.
    for position in range(5):
        data[item_field(data, digest, position, "position")] = str((position + 1) % 5)
    assert post(client, digest, data).status_code == 302
    assert list(digest.items.values_list("title", flat=True)) == [order[4]] + order[:4]
    assert sorted(digest.items.values_list("position", flat=True)) == [0, 1, 2, 3, 4]
    digest.refresh_from_db()
    assert digest.version == 2


def open_twice(client, digest, editor, other):
    """Two editors' forms of the same digest, as each one's browser loaded it."""
    client.force_login(editor)
    mine = form_of(client, digest)
    second = client.__class__()
    second.force_login(other)
    return mine, second, form_of(second, digest)


def test_concurrent_edits_of_different_fields_are_both_kept(client, editor, make_user):
    digest = DigestFactory()
    other = make_user("Editor", username="other")
    mine, second, theirs = open_twice(client, digest, editor, other)
    theirs[item_field(theirs, digest, 2, "summary")] = "다른 편집자의 요약"
    theirs["title"] = "[2026-01-05] 다른 편집자의 제목"
    assert post(second, digest, theirs).status_code == 302

    mine[item_field(mine, digest, 0, "summary")] = "나의 요약"
    mine[item_field(mine, digest, 0, "insights-1-text")] = "나의 시사점"
    response = post(client, digest, mine)
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = Digest.objects.get(pk=digest.pk)
    assert stored.items.get(position=2).summary == "다른 편집자의 요약"  # theirs survives
    assert stored.title == "[2026-01-05] 다른 편집자의 제목"
    assert stored.items.get(position=0).summary == "나의 요약"  # and so does mine
    assert stored.items.get(position=0).insights.get(position=1).text == "나의 시사점"
    assert stored.version == 3
    messages = [m.message for m in response.wsgi_request._messages]
    assert any("other" in m and "병합" in m and "요약" in m for m in messages), messages
    # The audit trail names only what this editor changed.
    last = ReviewEvent.objects.filter(digest=digest, action="edit").order_by("id").last()
    assert last.actor == editor and all("다른 편집자" not in str(pair) for pair in last.data["changes"].values())


def test_the_same_field_changed_by_both_shows_the_conflict_and_writes_nothing_until_chosen(client, editor, make_user):
    digest = DigestFactory()
    other = make_user("Editor", username="other")
    mine, second, theirs = open_twice(client, digest, editor, other)
    theirs[item_field(theirs, digest, 2, "summary")] = "다른 편집자의 요약"
    assert post(second, digest, theirs).status_code == 302
    saved_at = ReviewEvent.objects.get(action="edit").created_at

    mine[item_field(mine, digest, 2, "summary")] = "나의 요약"
    mine[item_field(mine, digest, 4, "title")] = "나의 제목"  # only mine: merged, but not written yet either
    response = post(client, digest, mine)
    assert response.status_code == 200
    html = response.content.decode()
    # Side by side: theirs, then mine, each with its choice; the time is the series' (KST), not UTC.
    theirs_at, mine_at = html.index("다른 편집자의 요약"), html.index("나의 요약")
    assert 'class="merge-conflicts"' in html and theirs_at < mine_at
    assert f"other({saved_at.astimezone(digest.series.tzinfo):%H:%M})" in html
    assert "항목 3(“" in html and "요약" in html
    assert "칸마다 그쪽과 내 것 중 하나를 고른 뒤 저장하세요" in html
    stored = Digest.objects.get(pk=digest.pk)
    assert stored.items.get(position=2).summary == "다른 편집자의 요약" and stored.version == 2
    assert stored.items.get(position=4).title != "나의 제목"

    # Saving again without choosing still writes nothing.
    again = FormData(html).data
    assert post(client, digest, again).status_code == 200
    assert Digest.objects.get(pk=digest.pk).version == 2

    # Choosing mine for the conflict saves everything: mine there, and my other change.
    [conflict] = [k for k in again if k.startswith("resolve-")] or [None]
    assert conflict is None  # no choice is preselected
    name = item_field(again, digest, 2, "summary")
    response = post(client, digest, {**again, f"resolve-{name}": "mine"})
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = Digest.objects.get(pk=digest.pk)
    assert stored.items.get(position=2).summary == "나의 요약" and stored.items.get(position=4).title == "나의 제목"
    assert stored.version == 3


def test_choosing_theirs_keeps_their_text(client, editor, make_user):
    digest = DigestFactory()
    other = make_user("Editor", username="other")
    mine, second, theirs = open_twice(client, digest, editor, other)
    theirs[item_field(theirs, digest, 1, "title")] = "그쪽 제목"
    assert post(second, digest, theirs).status_code == 302
    mine[item_field(mine, digest, 1, "title")] = "내 제목"
    mine[item_field(mine, digest, 3, "summary")] = "내 요약"
    again = FormData(post(client, digest, mine).content.decode()).data
    name = item_field(again, digest, 1, "title")
    assert post(client, digest, {**again, f"resolve-{name}": "theirs"}).status_code == 302
    stored = Digest.objects.get(pk=digest.pk)
    assert stored.items.get(position=1).title == "그쪽 제목" and stored.items.get(position=3).summary == "내 요약"


def test_a_save_in_review_that_empties_a_summary_is_refused_and_the_text_shown_back(client, editor, reviewer):
    digest = workflow.submit(DigestFactory(), editor)
    client.force_login(reviewer)
    data = form_of(client, digest)
    data[item_field(data, digest, 1, "summary")] = ""
    data[item_field(data, digest, 3, "title")] = "고친 제목"
    response = post(client, digest, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "검토 중인 다이제스트가 완전한 상태로 남도록 저장하지 않았습니다" in html
    assert "항목 2(“" in html and "요약이(가) 비어 있습니다" in html
    assert 'value="고친 제목"' in html  # the reviewer's text is kept on the page
    stored = Digest.objects.get(pk=digest.pk)
    assert stored.items.get(position=1).summary and stored.items.get(position=3).title != "고친 제목"
    assert stored.version == 1 and not stored.events.filter(action="edit").exists()


def test_approved_digest_is_read_only(client, editor, publisher):
    digest = DigestFactory(status=Status.APPROVED)
    client.force_login(publisher)
    response = client.get(change_url(digest))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in html and 'name="items-0-summary"' not in html
    assert "읽기 전용입니다. 고치려면 다시 여세요" in html
    assert 'value="publish"' in html and 'value="reopen"' in html
    assert client.post(change_url(digest), {"title": "x"}).status_code == 403


def test_transition_buttons_post_and_show_messages(client, editor, reviewer):
    digest = DigestFactory()
    client.force_login(editor)
    url = reverse("admin:digests_digest_transition", args=[digest.pk, "submit"])
    response = client.post(url, {"version": digest.version}, follow=True)
    assert "검토 요청 완료" in response.content.decode()
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_transition", args=[digest.pk, "request_changes"])
    response = client.post(url, {"version": digest.version, "comment": ""}, follow=True)
    assert "변경 요청에는 편집자에게 이유를 알려 줄 댓글이 필요합니다" in response.content.decode()
    client.post(url, {"version": digest.version, "comment": "1번 제목이 깁니다"})
    digest.refresh_from_db()
    assert digest.status == Status.CHANGES_REQUESTED
    html = client.get(change_url(digest)).content.decode()
    assert "1번 제목이 깁니다" in html and "변경 요청함" in html and "검토 중 → 변경 요청됨" in html  # the timeline


def test_item_comment_from_the_timeline(client, reviewer):
    digest = DigestFactory()
    item = digest.items.get(position=3)
    client.force_login(reviewer)
    client.post(reverse("admin:digests_digest_comment", args=[digest.pk]), {"comment": "출처 확인", "news_item": item.pk})
    event = digest.events.get()
    assert (event.action, event.news_item, event.comment) == ("comment", item, "출처 확인")
    assert f"“{item.title}” 항목에" in client.get(change_url(digest)).content.decode()


def test_schedule_from_the_panel(client, publisher, reviewer):
    digest = DigestFactory(status=Status.APPROVED)
    client.force_login(publisher)
    client.post(reverse("admin:digests_digest_schedule", args=[digest.pk]), {"publish_at": "2026-05-01T07:30"})
    digest.refresh_from_db()
    assert digest.publish_at is not None and digest.publish_at.isoformat().startswith("2026-04-30T22:30")
    response = client.post(reverse("admin:digests_digest_schedule", args=[digest.pk]), {"publish_at": "tomorrow"},
                           follow=True)
    assert "날짜와 시각이 아닙니다" in response.content.decode()
    client.force_login(reviewer)
    client.post(reverse("admin:digests_digest_schedule", args=[digest.pk]), {"publish_at": ""})
    digest.refresh_from_db()
    assert digest.publish_at is not None  # a reviewer may not unschedule


def test_waiting_for_my_review(client, editor, reviewer, make_user):
    other = make_user("Reviewer", username="other")
    mine = workflow.submit(DigestFactory(), editor)
    by_me = workflow.submit(DigestFactory(), reviewer)
    assigned_elsewhere = workflow.submit(DigestFactory(assignee=other), editor)
    DigestFactory()  # a draft
    client.force_login(reviewer)
    response = client.get(reverse("admin:digests_digest_changelist") + "?queue=mine")
    shown = {d.pk for d in response.context["cl"].result_list}
    assert shown == {mine.pk}
    assert by_me.pk not in shown and assigned_elsewhere.pk not in shown


def test_bulk_approve_keeps_four_eyes_per_digest(client, editor, reviewer):
    theirs = workflow.submit(DigestFactory(), editor)
    own = workflow.submit(DigestFactory(), reviewer)
    client.force_login(reviewer)
    response = client.post(reverse("admin:digests_digest_changelist"), {
        "action": "bulk_approve", "_selected_action": [theirs.pk, own.pk], "comment": "",
    }, follow=True)
    assert Digest.objects.get(pk=theirs.pk).status == Status.APPROVED
    assert Digest.objects.get(pk=own.pk).status == Status.IN_REVIEW
    assert "4-eyes" in response.content.decode()


def test_bulk_request_changes_needs_a_comment(client, editor, reviewer):
    digests = [workflow.submit(DigestFactory(), editor) for _ in range(2)]
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_changelist")
    ids = [d.pk for d in digests]
    response = client.post(url, {"action": "bulk_request_changes", "_selected_action": ids, "comment": ""}, follow=True)
    assert "변경 요청에는 댓글이 필요합니다" in response.content.decode()
    assert set(Digest.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.IN_REVIEW}
    client.post(url, {"action": "bulk_request_changes", "_selected_action": ids, "comment": "제목 통일"})
    assert set(Digest.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.CHANGES_REQUESTED}


def test_editors_have_no_bulk_review_actions(client, editor):
    DigestFactory(items=0)
    client.force_login(editor)
    html = client.get(reverse("admin:digests_digest_changelist")).content.decode()
    assert "bulk_approve" not in html


def test_changelist_filters_and_search(client, reviewer, tech, entertainment):
    a = DigestFactory(series=tech, title="[2026-01-01] 글로벌 IT 뉴스 Top 5", items=0)
    b = DigestFactory(series=entertainment, items=0)
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_changelist")
    assert {d.pk for d in client.get(url + f"?series__id__exact={entertainment.pk}").context["cl"].result_list} == {b.pk}
    assert {d.pk for d in client.get(url + "?q=글로벌").context["cl"].result_list} == {a.pk}
    assert {d.pk for d in client.get(url + "?status__exact=draft").context["cl"].result_list} == {a.pk, b.pk}


# Query counts -------------------------------------------------------------------------


def count_queries(func):
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_change_form_queries_do_not_grow_with_history_or_tags(client, editor, reviewer, django_assert_max_num_queries):
    small = DigestFactory()
    big = DigestFactory()
    big.tags.add(*[f"tag{i}" for i in range(20)])
    for item in big.items.all():
        item.tags.add("a", "b", "c")
    for i in range(60):
        workflow.comment(big, reviewer, f"comment {i}", news_item=big.items.first())
    client.force_login(editor)
    client.get(change_url(small))  # warm caches (content types, permissions)
    small_count = count_queries(lambda: client.get(change_url(small)))
    big_count = count_queries(lambda: client.get(change_url(big)))
    print(f"change form queries: small digest {small_count}, digest with 60 events and 35 tags {big_count}")
    assert big_count == small_count
    with django_assert_max_num_queries(60):
        client.get(change_url(big))


def test_change_form_queries_do_not_grow_with_items(client, editor):
    # Each item's digest, insights and tags come with the items (taggit's own form value read each
    # item's tags with a query of its own: models.PrefetchedTaggableManager uses the prefetch).
    five = DigestFactory(items=5)
    seven = DigestFactory(items=7)
    for item in seven.items.all():
        item.tags.add("ai", f"item{item.position}")
    client.force_login(editor)
    client.get(change_url(five))
    growth = count_queries(lambda: client.get(change_url(seven))) - count_queries(lambda: client.get(change_url(five)))
    assert growth == 0, f"{growth} more queries for 2 more items"
    page = client.get(change_url(seven)).content.decode()
    assert 'value="ai, item6"' in page or 'value="item6, ai"' in page, "the items' tags are still shown"


def test_changelist_queries_are_bounded_with_1000_digests(client, reviewer, editor, tech, django_assert_max_num_queries):
    start = dt.date(2020, 1, 1)
    Digest.objects.bulk_create([
        Digest(series=tech, date=start + dt.timedelta(days=i), slug="daily-it-news", title=f"digest {i}",
               status=[Status.DRAFT, Status.IN_REVIEW, Status.APPROVED][i % 3], assignee=[None, editor][i % 2],
               submitted_by=editor if i % 3 else None)
        for i in range(1000)
    ])
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_changelist")
    client.get(url)
    counts = {}
    for query in ["", "?queue=mine", "?status__exact=in_review", "?q=digest", "?date__year=2021", "?p=3"]:
        counts[query or "(all)"] = count_queries(lambda: client.get(url + query))
    print("changelist queries with 1,000 digests:", counts)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.context["cl"].result_count == 1000
    assert max(counts.values()) <= 20


def test_an_items_sources_are_edited_inline_in_order(client, editor):
    digest = DigestFactory()
    client.force_login(editor)
    data = form_of(client, digest)
    prefix = item_field(data, digest, 0, "sources")
    assert data[f"{prefix}-TOTAL_FORMS"] == "1"
    data[f"{prefix}-0-url"] = "https://first.example/story"
    data.update({f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-1-url": "https://second.example/story",
                 f"{prefix}-1-name": "Second", f"{prefix}-1-position": "1"})
    response = post(client, digest, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item = digest.items.get(position=0)
    assert list(item.sources.values_list("url", "name")) == [
        ("https://first.example/story", "Example"), ("https://second.example/story", "Second")]
    changes = digest.events.get(action="edit").data["changes"]
    assert any("출처 2" in key for key in changes), changes


# The changelist as a work queue -------------------------------------------------------------


def test_the_changelist_is_a_work_queue_with_what_waits_for_me_first(client, editor, reviewer, make_user):
    other = make_user("Editor", username="other")
    old_draft = DigestFactory(date=dt.date(2026, 5, 9))
    flagged = DigestFactory(date=dt.date(2026, 5, 1))
    flagged.items.filter(position__in=[0, 2]).update(needs_attention=True)
    waiting = workflow.submit(DigestFactory(date=dt.date(2026, 5, 2)), other)
    mine = workflow.submit(DigestFactory(date=dt.date(2026, 5, 8)), reviewer)  # four-eyes: not mine to approve
    client.force_login(reviewer)
    response = client.get(reverse("admin:digests_digest_changelist"))
    rows = [d.pk for d in response.context["cl"].result_list]
    assert rows[0] == waiting.pk, rows  # waiting for me first, though older
    assert set(rows[1:]) == {old_draft.pk, flagged.pk, mine.pk}
    html = response.content.decode()
    assert 'digest-status--in_review">검토 중<' in html and 'digest-status--draft">초안<' in html
    assert "⚑ 2" in html and "내 차례" in html and html.count("내 차례") == 1
    assert reverse("admin:digests_digest_review", args=[waiting.pk]) in html  # review work opens the review screen
    assert '<td class="field-next_actor">검토자</td>' in html and '<td class="field-next_actor">편집자</td>' in html
    # An editor's queue is by date.
    client.force_login(editor)
    rows = [d.pk for d in client.get(reverse("admin:digests_digest_changelist")).context["cl"].result_list]
    assert rows[0] == old_draft.pk


def test_view_on_site_only_for_live_digests(client, editor):
    from digests.tests.live import live_digest

    draft, live = DigestFactory(), live_digest()
    client.force_login(editor)
    assert 'class="viewsitelink"' not in client.get(change_url(draft)).content.decode()
    html = client.get(change_url(live)).content.decode()
    assert 'class="viewsitelink"' in html
    assert client.get(f"/admin/r/{ContentType.objects.get_for_model(Digest).pk}/{live.pk}/").url.endswith(
        live.get_absolute_url())


def test_save_and_submit_is_one_click_from_the_last_fix(client, editor):
    digest = DigestFactory()
    client.force_login(editor)
    data = form_of(client, digest)
    data[item_field(data, digest, 1, "summary")] = "고친 요약"
    response = client.post(change_url(digest), {**data, "_submit": "저장하고 검토 요청"})
    assert response.status_code == 302 and response["Location"] == reverse("admin:digests_digest_review", args=[digest.pk])
    digest.refresh_from_db()
    assert digest.status == Status.IN_REVIEW and digest.items.get(position=1).summary == "고친 요약"


def test_submit_is_offered_on_an_incomplete_draft_and_says_what_is_missing(client, editor):
    digest = DigestFactory()
    digest.items.get(position=0).insights.update(text="")
    client.force_login(editor)
    html = client.get(change_url(digest)).content.decode()
    assert 'value="submit"' in html and "검토 요청·승인·발행 전에 아직 빠진 것" in html
    assert "시사점 2개 중 0개만 썼습니다" in html
    response = client.post(reverse("admin:digests_digest_transition", args=[digest.pk, "submit"]),
                           {"version": digest.version}, follow=True)
    assert "검토 요청 불가: 항목 1(“" in response.content.decode()


def test_an_offline_draft_says_what_it_could_not_write(client, editor, tech):
    """The extractive writer's draft: its note on top, the empty insights there to type into, Submit explaining."""
    digest = DigestFactory(provenance={"writer": "extractive", "warnings": [
        "오프라인 초안: 항목 5개는 피드 원문을 그대로 담고 있고(번역 필요) 항목마다 비어 있는 시사점 2개를 써야 합니다."]})
    for item in digest.items.all():
        item.insights.update(label="", text="")
    client.force_login(editor)
    html = client.get(change_url(digest)).content.decode()
    assert "초안 작성: <strong>오프라인 발췌 작성기</strong>" in html and "비어 있는 시사점 2개를 써야 합니다" in html
    assert html.count('placeholder="작성할 시사점: 이 뉴스가 독자에게 주는 의미"') >= 10
    assert 'value="submit"' in html and html.count("시사점 2개 중 0개만 썼습니다") == 5


def test_a_reviewer_who_changed_a_digest_since_submission_does_not_find_it_waiting(client, editor, reviewer):
    digest = workflow.submit(DigestFactory(), editor)
    workflow.record_edit(digest, reviewer, {"요약": ["a", "b"]})
    workflow.record_edit(digest, editor, {"제목": ["오타", "오탈자"]})  # the editor edits last
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_changelist")
    assert not client.get(url + "?queue=mine").context["cl"].result_list
    assert "내 차례" not in client.get(url).content.decode()


def test_my_edit_to_an_item_the_other_editor_deleted_is_shown_back_not_lost(client, editor, make_user):
    digest = DigestFactory()
    other = make_user("Editor", username="other")
    mine, second, theirs = open_twice(client, digest, editor, other)
    gone = digest.items.get(position=4)
    prefix = item_field(theirs, digest, 4, "")
    # As nested_admin's delete button posts it: the item and its insights and sources.
    theirs.update({key[:-2] + "DELETE": "on" for key in theirs if key.startswith(prefix) and key.endswith("-id")})
    summary_key = item_field(mine, digest, 4, "summary")
    assert post(second, digest, theirs).status_code == 302
    mine[summary_key] = "지워진 항목에 쓴 내 요약"
    mine[item_field(mine, digest, 0, "summary")] = "살아 있는 항목의 내 요약"
    response = post(client, digest, mine)
    assert response.status_code == 302
    messages = [m.message for m in response.wsgi_request._messages]
    assert any(f"삭제된 행 “{gone.title}”, 요약: 지워진 항목에 쓴 내 요약" in m for m in messages), messages
    stored = Digest.objects.get(pk=digest.pk)
    assert stored.items.count() == 4 and stored.items.get(position=0).summary == "살아 있는 항목의 내 요약"


@pytest.mark.parametrize("value", ["abc", "999999", "1%00"])
def test_a_comment_naming_no_item_of_the_digest_is_a_clear_400(client, editor, value):
    from digests.tests.factories import DigestFactory

    digest = DigestFactory()
    other = DigestFactory()
    client.force_login(editor)
    url = reverse("admin:digests_digest_comment", args=[digest.pk])
    for raw in (value, str(other.items.first().pk)):
        response = client.post(url, {"comment": "봐 주세요", "news_item": raw})
        assert response.status_code == 400 and "이 다이제스트의 항목 번호가 아닙니다" in response.content.decode()
    assert not digest.events.exists()
    ok = client.post(url, {"comment": "봐 주세요", "news_item": str(digest.items.first().pk)})
    assert ok.status_code == 302 and digest.events.get().news_item == digest.items.first()


def test_a_comment_with_a_nul_is_a_clear_400(client, editor):
    from digests.tests.factories import DigestFactory

    digest = DigestFactory()
    client.force_login(editor)
    response = client.post(reverse("admin:digests_digest_comment", args=[digest.pk]), {"comment": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert not digest.events.exists()


def test_a_share_link_needs_a_post_and_an_editorial_right(client, editor, make_user):
    from digests.tests.factories import DigestFactory

    digest = DigestFactory()
    url = reverse("admin:digests_digest_share", args=[digest.pk])
    viewer = make_user(None, username="viewer")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_digest"))
    client.force_login(viewer)
    assert client.post(url).status_code == 403
    client.force_login(editor)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302


def test_a_live_digest_cannot_be_deleted_even_reopened(admin_client):
    from digests.tests.live import live_digest

    digest = live_digest(status=Status.DRAFT)  # reopened: editable, but readers (and the blog) have it
    response = admin_client.post(reverse("admin:digests_digest_delete", args=[digest.pk]), {"post": "yes"})
    assert response.status_code == 403 and Digest.objects.filter(pk=digest.pk).exists()
    draft = DigestFactory()
    assert admin_client.post(reverse("admin:digests_digest_delete", args=[draft.pk]), {"post": "yes"}).status_code == 302
