"""generate_draft and regenerate_item: ingest → select → write → one complete draft, idempotent, failures recorded."""
import datetime as dt

import pytest
from django.core import mail

from digests.generation import service
from digests.generation.writers import chain
from digests.models import Digest, FeedEntry, GenerationRun, NewsItem, ReviewEvent, Status
from digests.tests.factories import DigestFactory
from digests.tests.fakes.feeds import Route, rss, stories
from digests.tests.fakes.fixtures import *  # noqa: F401,F403

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def now(tech):
    return tech.scheduled_at(DAY) - dt.timedelta(minutes=30)


@pytest.fixture
def feeds(tech, add_source, fetch_settings, writer_settings, now):
    """Three good fixture feeds of 6 stories each, one story carried by all three."""
    sources = []
    for n, name in enumerate(["alpha", "beta", "gamma"]):
        items = stories(name, 6, now - dt.timedelta(minutes=5))
        items.append({"title": "Everyone covers the big chip launch", "link": f"https://big.example/launch?ref={name}",
                      "published": now - dt.timedelta(minutes=20)})
        sources.append(add_source(tech, f"/{name}.xml", name=name.title(), body=rss(items)))
    return sources


def generate(tech, now, **kwargs):
    return service.generate_draft(tech, DAY, now=now, **kwargs)


def test_generates_one_complete_draft_with_provenance(tech, feeds, now, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        digest = generate(tech, now)
    assert digest.status == Status.DRAFT
    assert (digest.title, digest.slug, digest.footer) == (tech.title_for(DAY), tech.post_slug, tech.footer)
    items = list(digest.items.prefetch_related("insights", "sources"))
    assert len(items) == 5 and all(len(i.insights.all()) == 2 and not i.needs_attention for i in items)
    # The three-source story ranks first; the three feeds carry one article, so it is one source (tracking removed).
    assert [(s.url, s.entry_id is not None) for s in items[0].sources.all()] == [("https://big.example/launch", True)]
    assert {i.candidate_id for i in items} <= set(digest.provenance["candidate_ids"])
    prov = digest.provenance
    assert (prov["writer"], prov["model"], prov["prompt_version"]) == ("gemini", "gemini-2.5-flash", "digest_v2")
    assert prov["tokens"]["total"] > 0 and prov["latency"] >= 0 and len(prov["candidate_ids"]) == 15
    assert prov["candidates"][0]["sources"] == ["Alpha", "Beta", "Gamma"]
    assert digest.generated_snapshot["title"] == digest.title and len(digest.generated_snapshot["items"]) == 5
    run = GenerationRun.objects.get()
    assert (run.status, run.digest, run.writer) == ("succeeded", digest, "gemini:gemini-2.5-flash")
    assert set(run.timings) == {"ingest", "select", "write", "save"}
    assert ReviewEvent.objects.filter(digest=digest, action="create").count() == 1
    assert [m.subject for m in mail.outbox] == [f"[초안] {digest.title}"]


def test_second_call_returns_the_existing_digest_and_creates_nothing(tech, feeds, now):
    first = generate(tech, now)
    counts = (Digest.objects.count(), NewsItem.objects.count(), GenerationRun.objects.count(), FeedEntry.objects.count())
    assert generate(tech, now) == first
    assert (Digest.objects.count(), NewsItem.objects.count(), GenerationRun.objects.count(),
            FeedEntry.objects.count()) == counts


def test_losing_a_race_returns_the_winner_and_saves_nothing_partial(tech, feeds, now, monkeypatch):
    real_write = chain.write

    def write_while_another_process_saves(request, names=None, **kwargs):
        result = real_write(request, names, **kwargs)
        DigestFactory(series=tech, date=DAY)  # the other worker commits first
        return result

    monkeypatch.setattr(chain, "write", write_while_another_process_saves)
    digest = generate(tech, now)
    assert Digest.objects.get() == digest and digest.items.count() == 5
    assert GenerationRun.objects.get().status == "existing"


def test_extractive_draft_flags_every_item_and_leaves_its_insights_to_fill(tech, feeds, now):
    digest = generate(tech, now, writer_names=["extractive"])
    for item in digest.items.all():
        assert item.needs_attention
        assert list(item.insights.values_list("label", "text")) == [("", "")] * tech.insight_count
    assert digest.provenance["writer"] == "extractive" and digest.provenance["warnings"]
    # Its footer is the offline writer's, not the Gemini sentence.
    assert digest.footer == tech.footer_extractive and "Gemini" not in digest.footer
    from digests import workflow

    reasons = workflow.incomplete_reasons(digest)
    assert sum("0 of 2" in r or "0/2" in r or "2개 중 0개" in r for r in reasons) == 5, reasons


def test_bad_feeds_are_skipped_and_named_in_the_warnings(tech, feeds, now, add_source):
    add_source(tech, "/broken.xml", name="Broken", route=Route(body=b"<rss><chan"))
    add_source(tech, "/missing.xml", name="Missing", route=Route(status=404, body=b""))
    digest = generate(tech, now)
    assert digest.items.count() == 5
    warnings = " ".join(digest.provenance["warnings"])
    assert "Broken: malformed" in warnings and "Missing: http_error" in warnings


def test_too_few_candidates_fails_clearly_and_records_the_run(tech, add_source, fetch_settings, writer_settings, now,
                                                              editor, django_capture_on_commit_callbacks):
    add_source(tech, "/few.xml", name="Few", body=rss(stories("few", 3, now)))
    add_source(tech, "/down.xml", name="Down", route=Route(status=500, body=b""))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(service.GenerationError) as failed:
        generate(tech, now)
    message = str(failed.value)
    assert "후보 기사가 3개뿐이라 항목 5개를 채울 수 없습니다. 실패한 피드: Down: http_error" in message
    assert message.endswith("관리 화면에서 피드의 마지막 상태를 확인하거나 나중에 다시 가져오세요.")
    run = GenerationRun.objects.get()
    assert run.status == "failed" and "후보 기사가 3개뿐이라" in run.error and run.finished_at
    assert not Digest.objects.exists()
    assert [m.subject for m in mail.outbox] == [f"[생성 실패] {tech} {DAY}"]


def test_no_valid_answer_leaves_no_draft(tech, feeds, now, model_server):
    model_server.default = "unknown_id"
    with pytest.raises(chain.ChainFailed):
        generate(tech, now, writer_names=["gemini", "openai"])
    assert not Digest.objects.exists() and not NewsItem.objects.exists()
    run = GenerationRun.objects.get()
    assert run.status == "failed" and len(run.details["attempts"]) == 4


def test_a_past_date_is_generated_from_stored_entries_without_fetching(tech, feeds, now, feed_server):
    service.fetch_sources(tech)
    feed_server.requests.clear()
    digest = service.generate_draft(tech, DAY, now=now + dt.timedelta(days=10))
    assert digest.items.count() == 5 and feed_server.requests == []


def test_regenerate_item_rewrites_it_from_another_candidate(tech, feeds, now, editor, model_server):
    digest = generate(tech, now)
    item = digest.items.get(position=2)
    used = set(digest.items.values_list("candidate_id", flat=True))
    version = digest.version
    new = service.regenerate_item(item, user=editor)
    assert new.pk == item.pk and new.candidate_id not in used and new.insights.count() == 2
    assert new.sources.exists() and new.title.startswith("반도체 업계 소식")
    digest.refresh_from_db()
    assert digest.version == version + 1 and digest.last_edited_by == editor
    event = ReviewEvent.objects.get(digest=digest, action="edit")
    assert event.data["changes"]["regenerated_item"] == item.pk and event.actor == editor
    other = digest.items.get(position=0)
    with pytest.raises(service.GenerationError, match="이미 이 다이제스트의 항목 1입니다"):
        service.regenerate_item(item, candidate_id=other.candidate_id, user=editor)
    chosen = digest.provenance["candidate_ids"][-1]
    assert service.regenerate_item(item, candidate_id=chosen, user=editor).candidate_id == chosen


def test_regenerate_item_refuses_read_only_digests_and_users_without_rights(tech, feeds, now, make_user):
    from digests.workflow import TransitionError

    digest = generate(tech, now)
    item = digest.items.first()
    with pytest.raises(TransitionError):
        service.regenerate_item(item, user=make_user(None, username="outsider"))
    Digest.objects.filter(pk=digest.pk).update(status=Status.APPROVED)
    item.digest.refresh_from_db()
    with pytest.raises(TransitionError, match="읽기 전용"):
        service.regenerate_item(item)


def test_a_story_told_by_several_outlets_keeps_every_source(tech, add_source, fetch_settings, now):
    """Two outlets, two articles, one headline: one item, both articles as its sources, the heavier first."""
    title = "SpaceX acquires xAI in merger to build data centers in space"
    for name, weight, link in [("Verge", 1.0, "https://verge.example/spacex-xai"),
                               ("TechCrunch", 1.5, "https://tc.example/2026/spacex-xai?utm_source=rss")]:
        items = stories(name, 5, now - dt.timedelta(minutes=5))
        items.append({"title": title, "link": link, "published": now - dt.timedelta(minutes=15),
                      "description": f"<p>{name}: SpaceX acquires xAI. The merger builds data centers.</p>"})
        add_source(tech, f"/{name}.xml", name=name, weight=weight, body=rss(items))
    digest = generate(tech, now, writer_names=["extractive"])
    item = next(i for i in digest.items.all() if "SpaceX" in i.title or "SpaceX" in i.summary)
    sources = list(item.sources.select_related("entry").values_list("url", "name", "entry__source__name"))
    assert sources == [("https://tc.example/2026/spacex-xai", "TechCrunch", "TechCrunch"),
                       ("https://verge.example/spacex-xai", "Verge", "Verge")]
    live = digest.generated_snapshot["items"][item.position]["sources"]
    assert [s["url"] for s in live] == ["https://tc.example/2026/spacex-xai", "https://verge.example/spacex-xai"]


def test_a_run_a_dead_worker_left_running_is_closed_by_the_next_generation(tech, feeds, now):
    dead = GenerationRun.objects.create(series=tech, date=DAY, started_at=now)  # its worker was killed
    digest = generate(tech, now)
    dead.refresh_from_db()
    assert (dead.status, dead.error) == ("failed", service.ABANDONED) and dead.finished_at is not None
    assert GenerationRun.objects.get(status="succeeded").digest == digest


def test_a_redelivered_task_closes_the_run_even_when_the_digest_exists(tech, now):
    # Killed after saving, before acknowledging: the task comes back and finds the digest.
    digest = DigestFactory(series=tech, date=DAY)
    dead = GenerationRun.objects.create(series=tech, date=DAY, started_at=now)
    assert generate(tech, now) == digest
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.error == service.ABANDONED


def test_abandoned_runs_are_closed_and_their_day_queued_again(tech, entertainment, now, monkeypatch):
    from digests.generation import tasks

    queued = []
    monkeypatch.setattr(tasks.generate_draft, "apply_async", lambda args, kwargs, **options: queued.append(kwargs))
    GenerationRun.objects.create(series=tech, date=DAY, started_at=now)
    GenerationRun.objects.create(series=entertainment, date=DAY, started_at=now)
    DigestFactory(series=entertainment, date=DAY)  # saved before its worker died: nothing to redo
    assert service.recover_abandoned_runs() == [("tech", DAY.isoformat())]
    assert queued == [{"series_id": tech.pk, "date": DAY.isoformat()}]
    assert not GenerationRun.objects.filter(status="running").exists()
    # A day whose generation keeps dying is left to a person.
    for _ in range(service.MAX_ABANDONED):
        GenerationRun.objects.create(series=tech, date=DAY, started_at=now)
        service.recover_abandoned_runs()
    assert len(queued) == service.MAX_ABANDONED


def test_the_progress_lines_are_korean(tech, feeds, now):
    lines = []
    digest = generate(tech, now, progress=lines.append)
    assert lines[0] == "tech 피드 3개를 가져옵니다"
    assert "  Alpha: ok, 글 7개 중 새 글 7개" in lines
    assert any(line.startswith("2026-03-01 12:00부터 2026-03-02 12:00 KST까지 후보 기사 ") for line in lines)
    assert "작성기 gemini:gemini-2.5-flash로 씁니다" in lines
    assert lines[-1].startswith(f"다이제스트 #{digest.pk} “{digest.title}”을(를) 저장했습니다(작성기 gemini:")


def test_too_few_candidates_says_in_korean_what_to_do(tech, add_source, fetch_settings, writer_settings, now):
    add_source(tech, "/few.xml", name="Few", body=rss(stories("few", 2, now)))
    with pytest.raises(service.GenerationError) as failed:
        generate(tech, now)
    start, end = service.merge.window(tech, DAY)
    assert str(failed.value) == (
        f"{start:%Y-%m-%d %H:%M}부터 {end:%Y-%m-%d %H:%M %Z}까지 후보 기사가 2개뿐이라 항목 5개를 채울 수 없습니다. "
        "관리 화면에서 피드의 마지막 상태를 확인하거나 나중에 다시 가져오세요.")
