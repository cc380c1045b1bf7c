"""Generation through a real Redis broker and a real `celery worker` (2 prefork processes) sharing the test database."""
import datetime as dt
import os
import time

import pytest
from django.utils import timezone

from digests.generation.service import ABANDONED
from digests.models import Digest, GenerationRun, Insight, NewsItem, Source
from digests.tests.factories import SeriesFactory
from digests.tests.fakes.feeds import rss, stories
from digests.tests.fakes.fixtures import feed_server, model_server  # noqa: F401
from digests.tests.stack import Worker, shared_database, stack_env  # noqa: F401

# Only these apps' tables are flushed after each test: the content types (and their ids, which the
# worker caches) must survive from one test to the next, as they do in production.
pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True, available_apps=["digests", "taggit"])]

REDIS_URL = os.environ.get("CELERY_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
VISIBILITY_TIMEOUT = 4


def _redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        return client
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL} ({exc}): start it with `bash scripts/services.sh`."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def worker(shared_database, feed_server, model_server, tmp_path_factory):  # noqa: F811
    _redis_or_skip().flushdb()
    env = stack_env(
        shared_database,
        REDIS_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_RESULT_BACKEND=REDIS_URL,
        CACHE_KEY_PREFIX="newsroom-celery-test",
        # A message whose worker died is handed out again after this many seconds (the crash test).
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        GEMINI_API_KEY="test-key",
        GEMINI_BASE_URL=model_server.gemini_url,
        OPENAI_API_KEY="test-key",
        OPENAI_BASE_URL=model_server.openai_url,
        OPENAI_MODEL="fake-model",
        NEWSROOM_WRITERS="gemini:gemini-2.5-flash,openai,extractive",
        NEWSROOM_WRITER_TIMEOUT="60",
        NEWSROOM_ALLOW_PRIVATE_HOSTS="0",
        NEWSROOM_ALLOWED_PRIVATE_HOSTS="127.0.0.1",
    )
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    instance = Worker(env, str(log_path)).start()
    yield instance
    instance.stop()
    if os.environ.get("CELERY_TEST_SHOW_LOG"):
        print(instance.tail(200))


@pytest.fixture
def client(worker, settings):
    from celery import Celery

    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Not the current app: the shared tasks of later tests must keep the settings' (eager) app.
    app = Celery("generation-tests", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    app.conf.update(task_always_eager=False, result_expires=600, broker_connection_retry_on_startup=True)
    yield app
    app.close()


@pytest.fixture
def series(feed_server, model_server):  # noqa: F811
    """A fresh series with three fixture feeds whose stories sit just before today's scheduled time."""
    model_server.reset()
    series = SeriesFactory()
    day = timezone.localdate(timezone=series.tzinfo)
    newest = series.scheduled_at(day) - dt.timedelta(minutes=30)
    for name in ("one", "two", "three"):
        path = f"/{series.slug}-{name}.xml"
        feed_server.add(path, body=rss(stories(f"{series.slug}-{name}", 4, newest)))
        Source.objects.create(series=series, name=name.title(), url=feed_server.url(path))
    series.day = day
    return series


def send(client, series, **kwargs):
    return client.send_task("digests.tasks.generate_draft",
                            kwargs={"series_slug": series.slug, "date": series.day.isoformat(), **kwargs})


def assert_complete(digest, writer):
    items = list(NewsItem.objects.filter(digest=digest))
    assert len(items) == 5
    assert all(Insight.objects.filter(news_item=i).count() == 2 and i.sources.exists() for i in items)
    assert digest.provenance["writer"] == writer and digest.status == "draft"


@pytest.mark.parametrize(("writer", "wire"), [(None, "gemini"), ("openai", "openai")])
def test_generation_end_to_end_through_the_broker(writer, wire, client, worker, series, feed_server, model_server):  # noqa: F811
    result = send(client, series, **({"writer": writer} if writer else {}))
    try:
        digest_id = result.get(timeout=90)
    except Exception:
        print(worker.tail())
        raise
    digest = Digest.objects.get(pk=digest_id)
    assert digest.series == series and digest.date == series.day
    assert_complete(digest, wire)
    assert {r["wire"] for r in model_server.requests} == {wire}
    assert any(path.startswith(f"/{series.slug}-") for path, _ in feed_server.requests)
    assert GenerationRun.objects.get(series=series).status == "succeeded"


def test_ten_concurrent_calls_across_two_processes_leave_one_digest(client, worker, series, model_server):  # noqa: F811
    model_server.default = "delay:0.5"  # every call is in flight at once
    results = [send(client, series) for _ in range(10)]
    ids = {r.get(timeout=180) for r in results}
    assert len(ids) == 1
    assert Digest.objects.filter(series=series).count() == 1
    assert_complete(Digest.objects.get(series=series), "gemini")
    runs = GenerationRun.objects.filter(series=series)
    assert runs.filter(status="succeeded").count() == 1 and not runs.filter(status__in=["failed", "running"]).exists()
    # The others waited for the series lock and returned its digest: the model was asked once.
    assert len(model_server.requests) == 1


def test_a_worker_killed_mid_answer_leaves_nothing_then_one_complete_draft(client, worker, series, model_server):  # noqa: F811
    model_server.default = "hold"
    sent = time.monotonic()
    send(client, series)
    assert model_server.holding.wait(60), worker.tail()
    assert not Digest.objects.filter(series=series).exists()
    worker.kill()
    model_server.default = "ok"
    model_server.release()
    # Redis hands an unacknowledged message out again once it is older than the visibility timeout;
    # a starting worker sweeps for such messages at once (then only every ~100 s).
    time.sleep(max(0.0, sent + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    worker.start()
    deadline = time.monotonic() + 90
    digest = None
    while time.monotonic() < deadline:
        for seen in Digest.objects.filter(series=series):
            # Whenever a digest is visible at all, it is complete: it was written in one transaction.
            assert NewsItem.objects.filter(digest=seen).count() == 5
            digest = seen
        if digest:
            break
        time.sleep(0.2)
    assert digest is not None, f"No draft after the restart; worker log:\n{worker.tail()}"
    assert Digest.objects.filter(series=series).count() == 1
    assert_complete(digest, "gemini")
    # The killed attempt's run was closed by the redelivered task, which took the series lock.
    runs = list(GenerationRun.objects.filter(series=series).order_by("started_at").values_list("status", "error"))
    assert runs == [("failed", ABANDONED), ("succeeded", "")]
