"""Admin: nested editing, no-op saves, reordering, stale saves refused, read-only states, queue, bulk actions, query counts."""
import datetime as dt
from html.parser import HTMLParser

import pytest
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
            if kind == "submit" or (kind == "checkbox" and "checked" not in attrs):
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
    assert "Reader preview" in html and "Jekyll Markdown" in html and "Diff vs. draft" in html
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
    assert any(key.endswith("summary") and pair[1] == "고친 요약입니다." for key, pair in changes.items())
    assert any(key.endswith("text") and pair[1] == "새 시사점" for key, pair in changes.items())


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


def test_stale_save_is_refused_and_neither_text_is_lost(client, editor, make_user):
    """Two editors open the same digest; the second save is refused and shown back; saving again is deliberate."""
    digest = DigestFactory()
    other = make_user("Editor", username="other")
    client.force_login(editor)
    mine = form_of(client, digest)
    second = client.__class__()
    second.force_login(other)
    theirs = form_of(second, digest)

    theirs[item_field(theirs, digest, 2, "summary")] = "다른 편집자의 요약"
    assert post(second, digest, theirs).status_code == 302

    mine[item_field(mine, digest, 2, "summary")] = "나의 요약"
    mine[item_field(mine, digest, 0, "insights-1-text")] = "나의 시사점"
    response = post(client, digest, mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved: other" in html and "saved this digest after you opened it" in html
    assert "나의 요약" in html and "나의 시사점" in html  # the editor's text is shown back
    stored = Digest.objects.get(pk=digest.pk)
    assert stored.items.get(position=2).summary == "다른 편집자의 요약"  # nothing overwritten
    assert stored.items.get(position=0).insights.get(position=1).text != "나의 시사점"
    assert stored.version == 2

    # Saving again, having been told, replaces it; the audit trail keeps the other text.
    again = FormData(html).data
    assert again["base_version"] == "2"
    assert post(client, digest, again).status_code == 302
    assert Digest.objects.get(pk=digest.pk).items.get(position=2).summary == "나의 요약"
    edits = list(ReviewEvent.objects.filter(digest=digest, action="edit").order_by("id"))
    assert [e.actor for e in edits] == [other, editor]
    assert any(pair[1] == "다른 편집자의 요약" for pair in edits[0].data["changes"].values())
    assert any(pair[0] == "다른 편집자의 요약" and pair[1] == "나의 요약" for pair in edits[1].data["changes"].values())


def test_approved_digest_is_read_only(client, editor, publisher):
    digest = DigestFactory(status=Status.APPROVED)
    client.force_login(publisher)
    response = client.get(change_url(digest))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in html and 'name="items-0-summary"' not in html
    assert "read-only: reopen it to edit" in html
    assert 'value="publish"' in html and 'value="reopen"' in html
    assert client.post(change_url(digest), {"title": "x"}).status_code == 403


def test_transition_buttons_post_and_show_messages(client, editor, reviewer):
    digest = DigestFactory()
    client.force_login(editor)
    url = reverse("admin:digests_digest_transition", args=[digest.pk, "submit"])
    response = client.post(url, {"version": digest.version}, follow=True)
    assert "Submit for review: done" in response.content.decode()
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_transition", args=[digest.pk, "request_changes"])
    response = client.post(url, {"version": digest.version, "comment": ""}, follow=True)
    assert "needs a comment" in response.content.decode()
    client.post(url, {"version": digest.version, "comment": "1번 제목이 깁니다"})
    digest.refresh_from_db()
    assert digest.status == Status.CHANGES_REQUESTED
    html = client.get(change_url(digest)).content.decode()
    assert "1번 제목이 깁니다" in html and "requested changes" in html  # the timeline


def test_item_comment_from_the_timeline(client, reviewer):
    digest = DigestFactory()
    item = digest.items.get(position=3)
    client.force_login(reviewer)
    client.post(reverse("admin:digests_digest_comment", args=[digest.pk]), {"comment": "출처 확인", "news_item": item.pk})
    event = digest.events.get()
    assert (event.action, event.news_item, event.comment) == ("comment", item, "출처 확인")
    assert f"on “{item.title}”" in client.get(change_url(digest)).content.decode()


def test_schedule_from_the_panel(client, publisher, reviewer):
    digest = DigestFactory(status=Status.APPROVED)
    client.force_login(publisher)
    client.post(reverse("admin:digests_digest_schedule", args=[digest.pk]), {"publish_at": "2026-05-01T07:30"})
    digest.refresh_from_db()
    assert digest.publish_at is not None and digest.publish_at.isoformat().startswith("2026-04-30T22:30")
    response = client.post(reverse("admin:digests_digest_schedule", args=[digest.pk]), {"publish_at": "tomorrow"},
                           follow=True)
    assert "is not a date and time" in response.content.decode()
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
    assert "four-eyes" in response.content.decode()


def test_bulk_request_changes_needs_a_comment(client, editor, reviewer):
    digests = [workflow.submit(DigestFactory(), editor) for _ in range(2)]
    client.force_login(reviewer)
    url = reverse("admin:digests_digest_changelist")
    ids = [d.pk for d in digests]
    response = client.post(url, {"action": "bulk_request_changes", "_selected_action": ids, "comment": ""}, follow=True)
    assert "needs a comment" in response.content.decode()
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
    assert any("source" in key for key in changes), changes


@pytest.mark.parametrize("value", ["abc", "999999", "1%00"])
def test_a_comment_naming_no_item_of_the_digest_is_a_clear_400(client, editor, value):
    from digests.tests.factories import DigestFactory

    digest = DigestFactory()
    other = DigestFactory()
    client.force_login(editor)
    url = reverse("admin:digests_digest_comment", args=[digest.pk])
    for raw in (value, str(other.items.first().pk)):
        response = client.post(url, {"comment": "봐 주세요", "news_item": raw})
        assert response.status_code == 400 and "is not the id of an item of this digest" in response.content.decode()
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
