"""Publishing under real faults, on a production-like stack: gunicorn, a celery worker and beat on a redis-server
of the test's own, the shared database, a blog working copy with a bare remote.

Each test breaks something for real (Redis stopped and restarted from an older snapshot, the worker's
process group killed inside `git commit` and inside `git push`, an immutable _posts, a slug changed after
publication, a reopened digest unpublished) and asserts what readers and the blog end up with: the
working copy and the remote hold exactly the live posts, and no reader URL serves an unpublished word.
The times to convergence are printed and written to artifacts/faults.json.
"""
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import transaction

from conftest import ARTIFACTS_DIR
from digests import tasks
from digests.models import BlogPost, Digest, ExportRecord, NewsItem, ReviewEvent
from digests.tests.blog import commits, converged, describe, make_blog, posts_in_working_copy, posts_on_remote, run
from digests.tests.factories import DigestFactory, SeriesFactory, UserFactory
from digests.tests.redis_server import RedisServer
from digests.tests.stack import AdminSession, Beat, Web, Worker, collect_static, shared_database, stack_env  # noqa: F401

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True, available_apps=["digests", "taggit"])]

CONVERGE_TIMEOUT = 90
FIGURES = {}


def need(command, package):
    if not shutil.which(command):
        message = f"{command} is not installed: run 'apt-get install {package}'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def stack(shared_database, tmp_path_factory, django_db_blocker):  # noqa: F811
    """Broker (and cache) Redis, beat reconciling every second, a worker; the blog's folders (made per test)."""
    need("redis-server", "redis-server")
    folder = tmp_path_factory.mktemp("faults")
    (folder / "broker").mkdir()
    (folder / "cache").mkdir()
    broker = RedisServer(folder / "broker").start()
    cache = RedisServer(folder / "cache").start()
    blog = folder / "blog"
    env = stack_env(
        shared_database,
        REDIS_URL=broker.url, CELERY_BROKER_URL=broker.url, CELERY_RESULT_BACKEND="cache+memory://",
        JEKYLL_SITE_DIR=str(blog / "site"), JEKYLL_GIT_REMOTE="origin", JEKYLL_GIT_BRANCH="main",
        JEKYLL_GIT_AUTHOR="Newsroom Bot <bot@newsroom.example>",
        # Faults here last seconds: retry within one or two.
        NEWSROOM_EXPORT_RETRY_SECONDS="0.5", NEWSROOM_EXPORT_RETRY_MAX_SECONDS="2",
        ALLOWED_HOSTS="127.0.0.1", SECURE_COOKIES="0", STATIC_ROOT=str(folder / "static"), PUBLIC_CACHE_SECONDS="600",
    )
    collect_static(env, folder / "static")
    with django_db_blocker.unblock():
        from django_celery_beat.models import IntervalSchedule, PeriodicTask

        every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.exclude(task="digests.tasks.reconcile_blog").update(enabled=False)
        # Migration 0011's row, unless an earlier test of the session flushed it: every second here.
        PeriodicTask.objects.update_or_create(name="Reconcile the blog", defaults={
            "task": "digests.tasks.reconcile_blog", "interval": every_second, "expire_seconds": 5, "enabled": True})
    logs = tmp_path_factory.mktemp("faults-logs")
    # Supervised as deploy/newsroom@.service runs them: Celery itself can die on a broker that comes back mid-
    # reconnect (once in CI: the worker's hub closed on a dead connection), and production restarts it.
    worker = Worker(env, str(logs / "worker.log"), restart_always=True).start()
    beat = Beat(env, str(logs / "beat.log"), restart_always=True).start()

    class Stack:
        pass

    stack = Stack()
    stack.__dict__.update(broker=broker, cache=cache, env=env, worker=worker, beat=beat, blog=blog, logs=logs)
    yield stack
    beat.stop()
    worker.stop()
    broker.kill()
    cache.kill()
    FIGURES["worker restarts by the supervisor"] = worker.restarts()
    FIGURES["beat restarts by the supervisor"] = beat.restarts()
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    (ARTIFACTS_DIR / "faults.json").write_text(json.dumps(FIGURES, indent=2, ensure_ascii=False))
    shutil.copytree(logs, ARTIFACTS_DIR / "faults-logs", dirs_exist_ok=True)  # the crash, if one, is told there


@pytest.fixture(autouse=True)
def nothing_runs_here(monkeypatch):
    """Workflow steps this process takes (setup) queue nothing: the stack's beat must find the work alone."""
    monkeypatch.setattr(tasks.reconcile_blog, "apply_async", lambda *args, **kwargs: None)


@pytest.fixture
def blog(stack):
    """A fresh blog working copy and bare remote at the path the stack exports to; Redis and the worker up."""
    for process in (stack.broker, stack.worker):
        if process.process.poll() is not None:  # an earlier test failed while it was down
            process.start()
    for path in (stack.blog / "site" / "_posts",):
        if path.exists():
            subprocess.run(["chattr", "-i", str(path)], check=False)
    shutil.rmtree(stack.blog, ignore_errors=True)
    stack.blog.mkdir()
    site, remote = make_blog(stack.blog)
    return site, remote


@pytest.fixture
def web(stack, request):
    """gunicorn on the stack's Redis (or, with `separate_cache`, the page cache on a Redis of its own)."""
    cache_url = stack.cache.url if getattr(request, "param", "") == "separate_cache" else stack.broker.url
    server = Web({**stack.env, "REDIS_URL": cache_url}, str(stack.logs / "web.log")).start()
    yield server
    server.stop()


@pytest.fixture
def series(db):
    return SeriesFactory(slug="faults", jekyll_category="faults", post_slug="daily-faults-news")


@pytest.fixture
def users(db):
    """Three people at the desk. Superusers: an earlier test of the session may have flushed the roles' groups,
    and this process's app registry (available_apps) cannot grant rights; the workflow's four-eyes rule
    still needs two of them."""
    return {role: UserFactory(username=f"fault-{role.lower()}", is_superuser=True)
            for role in ("Editor", "Reviewer", "Publisher")}


@pytest.fixture
def desk(web, users):
    """Editor, reviewer and publisher signed in to the stack's admin (the workflow runs there, not here)."""
    sessions = {role.lower(): AdminSession(web.url, user) for role, user in users.items()}
    yield sessions
    for session in sessions.values():
        session.close()


@pytest.fixture
def publisher(desk):
    return desk["publisher"]


def review_again(desk, digest):
    """Submit and approve a reopened digest through the admin, as its editor and a reviewer would."""
    assert desk["editor"].transition(fresh(digest), "submit") == 302
    assert desk["reviewer"].transition(fresh(digest), "approve") == 302
    return fresh(digest)


def approved(series, day, marker):
    """An approved digest whose first item carries `marker`, a word readers must see only while it is live."""
    digest = DigestFactory(series=series, date=day, status="approved")
    NewsItem.objects.filter(digest=digest, position=0).update(title=f"{marker} 첫 소식")
    digest.refresh_from_db()
    digest.marker = marker
    return digest


def fresh(digest):
    marker = digest.marker
    digest.refresh_from_db()
    digest.marker = marker
    return digest


def wait_converged(stack, site, remote, label, started=None):
    """Seconds until the working copy and the remote hold exactly the live posts and every row is done."""
    started = started or time.monotonic()
    deadline = started + CONVERGE_TIMEOUT
    while time.monotonic() < deadline:
        # The files first, then the database saying so (the worker records after its push).
        if converged(site, remote) and not BlogPost.objects.exclude(state="synced").exists():
            seconds = round(time.monotonic() - started, 2)
            FIGURES[label] = seconds
            print(f"\n{label}: converged in {seconds} s")
            return seconds
        time.sleep(0.1)
    rows = list(BlogPost.objects.values("path", "state", "attempts", "error"))
    raise AssertionError(f"{label}: not converged after {CONVERGE_TIMEOUT} s: {describe(site, remote)}; rows {rows}\n"
                         f"worker: {stack.worker.story()}\nbeat: {stack.beat.story(tail=10)}")


def wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def reader_pages(web, series, digests, addresses=()):
    """Every public page a reader could meet the digests on: lists, feeds, sitemap, search, their addresses."""
    import httpx

    urls = {"/", f"/{series.jekyll_category}/", "/feed.xml", f"/{series.jekyll_category}/feed.xml", "/sitemap.xml",
            f"/?series={series.slug}", *addresses}
    for digest in digests:
        urls |= {f"/search/?q={digest.marker}", f"/archive/{digest.date:%Y/%m}/", digest.get_absolute_url()}
    with httpx.Client(base_url=web.url, timeout=30) as client:
        return {url: client.get(url) for url in sorted(urls)}


def assert_readers_see(web, series, live=(), gone=(), addresses=(), unseen=()):
    """Live digests at their address, with their word; not a word of the gone ones (nor the `unseen` words)
    anywhere; the `addresses` 404."""
    pages = reader_pages(web, series, [*live, *gone], addresses)
    errors = {url: r.status_code for url, r in pages.items() if r.status_code >= 500}
    assert not errors, f"readers got server errors: {errors}"
    for digest in live:
        page = pages[digest.get_absolute_url()]
        assert page.status_code == 200 and digest.marker in page.text, digest.get_absolute_url()
        assert digest.marker in pages["/"].text
    for word in [d.marker for d in gone] + list(unseen):
        for url, page in pages.items():
            if url.startswith("/search/"):
                continue  # the search page repeats its query; what it found is checked by address below
            assert word not in page.text, f"{url} still shows the unpublished {word}"
    for url in addresses:
        assert pages[url].status_code == 404, url
        linked = [page_url for page_url, page in pages.items() if page_url != url and url in page.text]
        assert not linked, f"{linked} still link to {url}"


# Redis ----------------------------------------------------------------------------------


# "one_redis": the page cache and the broker share one Redis, as production's REDIS_URL does.


@pytest.mark.parametrize("web", ["separate_cache", "one_redis"], indirect=True)
def test_redis_down_during_publish_and_unpublish_then_back_from_an_older_snapshot(stack, blog, web, series, publisher):
    site, remote = blog
    first = approved(series, dt.date(2026, 8, 1), "먼저기사aa1")
    assert publisher.transition(first, "publish") == 302
    wait_converged(stack, site, remote, "first publication")
    first = fresh(first)
    assert_readers_see(web, series, live=[first])  # every page cached with the first digest on it

    stack.broker.snapshot()  # what Redis will come back with: the cache and queue as they were then
    stack.broker.kill()
    second = approved(series, dt.date(2026, 8, 2), "나중기사bb2")
    # Committed, and the publisher hears so: no 500 because the reconcile could not be queued.
    assert publisher.transition(second, "publish") == 302
    assert publisher.transition(first, "unpublish", "오보") == 302
    first, second = fresh(first), fresh(second)
    assert not first.is_live and second.is_live
    assert set(BlogPost.objects.values_list("state", flat=True)) == {"pending"}
    assert_readers_see(web, series, live=[second], gone=[first], addresses=["/faults/2026/08/01/daily-faults-news.html"])

    restored = time.monotonic()
    stack.broker.start()
    wait_converged(stack, site, remote, f"Redis restored from an older snapshot ({web_param(web)}) → blog",
                   started=restored)
    assert sorted(posts_on_remote(remote)) == ["_posts/2026-08-02-daily-faults-news.md"]
    assert_readers_see(web, series, live=[second], gone=[first], addresses=["/faults/2026/08/01/daily-faults-news.html"])


def web_param(web):
    return "page cache on another Redis" if web.env["REDIS_URL"] != web.env["CELERY_BROKER_URL"] else "one Redis"


# A killed worker --------------------------------------------------------------------------


def hold(hooks_dir, name, marker_dir):
    """A git hook `name` that waits while marker_dir/hold exists, saying so in marker_dir/holding."""
    holding, release = marker_dir / "holding", marker_dir / "hold"
    hook = hooks_dir / name
    hook.write_text(f'#!/bin/sh\ntouch "{holding}"\nwhile [ -e "{release}" ]; do sleep 0.05; done\n')
    hook.chmod(0o755)
    release.write_text("")
    return holding, release


def test_worker_killed_inside_git_commit(stack, blog, web, series, publisher):
    site, remote = blog
    holding, release = hold(site / ".git" / "hooks", "pre-commit", site / ".git")
    digest = approved(series, dt.date(2026, 8, 3), "커밋중cc3")
    assert publisher.transition(digest, "publish") == 302
    wait_for(holding.exists, "the reconcile to be inside git commit")
    stack.worker.kill()
    # What a kill leaves: git's lock, the post staged but not committed, nothing on the remote.
    assert (site / ".git" / "index.lock").exists()
    assert "_posts/2026-08-03-daily-faults-news.md" in run(site, "diff", "--cached", "--name-only")
    assert posts_on_remote(remote) == {}
    release.unlink()
    restarted = time.monotonic()
    stack.worker.start()
    wait_converged(stack, site, remote, "worker killed in git commit, restarted → blog", started=restarted)
    assert not (site / ".git" / "index.lock").exists()
    assert commits(remote)[0].endswith("Publish 2026-08-03 daily-faults-news")
    assert_readers_see(web, series, live=[fresh(digest)])


def test_worker_killed_inside_git_push(stack, blog, web, series, publisher):
    site, remote = blog
    holding, release = hold(remote / "hooks", "pre-receive", remote)
    digest = approved(series, dt.date(2026, 8, 4), "푸시중dd4")
    assert publisher.transition(digest, "publish") == 302
    wait_for(holding.exists, "the reconcile to be inside git push")
    stack.worker.kill()
    # Committed in the working copy, never received by the remote.
    assert commits(site)[0].endswith("Publish 2026-08-04 daily-faults-news") and posts_on_remote(remote) == {}
    release.unlink()
    restarted = time.monotonic()
    stack.worker.start()
    wait_converged(stack, site, remote, "worker killed in git push, restarted → blog", started=restarted)
    assert commits(remote) == commits(site)
    assert_readers_see(web, series, live=[fresh(digest)])


def children(pid):
    """Process ids whose parent is `pid` (from /proc; a process may end while we read)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[-1].split()  # past the command name, which may hold spaces
        except OSError:
            continue
        if fields[1] == str(pid):
            found.append(int(stat.parent.name))
    return found


def test_a_worker_that_dies_on_its_own_comes_back_and_catches_up(stack, blog, web, series, publisher):
    """What deploy/newsroom@.service's Restart=always is for: the worker's main process dies alone (as Celery's
    does on some broker reconnects), a publish happens meanwhile, and the blog still gets it."""
    site, remote = blog
    before = stack.worker.restarts()
    main, = children(stack.worker.process.pid)  # the celery under the supervising loop
    os.kill(main, signal.SIGKILL)
    digest = approved(series, dt.date(2026, 8, 9), "혼자죽음ee9")
    assert publisher.transition(digest, "publish") == 302
    died = time.monotonic()
    wait_converged(stack, site, remote, "worker died alone, restarted by its supervisor → blog", started=died)
    assert stack.worker.restarts() == before + 1
    assert_readers_see(web, series, live=[fresh(digest)])


# The disk --------------------------------------------------------------------------------


def test_an_immutable_posts_folder_is_recorded_retried_and_caught_up(stack, blog, web, series, publisher):
    need("chattr", "e2fsprogs")
    if os.geteuid() != 0:
        message = "chattr +i needs root (CAP_LINUX_IMMUTABLE): run the suite as root, as CI does"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    site, remote = blog
    first = approved(series, dt.date(2026, 8, 5), "불변먼저ee5")
    assert publisher.transition(first, "publish") == 302
    wait_converged(stack, site, remote, "first publication")
    first = fresh(first)
    probe = subprocess.run(["chattr", "+i", str(site / "_posts")], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"chattr +i does not work on this filesystem ({probe.stderr.strip()}); the test needs it")
    try:
        second = approved(series, dt.date(2026, 8, 6), "불변나중ff6")
        assert publisher.transition(second, "publish") == 302
        assert publisher.transition(first, "unpublish", "오보") == 302
        wait_for(lambda: BlogPost.objects.exclude(error="").count() == 2, "both exports to fail")
        for row in BlogPost.objects.all():
            assert "PermissionError" in row.error or "Operation not permitted" in row.error, row.error
            assert "쓸 수 없습니다" in row.error, row.error  # built by the worker, in LANGUAGE_CODE
        page = publisher.client.get("/admin/digests/blogpost/?failing=yes").text
        assert "Operation not permitted" in page and "_posts/2026-08-06-daily-faults-news.md" in page
        failed = ReviewEvent.objects.filter(action="export", data__status="failed")
        assert {e.digest_id for e in failed} == {first.pk, second.pk}  # in each digest's timeline
        # Readers already have the truth; the blog waits.
        assert_readers_see(web, series, live=[fresh(second)], gone=[first],
                           addresses=["/faults/2026/08/05/daily-faults-news.html"])
        assert sorted(posts_in_working_copy(site)) == ["_posts/2026-08-05-daily-faults-news.md"]
    finally:
        subprocess.run(["chattr", "-i", str(site / "_posts")], check=False)
    writable = time.monotonic()
    wait_converged(stack, site, remote, "_posts writable again → blog", started=writable)
    assert sorted(posts_on_remote(remote)) == ["_posts/2026-08-06-daily-faults-news.md"]
    retried = ExportRecord.objects.filter(digest=second).exclude(status="failed").get()
    assert retried.attempts >= 2  # the failed attempts and the one that went through


# Addresses ---------------------------------------------------------------------------------


def test_a_slug_changed_after_publication_moves_the_post_at_republication(stack, blog, web, series, desk, publisher):
    site, remote = blog
    digest = approved(series, dt.date(2026, 8, 7), "주소변경gg7")
    assert publisher.transition(digest, "publish") == 302
    wait_converged(stack, site, remote, "first publication")
    old_url, new_url = "/faults/2026/08/07/daily-faults-news.html", "/faults/2026/08/07/renamed.html"
    assert publisher.transition(fresh(digest), "reopen") == 302
    Digest.objects.filter(pk=digest.pk).update(slug="renamed")
    digest = fresh(digest)
    # Reopened and renamed: readers and the blog keep the published address until it is republished.
    assert_readers_see(web, series, live=[digest], addresses=[new_url])
    assert digest.get_absolute_url() == old_url and converged(site, remote)
    digest = review_again(desk, digest)
    assert publisher.transition(digest, "publish") == 302
    republished = time.monotonic()
    wait_converged(stack, site, remote, "slug change republished → blog", started=republished)
    assert sorted(posts_on_remote(remote)) == ["_posts/2026-08-07-renamed.md"]  # one copy, at the new name
    digest = fresh(digest)
    assert digest.get_absolute_url() == new_url
    assert_readers_see(web, series, live=[digest], addresses=[old_url])


def test_a_reopened_digest_is_unpublished_and_its_draft_never_shows(stack, blog, web, series, publisher):
    site, remote = blog
    digest = approved(series, dt.date(2026, 8, 8), "재개봉hh8")
    assert publisher.transition(digest, "publish") == 302
    wait_converged(stack, site, remote, "first publication")
    assert publisher.transition(fresh(digest), "reopen") == 302
    NewsItem.objects.filter(digest=digest, position=1).update(title="초안만ii9 수정 중")  # the draft's word
    digest = fresh(digest)
    assert publisher.transition(digest, "unpublish", "철회") == 302
    digest = fresh(digest)
    assert digest.status == "draft" and not digest.is_live
    unpublished = time.monotonic()
    wait_converged(stack, site, remote, "reopened digest unpublished → blog", started=unpublished)
    assert posts_on_remote(remote) == {} and posts_in_working_copy(site) == {}
    assert_readers_see(web, series, gone=[digest], unseen=["초안만ii9"],
                       addresses=["/faults/2026/08/08/daily-faults-news.html"])


# A failing remote ----------------------------------------------------------------------------


def test_a_failing_remote_holds_commits_back_and_one_push_drains_them(stack, blog, web, series, publisher):
    import redis

    site, remote = blog
    hook = remote / "hooks" / "pre-receive"
    hook.write_text('#!/bin/sh\necho "remote is read-only today" >&2\nexit 1\n')
    hook.chmod(0o755)
    pushes = remote / "pushes"
    post = remote / "hooks" / "post-receive"
    post.write_text(f'#!/bin/sh\necho pushed >> "{pushes}"\n')
    post.chmod(0o755)
    digests = [approved(series, dt.date(2026, 9, n), f"원격{n:02d}jj") for n in range(1, 6)]
    for digest in digests:
        assert publisher.transition(digest, "publish") == 302
    wait_for(lambda: BlogPost.objects.filter(state="committed").count() == 5, "five local commits", timeout=60)
    time.sleep(3)  # a few more rounds of retries against the failing remote
    queue = redis.Redis.from_url(stack.broker.url)
    FIGURES["failing remote: broker messages waiting after 5 publishes"] = queue.llen("celery")
    FIGURES["failing remote: local commits held back"] = len(commits(site)) - len(commits(remote))
    FIGURES["failing remote: failed push attempts recorded"] = sum(
        ExportRecord.objects.filter(status="failed").values_list("attempts", flat=True))
    assert queue.llen("celery") <= 2  # the work waits in the database, not as a pile of messages
    assert len(commits(site)) - len(commits(remote)) == 5
    hook.unlink()
    fixed = time.monotonic()
    wait_converged(stack, site, remote, "failing remote fixed → blog", started=fixed)
    FIGURES["failing remote: pushes that drained it"] = len(pushes.read_text().split())
    assert pushes.read_text().split() == ["pushed"]  # one push carried the five commits
    assert commits(remote) == commits(site)
    with transaction.atomic():
        assert set(BlogPost.objects.values_list("state", flat=True)) == {"synced"}
