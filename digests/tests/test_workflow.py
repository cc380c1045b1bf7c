"""Workflow: each transition checks status, rights, completeness and four-eyes, audits, and queues follow-ups."""
import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from digests import signals, tasks, workflow
from digests.models import BlogPost, Digest, ItemSource, ReviewEvent, Status
from digests.tests.factories import DigestFactory, NewsItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Records the reconcile tasks queued on commit instead of running them."""
    calls = []
    monkeypatch.setattr(tasks.reconcile_blog, "apply_async", lambda *args, **kwargs: calls.append("reconcile"))
    return calls


def expected(digest):
    """What the blog must hold for the digest: (file, files it may still hold elsewhere, state)."""
    row = BlogPost.objects.get(digest=digest)
    return row.path, row.held_paths, row.state


@pytest.fixture
def received():
    events = []

    def receiver(signal, sender, digest, **kwargs):
        events.append((signal, digest.pk))

    for signal in (signals.digest_published, signals.digest_unpublished, signals.digest_corrected):
        signal.connect(receiver, weak=False)
    yield events
    for signal in (signals.digest_published, signals.digest_unpublished, signals.digest_corrected):
        signal.disconnect(receiver)


def run(callbacks):
    for callback in callbacks:
        callback()


def in_review(editor, **kwargs):
    digest = DigestFactory(**kwargs)
    return workflow.submit(digest, editor)


def test_submit_moves_to_review_audits_and_mails_reviewers(editor, reviewer, make_user, django_capture_on_commit_callbacks):
    other = make_user("Reviewer", username="other-reviewer")
    digest = DigestFactory()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(digest, editor)
    digest.refresh_from_db()
    assert digest.status == Status.IN_REVIEW and digest.submitted_by == editor
    event = digest.events.get()
    assert (event.action, event.actor, event.from_status, event.to_status) == ("submit", editor, "draft", "in_review")
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([reviewer.email, other.email])
    assert digest.title in mail.outbox[0].subject


@pytest.mark.parametrize(
    "break_it, expected",
    [
        (lambda d: d.items.last().delete(), "뉴스 항목 5개 중 4개만 있습니다"),
        (lambda d: d.items.filter(position=2).update(summary=" "), r"항목 3\(“뉴스 제목 \d+”\): 요약이\(가\) 비어 있습니다"),
        (lambda d: (d.items.filter(position=0).update(title=""), ItemSource.objects.filter(news_item__digest=d,
                                                                            news_item__position=0).delete()),
         "항목 1: 제목이\\(가\\) 비어 있습니다; 항목 1: 출처 URL이 없습니다"),
        (lambda d: d.items.get(position=4).insights.first().delete(), r"항목 5\(“뉴스 제목 \d+”\): 시사점 2개 중 1개만 썼습니다"),
    ],
)
def test_submit_refuses_an_incomplete_digest(editor, break_it, expected):
    digest = DigestFactory()
    break_it(digest)
    with pytest.raises(workflow.TransitionError, match=expected):
        workflow.submit(digest, editor)
    digest.refresh_from_db()
    assert digest.status == Status.DRAFT and not digest.events.exists()


def test_submit_counts_the_series_item_count(editor, entertainment):
    entertainment.item_count = 3
    entertainment.save()
    digest = DigestFactory(series=entertainment, items=3)
    assert workflow.submit(digest, editor).status == Status.IN_REVIEW


def test_four_eyes_submitter_and_last_editor_cannot_approve(editor, reviewer, make_user):
    digest = in_review(reviewer)
    with pytest.raises(workflow.TransitionError, match="4-eyes"):
        workflow.approve(digest, reviewer)
    second = make_user("Reviewer", username="second")
    workflow.record_edit(digest, second, {"title": ["a", "b"]})
    with pytest.raises(workflow.TransitionError, match="4-eyes"):
        workflow.approve(digest, second)
    third = make_user("Reviewer", username="third")
    digest = workflow.approve(digest, third, "좋습니다")
    assert digest.status == Status.APPROVED
    assert digest.events.last().comment == "좋습니다"


def test_self_approval_setting(editor, reviewer, settings):
    settings.NEWSROOM_ALLOW_SELF_APPROVAL = True
    digest = in_review(reviewer)
    assert workflow.approve(digest, reviewer).status == Status.APPROVED


@pytest.mark.parametrize("func", [workflow.request_changes, workflow.reject])
def test_request_changes_and_reject_need_a_comment(editor, reviewer, func, django_capture_on_commit_callbacks):
    digest = in_review(editor)
    with pytest.raises(workflow.TransitionError, match="이유를 알려 줄 댓글이 필요합니다"):
        func(digest, reviewer, "   ")
    with django_capture_on_commit_callbacks(execute=True):
        func(digest, reviewer, "2번 요약이 원문과 다릅니다")
    digest.refresh_from_db()
    assert digest.status == {workflow.request_changes: "changes_requested", workflow.reject: "rejected"}[func]
    # The submitter hears about it, with the comment.
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert "2번 요약이 원문과 다릅니다" in mail.outbox[0].body


def test_resubmit_after_changes_requested(editor, reviewer):
    digest = in_review(editor)
    workflow.request_changes(digest, reviewer, "fix item 2")
    workflow.record_edit(digest, editor, {"items[1].summary": ["old", "new"]})
    assert workflow.submit(digest, editor).status == Status.IN_REVIEW


def test_publish_sets_live_snapshot_and_queues_export(editor, reviewer, publisher, queued, received,
                                                      django_capture_on_commit_callbacks):
    digest = workflow.approve(in_review(editor), reviewer)
    assert digest.published_at is None and digest.live_snapshot is None
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.publish(digest, publisher)
    digest.refresh_from_db()
    assert digest.status == Status.PUBLISHED and digest.published_at is not None
    assert digest.live_snapshot["title"] == digest.title
    assert len(digest.live_snapshot["items"]) == 5
    assert dt.datetime.fromisoformat(digest.live_snapshot["date"]) == digest.published_at
    # What the blog must hold is written with the status change; the reconcile is queued once committed.
    assert expected(digest) == (f"_posts/{digest.date}-daily-it-news.md", [], "pending")
    assert queued == []
    run(callbacks)
    assert queued == ["reconcile"]
    assert received == [(signals.digest_published, digest.pk)]


def test_publish_keeps_an_existing_published_at(editor, reviewer, publisher, queued):
    when = timezone.now() - dt.timedelta(days=3)
    digest = DigestFactory(published_at=when)
    workflow.approve(workflow.submit(digest, editor), reviewer)
    digest = workflow.publish(digest, publisher)
    digest.refresh_from_db()
    assert digest.published_at == when


def test_reopen_keeps_the_live_version_until_republished(editor, reviewer, publisher, make_user, queued, received,
                                                         django_capture_on_commit_callbacks):
    digest = workflow.publish(workflow.approve(in_review(editor), reviewer), publisher)
    live = digest.live_snapshot
    workflow.reopen(digest, publisher)
    digest.refresh_from_db()
    assert digest.status == Status.DRAFT and digest.live_snapshot == live
    assert Digest.objects.live().filter(pk=digest.pk).exists()

    item = digest.items.first()
    item.summary = "정정된 요약"
    item.save()
    workflow.record_edit(digest, editor, {"items[0].summary": ["old", "정정된 요약"]})
    digest.refresh_from_db()
    assert digest.live_snapshot == live  # readers still see the old text
    workflow.submit(digest, editor)
    workflow.approve(digest, make_user("Reviewer", username="r2"))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(digest, publisher)
    digest.refresh_from_db()
    assert digest.live_snapshot["items"][0]["summary"] == "정정된 요약"
    assert received[-1] == (signals.digest_corrected, digest.pk)
    assert digest.events.filter(action="publish").last().data["corrected"] is True


def test_imported_published_digest_stays_live_when_reopened(publisher):
    snapshot = {"title": "imported", "items": []}
    digest = DigestFactory(status=Status.PUBLISHED, live_snapshot=snapshot)
    workflow.reopen(digest, publisher)
    digest.refresh_from_db()
    assert digest.status == Status.DRAFT and digest.live_snapshot == snapshot


def test_unpublish_clears_the_live_version_and_queues_removal(editor, reviewer, publisher, queued, received,
                                                              django_capture_on_commit_callbacks):
    digest = workflow.publish(workflow.approve(in_review(editor), reviewer), publisher)
    with pytest.raises(workflow.TransitionError, match="댓글이 필요합니다"):
        workflow.unpublish(digest, publisher, "")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.unpublish(digest, publisher, "오보 확인")
    digest.refresh_from_db()
    assert digest.status == Status.APPROVED and digest.live_snapshot is None and digest.live_date is None
    assert expected(digest) == ("", [f"_posts/{digest.date}-daily-it-news.md"], "pending")
    run(callbacks)
    assert queued[-1] == "reconcile"
    assert received[-1] == (signals.digest_unpublished, digest.pk)


def test_approve_refuses_a_version_the_reviewer_did_not_see(editor, reviewer, make_user):
    digest = in_review(editor)
    seen = Digest.objects.get(pk=digest.pk)
    workflow.record_edit(digest, make_user("Editor", username="e2"), {"title": ["a", "b"]})
    with pytest.raises(workflow.StaleVersionError, match="내가 연 뒤 다이제스트가 바뀌었습니다"):
        workflow.approve(seen, reviewer)
    assert Digest.objects.get(pk=digest.pk).status == Status.IN_REVIEW


def test_record_edit_logs_only_real_changes(editor):
    digest = DigestFactory()
    workflow.record_edit(digest, editor, {})
    digest.refresh_from_db()
    assert digest.version == 1 and digest.last_edited_by is None and not digest.events.exists()
    workflow.record_edit(digest, editor, {"title": ["old", "new"]})
    digest.refresh_from_db()
    assert digest.version == 2 and digest.last_edited_by == editor
    event = digest.events.get()
    assert event.action == "edit" and event.data["changes"] == {"title": ["old", "new"]}


def test_record_edit_refuses_read_only_digests(editor):
    digest = DigestFactory(status=Status.APPROVED)
    with pytest.raises(workflow.TransitionError, match="읽기 전용입니다. 정정하려면 다시 여세요"):
        workflow.record_edit(digest, editor, {"title": ["a", "b"]})


def test_publish_due_publishes_only_approved_digests_that_are_due(publisher, queued, django_capture_on_commit_callbacks):
    now = timezone.now()
    due = DigestFactory(status=Status.APPROVED, publish_at=now - dt.timedelta(minutes=1))
    later = DigestFactory(status=Status.APPROVED, publish_at=now + dt.timedelta(hours=1))
    draft = DigestFactory(status=Status.DRAFT, publish_at=now - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = workflow.publish_due(now=now)
    assert [d.pk for d in result] == [due.pk]
    assert queued == ["reconcile"] and expected(due)[0]
    due.refresh_from_db()
    assert due.status == Status.PUBLISHED and due.publish_at is None and due.live_snapshot
    event = due.events.get()
    assert (event.actor, event.action, event.comment) == (None, "publish", "scheduled")
    assert {later.pk, draft.pk} == set(Digest.objects.exclude(status=Status.PUBLISHED).values_list("pk", flat=True))
    # Nothing left to do a minute later.
    assert workflow.publish_due(now=now + dt.timedelta(minutes=1)) == []


def test_publish_due_task_calls_the_service(queued):
    digest = DigestFactory(status=Status.APPROVED, publish_at=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.publish_due.delay().get() == [digest.pk]


def test_schedule_is_a_publishers_right(editor, reviewer, publisher):
    digest = DigestFactory(status=Status.APPROVED)
    when = timezone.now() + dt.timedelta(hours=2)
    for user in (editor, reviewer):
        with pytest.raises(workflow.TransitionError, match="publish_digest"):
            workflow.schedule(digest, user, when)
    workflow.schedule(digest, publisher, when)
    digest.refresh_from_db()
    assert digest.publish_at == when
    assert digest.events.get().action == "schedule"
    workflow.schedule(digest, publisher, when)  # unchanged: no second event
    assert digest.events.count() == 1


def test_item_comment(editor, reviewer):
    digest = DigestFactory()
    item = digest.items.get(position=1)
    event = workflow.comment(digest, reviewer, "출처가 약합니다", news_item=item)
    assert (event.action, event.news_item, event.actor) == ("comment", item, reviewer)
    other = NewsItemFactory()
    with pytest.raises(workflow.TransitionError, match="다른 다이제스트"):
        workflow.comment(digest, reviewer, "x", news_item=other)


def test_available_lists_exactly_what_the_user_may_do(editor, reviewer, publisher):
    digest = DigestFactory()
    assert [t.name for t in workflow.available(digest, editor)] == ["submit"]
    workflow.submit(digest, editor)
    assert [t.name for t in workflow.available(digest, editor)] == []
    assert [t.name for t in workflow.available(digest, reviewer)] == ["approve", "request_changes", "reject"]
    assert workflow.blocked_reason("approve", digest, editor).startswith("이 다이제스트를 승인할 권한이 없습니다")


def test_every_transition_writes_one_event(editor, reviewer, publisher, queued):
    digest = in_review(editor)
    workflow.request_changes(digest, reviewer, "a")
    workflow.submit(digest, editor)
    workflow.reject(digest, reviewer, "b")
    workflow.reopen(digest, reviewer)
    workflow.submit(digest, editor)
    workflow.approve(digest, reviewer)
    workflow.publish(digest, publisher)
    workflow.unpublish(digest, publisher, "c")
    workflow.publish(digest, publisher)
    workflow.reopen(digest, publisher)
    actions = list(ReviewEvent.objects.filter(digest=digest).values_list("action", "from_status", "to_status"))
    assert actions == [
        ("submit", "draft", "in_review"),
        ("request_changes", "in_review", "changes_requested"),
        ("submit", "changes_requested", "in_review"),
        ("reject", "in_review", "rejected"),
        ("reopen", "rejected", "draft"),
        ("submit", "draft", "in_review"),
        ("approve", "in_review", "approved"),
        ("publish", "approved", "published"),
        ("unpublish", "published", "approved"),
        ("publish", "approved", "published"),
        ("reopen", "published", "draft"),
    ]


def test_submit_refuses_text_the_blog_would_run_as_html(editor):
    digest = DigestFactory()
    item = digest.items.get(position=1)
    item.summary = "요약 <img src=x onerror=alert(1)> 끝"
    item.save()
    with pytest.raises(workflow.TransitionError, match=r"항목 2의 요약에 HTML '<img src=x onerror=alert\(1\)>'"):
        workflow.submit(digest, editor)
    digest.refresh_from_db()
    assert digest.status == Status.DRAFT and not digest.events.exists()


def test_publish_refuses_unsafe_content_that_slipped_in_after_approval(editor, reviewer, publisher, queued):
    digest = workflow.approve(in_review(editor), reviewer)
    # A write behind the workflow's back (a shell, a bad import): publishing is the last gate.
    ItemSource.objects.filter(news_item__digest=digest).update(url="javascript:alert(1)")
    with pytest.raises(workflow.TransitionError, match="출처 URL 'javascript:alert\\(1\\)'은\\(는\\) http\\(s\\) 주소가 아닙니다"):
        workflow.publish(digest, publisher)
    digest.refresh_from_db()
    assert digest.status == Status.APPROVED and digest.live_snapshot is None and queued == []


@pytest.mark.parametrize("days_late, expected", [(0, None), (2, dt.time(23, 59, 59)), (-1, dt.time(0, 0))])
def test_first_publication_keeps_the_post_date_on_the_digests_date(editor, reviewer, publisher, queued, days_late, expected):
    # Jekyll's permalink comes from the front matter date; it must name the digest's day.
    today = timezone.localdate()
    digest = workflow.approve(in_review(editor, date=today - dt.timedelta(days=days_late)), reviewer)
    before = timezone.now()
    digest = workflow.publish(digest, publisher)
    local = timezone.localtime(digest.published_at, digest.series.tzinfo)
    assert local.date() == digest.date
    if expected is None:
        assert digest.published_at >= before
    else:
        assert local.time() == expected


# The gate at every step: submit, a save in review, approve, publish, a scheduled publication ------------


def empty_summary(digest, position=1):
    """Break the digest behind the workflow's back (a shell, a bad import): item `position`'s summary emptied."""
    digest.items.filter(position=position).update(summary="")
    return digest.items.get(position=position)


def test_approve_refuses_an_incomplete_digest_naming_the_item_and_field(editor, reviewer):
    digest = in_review(editor)
    item = empty_summary(digest)
    with pytest.raises(workflow.IncompleteError) as refused:
        workflow.approve(digest, reviewer)
    assert f"승인 불가: 항목 2(“{item.title}”): 요약이(가) 비어 있습니다" in str(refused.value)
    assert refused.value.reasons == [f"항목 2(“{item.title}”): 요약이(가) 비어 있습니다"]
    assert Digest.objects.get(pk=digest.pk).status == Status.IN_REVIEW
    assert not digest.events.filter(action="approve").exists()


def test_publish_refuses_an_incomplete_digest(editor, reviewer, publisher, queued):
    digest = workflow.approve(in_review(editor), reviewer)
    digest.items.get(position=3).insights.update(text="")
    with pytest.raises(workflow.IncompleteError, match=r"발행 불가: 항목 4\(“뉴스 제목 \d+”\): 시사점 2개 중 0개만 썼습니다"):
        workflow.publish(digest, publisher)
    digest.refresh_from_db()
    assert digest.status == Status.APPROVED and digest.live_snapshot is None and queued == []


def test_a_save_in_review_that_leaves_the_digest_incomplete_is_refused_and_rolled_back(editor, reviewer):
    digest = in_review(editor)
    with pytest.raises(workflow.IncompleteError, match="저장 불가: 항목 2"):
        with transaction.atomic():
            empty_summary(digest)
            workflow.record_edit(digest, reviewer, {"summary": ["old", ""]})
    digest.refresh_from_db()
    assert digest.items.get(position=1).summary and digest.version == 1
    assert not digest.events.filter(action="edit").exists()
    # A draft may be saved incomplete: it is still being written.
    draft = DigestFactory()
    with transaction.atomic():
        empty_summary(draft)
        workflow.record_edit(draft, editor, {"summary": ["old", ""]})
    assert Digest.objects.get(pk=draft.pk).version == 2


def test_a_due_publication_that_fails_the_gate_is_not_published_recorded_and_told(
        editor, reviewer, publisher, queued, django_capture_on_commit_callbacks):
    now = timezone.now()
    digest = workflow.approve(in_review(editor), reviewer)
    workflow.schedule(digest, publisher, now - dt.timedelta(minutes=1))
    item = empty_summary(digest, position=0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert workflow.publish_due(now=now) == []
    digest.refresh_from_db()
    assert digest.status == Status.APPROVED and digest.live_snapshot is None and queued == []
    # The schedule is used up: it is not retried (and mailed) every minute.
    assert digest.publish_at is None
    event = digest.events.get(action="publish_refused")
    assert event.actor is None and f"항목 1(“{item.title}”): 요약이(가) 비어 있습니다" in event.comment
    [message] = mail.outbox
    assert publisher.email in message.to and editor.email in message.to
    assert "[발행 안 됨]" in message.subject and f"항목 1(“{item.title}”): 요약이(가) 비어 있습니다" in message.body
    assert workflow.publish_due(now=now + dt.timedelta(minutes=1)) == []
    assert digest.events.filter(action="publish_refused").count() == 1


# Four-eyes that cannot be walked around -------------------------------------------------


def test_nobody_who_changed_the_digest_since_submission_may_approve_it(editor, reviewer, make_user):
    """Editor submits, a reviewer rewrites two summaries, the editor then fixes a typo: that reviewer may not approve."""
    digest = in_review(editor)
    workflow.record_edit(digest, reviewer, {"item 2 summary": ["a", "b"], "item 4 summary": ["c", "d"]})
    workflow.record_edit(digest, editor, {"item 1 title": ["오타", "오탈자"]})
    digest.refresh_from_db()
    assert digest.last_edited_by == editor  # the old rule looked at this one field only
    with pytest.raises(workflow.TransitionError, match="4-eyes"):
        workflow.approve(digest, reviewer)
    assert "4-eyes" in workflow.blocked_reason("approve", digest, reviewer)
    # An edit before a new submission no longer counts: the next round is judged on its own.
    workflow.request_changes(digest, make_user("Reviewer", username="third"), "다시 봐 주세요")
    workflow.submit(digest, editor)
    assert workflow.approve(digest, reviewer).status == Status.APPROVED


# "Needs attention" -----------------------------------------------------------------------


def test_a_flagged_item_blocks_approval_until_cleared_or_overridden(editor, reviewer, make_user):
    digest = DigestFactory()
    flagged = digest.items.get(position=2)
    NewsItem_ = type(flagged)
    NewsItem_.objects.filter(pk=flagged.pk).update(needs_attention=True)
    digest = workflow.submit(digest, editor)  # a flag does not hold back the submission
    second = make_user("Reviewer", username="second")
    with pytest.raises(workflow.IncompleteError, match=r"항목 3\(“.+”\)은\(는\) 확인이 필요합니다"):
        workflow.approve(digest, second)
    with pytest.raises(workflow.TransitionError, match="이유를 댓글로"):
        workflow.override_attention(flagged, second, " ")
    with pytest.raises(workflow.TransitionError, match="검토자만"):
        workflow.override_attention(flagged, editor, "괜찮아요")
    workflow.override_attention(flagged, second, "원문을 확인했습니다")
    flagged.refresh_from_db()
    assert flagged.needs_attention and flagged.attention_override_by == second
    # Overriding is not an edit: the same reviewer may still approve.
    assert workflow.approve(digest, second, "좋습니다").status == Status.APPROVED
    event = digest.events.get(action="override")
    assert (event.actor, event.news_item, event.comment) == (second, flagged, "원문을 확인했습니다")


def republish(digest, editor, reviewer, publisher, **changes):
    """Reopen, change the digest's own fields, go through review again and publish."""
    workflow.reopen(digest, publisher)
    Digest.objects.filter(pk=digest.pk).update(**changes)
    digest.refresh_from_db()
    workflow.submit(digest, editor)
    workflow.approve(digest, reviewer)
    return workflow.publish(digest, publisher)


def test_a_reopened_digest_keeps_its_live_address_until_republished(editor, reviewer, publisher, make_user, tech,
                                                                     entertainment, queued):
    digest = workflow.publish(workflow.approve(in_review(editor, date=dt.date(2026, 5, 4)), reviewer), publisher)
    url = "/tech/2026/05/04/daily-it-news.html"
    assert digest.get_absolute_url() == url
    workflow.reopen(digest, publisher)
    Digest.objects.filter(pk=digest.pk).update(slug="renamed", date=dt.date(2026, 5, 5), series=entertainment)
    digest.refresh_from_db()
    # Readers still find the published version where it was published, in its series.
    assert digest.get_absolute_url() == url
    assert Digest.objects.at_live_url("tech", dt.date(2026, 5, 4), "daily-it-news").get() == digest
    assert not Digest.objects.at_live_url("entertainment", dt.date(2026, 5, 5), "renamed").exists()
    assert list(Digest.objects.in_live_series(tech)) == [digest]
    assert expected(digest) == ("_posts/2026-05-04-daily-it-news.md", [], "pending")

    workflow.submit(digest, editor)
    workflow.approve(digest, make_user("Reviewer", username="r2"))
    digest = workflow.publish(digest, publisher)
    assert digest.get_absolute_url() == "/entertainment/2026/05/05/renamed.html"
    assert list(Digest.objects.in_live_series(entertainment)) == [digest]
    assert timezone.localtime(digest.published_at, digest.series.tzinfo).date() == dt.date(2026, 5, 5)
    # The blog's file moves at republication: the new one expected, the old one to remove.
    assert expected(digest) == ("_posts/2026-05-05-renamed.md", ["_posts/2026-05-04-daily-it-news.md"], "pending")
    assert digest.events.filter(action="publish").last().data["moved_from"] == "_posts/2026-05-04-daily-it-news.md"


@pytest.mark.parametrize("status", ["draft", "in_review", "approved"])
def test_a_reopened_digest_can_be_unpublished_and_keeps_its_status(editor, reviewer, publisher, make_user, queued,
                                                                    status):
    digest = workflow.publish(workflow.approve(in_review(editor), reviewer), publisher)
    workflow.reopen(digest, publisher)
    if status != "draft":
        workflow.submit(digest, editor)
    if status == "approved":
        workflow.approve(digest, make_user("Reviewer", username="r2"))
    assert "unpublish" in [t.name for t in workflow.available(digest, publisher)]
    assert workflow.blocked_reason("unpublish", digest, editor).startswith("이 다이제스트를 발행 취소할 권한이 없습니다")
    workflow.unpublish(digest, publisher, "오보")
    digest.refresh_from_db()
    assert digest.status == status and not digest.is_live and digest.live_date is None
    assert not Digest.objects.at_live_url("tech", digest.date, digest.slug).exists()
    assert expected(digest) == ("", [f"_posts/{digest.date}-daily-it-news.md"], "pending")
    event = digest.events.get(action="unpublish")
    assert (event.from_status, event.to_status) == (status, status)
    with pytest.raises(workflow.TransitionError, match="공개된 것이 없습니다"):
        workflow.unpublish(digest, publisher, "again")


def test_two_live_digests_cannot_share_one_post_file(editor, reviewer, publisher, entertainment, queued):
    entertainment_digest = DigestFactory(series=entertainment, date=dt.date(2026, 6, 1), slug="daily-it-news")
    tech_digest = workflow.publish(workflow.approve(in_review(editor, date=dt.date(2026, 6, 1)), reviewer), publisher)
    workflow.approve(workflow.submit(entertainment_digest, editor), reviewer)
    with pytest.raises(workflow.TransitionError, match="이미 2026-06-01/daily-it-news에 있습니다"):
        workflow.publish(entertainment_digest, publisher)
    entertainment_digest.refresh_from_db()
    assert entertainment_digest.status == Status.APPROVED and not entertainment_digest.is_live
    assert tech_digest.is_live


def test_a_broker_outage_after_commit_is_logged_not_raised(editor, reviewer, publisher, monkeypatch, caplog,
                                                           django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(tasks.reconcile_blog, "apply_async", refuse)
    digest = workflow.approve(in_review(editor), reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(digest, publisher)
    digest.refresh_from_db()
    assert digest.status == Status.PUBLISHED and expected(digest)[2] == "pending"
    assert "was not queued, the broker is unavailable" in caplog.text
