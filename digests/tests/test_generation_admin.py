"""Generation admin: sources, entries and runs listed; the regenerate-item page for editors only."""
import datetime as dt

import pytest
from django.urls import reverse

from digests.generation import service
from digests.models import GenerationRun, ReviewEvent, Source
from digests.tests.fakes.feeds import rss, stories
from digests.tests.fakes.fixtures import *  # noqa: F401,F403

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def digest(tech, add_source, fetch_settings, writer_settings):
    now = tech.scheduled_at(DAY) - dt.timedelta(minutes=30)
    for name in ("alpha", "beta"):
        add_source(tech, f"/{name}.xml", name=name, body=rss(stories(name, 6, now)))
    return service.generate_draft(tech, DAY, now=now)


def test_regenerate_item_page_lists_candidates_and_rewrites_the_item(client, editor, digest,
                                                                     django_capture_on_commit_callbacks):
    item = digest.items.get(position=1)
    url = reverse("admin:digests_generationrun_regenerate_item", args=[item.pk])
    client.force_login(editor)
    page = client.get(url)
    assert page.status_code == 200
    others = set(digest.items.exclude(pk=item.pk).values_list("candidate_id", flat=True))
    listed = [c.id for c in page.context["candidates"]]
    assert listed and not others & set(listed)
    choice = next(c for c in listed if c != item.candidate_id)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(url, {"candidate_id": choice})
    assert len(queued) == 1  # the task is queued after the request's transaction commits
    assert response.status_code == 302 and response["Location"] == reverse("admin:digests_digest_change", args=[digest.pk])
    item.refresh_from_db()
    assert item.candidate_id == choice
    assert ReviewEvent.objects.filter(digest=digest, action="edit", actor=editor).exists()


def test_regenerate_item_page_is_refused_without_edit_rights(client, make_user, digest):
    client.force_login(make_user(None, username="visitor"))
    item = digest.items.first()
    assert client.get(reverse("admin:digests_generationrun_regenerate_item", args=[item.pk])).status_code == 403


def test_runs_sources_and_entries_render(admin_client, digest, tech):
    run = GenerationRun.objects.get()
    for name in ("generationrun", "source", "feedentry"):
        assert admin_client.get(reverse(f"admin:digests_{name}_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:digests_generationrun_change", args=[run.pk]))
    assert page.status_code == 200 and b"ingest" in page.content


def test_admin_pages_do_not_grow_their_queries_with_the_data(admin_client, digest, tech):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from digests.models import FeedEntry

    item = digest.items.first()
    pages = [reverse("admin:digests_generationrun_regenerate_item", args=[item.pk]),
             reverse("admin:digests_generationrun_changelist"), reverse("admin:digests_feedentry_changelist"),
             reverse("admin:digests_source_changelist")]

    def counts():
        result = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert admin_client.get(url).status_code == 200
            result.append(len(queries))
        return result

    before = counts()
    for n in range(20):
        GenerationRun.objects.create(series=tech, date=DAY - dt.timedelta(days=n + 1), status="failed", error="x")
    source = FeedEntry.objects.first().source
    FeedEntry.objects.bulk_create([FeedEntry(source=source, guid=f"extra-{n}", title=f"Extra {n}",
                                             published_at=tech.scheduled_at(DAY) - dt.timedelta(hours=1)) for n in range(40)])
    for n in range(10):
        Source.objects.create(series=tech, name=f"More {n}", url=f"https://more.example/{n}")
    after = counts()
    assert after == before and max(after) <= 10, dict(zip(pages, after))


def test_rewriting_an_item_of_an_approved_digest_is_refused_with_the_reason(client, editor, digest, monkeypatch):
    from digests.generation import tasks
    from digests.models import Digest

    Digest.objects.filter(pk=digest.pk).update(status="approved")
    sent = []
    monkeypatch.setattr(tasks.regenerate_item, "apply_async", lambda *args, **kwargs: sent.append(args))
    item = digest.items.get(position=1)
    client.force_login(editor)
    response = client.post(reverse("admin:digests_generationrun_regenerate_item", args=[item.pk]), follow=True)
    text = [str(m) for m in response.context["messages"]]
    assert text == ["항목 2을(를) 다시 쓰지 못했습니다: 이 다이제스트는 ‘승인됨’ 상태라 읽기 전용입니다. 정정하려면 다시 여세요."]
    assert sent == []


def test_a_rewrite_that_fails_in_the_worker_says_so_in_the_timeline(digest, writer_settings):
    from digests.generation import tasks
    from digests.models import Digest

    item = digest.items.get(position=1)
    Digest.objects.filter(pk=digest.pk).update(status="approved")  # approved between the click and the task
    with pytest.raises(Exception, match="읽기 전용"):
        tasks.regenerate_item(item.pk)
    event = ReviewEvent.objects.get(digest=digest, action="comment")
    assert event.comment.startswith("항목 2 다시 쓰기에 실패했습니다: 이 다이제스트는 ‘승인됨’ 상태라 읽기 전용입니다")


def test_an_editor_cannot_queue_fetches_with_a_crafted_post(client, editor, digest, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    from digests.generation import tasks

    sent = []
    monkeypatch.setattr(tasks.fetch_sources, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    source = Source.objects.filter(active=True).first()
    client.force_login(editor)
    assert "fetch_now" not in client.get(reverse("admin:digests_source_changelist")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:digests_source_changelist"),
                               {"action": "fetch_now", "_selected_action": [source.pk]})
    assert response.status_code in (200, 302) and sent == []


def test_whoever_may_change_sources_can_fetch_them_now(admin_client, digest, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    from digests.generation import tasks

    sent = []
    monkeypatch.setattr(tasks.fetch_sources, "apply_async", lambda args, kwargs, **options: sent.append(kwargs))
    source = Source.objects.filter(active=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:digests_source_changelist"),
                          {"action": "fetch_now", "_selected_action": [source.pk]})
    assert sent == [{"series_id": source.series_id}]
