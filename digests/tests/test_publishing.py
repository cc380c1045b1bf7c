"""Publishing: the database says what the blog holds; reconcile writes, moves, removes, commits and pushes it,
records every failure and tries again with backoff."""
import datetime as dt
import os
import subprocess
import time

import pytest
from django.utils import timezone

from digests import jekyll, publishing, tasks
from digests.models import BlogPost, Digest, ExportRecord, NewsItem, ReviewEvent
from digests.posts import snapshot_to_post
from digests.tests.blog import commits, converged, describe, make_blog, posts_on_remote, run
from digests.tests.live import live_digest

pytestmark = pytest.mark.django_db
Status = ExportRecord.ExportStatus
State = BlogPost.State


@pytest.fixture
def blog(tmp_path, settings):
    """A blog working copy whose origin is a local bare repository, one commit in."""
    site, remote = make_blog(tmp_path)
    settings.JEKYLL_SITE_DIR = str(site)
    settings.JEKYLL_GIT_REMOTE = "origin"
    settings.JEKYLL_GIT_BRANCH = "main"
    settings.JEKYLL_GIT_AUTHOR = "Newsroom Bot <bot@newsroom.example>"
    settings.NEWSROOM_EXPORT_RETRY_SECONDS = 30
    settings.NEWSROOM_EXPORT_RETRY_MAX_SECONDS = 900
    return site, remote


def publish(**kwargs):
    """A live digest whose publication asked the blog for its post (as workflow.publish does)."""
    digest = live_digest(**kwargs)
    publishing.expect(digest)
    return digest


def unpublish(digest):
    previous = publishing.post_relpath(digest)
    Digest.objects.filter(pk=digest.pk).update(live_snapshot=None, live_series=None, live_date=None, live_slug="",
                                               live_category="", status="approved")
    digest.refresh_from_db()
    publishing.expect(digest, previous)


def later(minutes):
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_publish_commits_the_live_version_once_and_pushes(blog, tech):
    site, remote = blog
    digest = publish(series=tech)
    outcome = publishing.reconcile()

    path = site / "_posts" / f"{digest.date:%Y-%m-%d}-daily-it-news.md"
    assert path.read_text(encoding="utf-8") == jekyll.render(snapshot_to_post(digest.live_snapshot))
    record = digest.exports.get()
    assert (record.status, record.path, record.attempts) == (Status.PUSHED, f"_posts/{path.name}", 1)
    assert len(record.content_hash) == 64 and outcome.pushed
    log = commits(remote)
    assert len(log) == 2
    assert log[0] == f"{record.commit} Newsroom Bot <bot@newsroom.example> Publish {digest.date:%Y-%m-%d} daily-it-news"
    assert run(remote, "show", "--name-only", "--format=", "main") == f"_posts/{path.name}"
    assert ReviewEvent.objects.filter(digest=digest, action="export").get().data["status"] == "pushed"
    row = BlogPost.objects.get(digest=digest)
    assert (row.state, row.commit, row.content_hash, row.error) == (State.SYNCED, record.commit, record.content_hash, "")

    assert publishing.reconcile().as_dict() == {"exported": [], "failed": [], "pushed": False}  # nothing due
    tasks.export_digest(digest.pk)  # "export again"
    again = digest.exports.order_by("-id").first()
    assert again.status == Status.UNCHANGED and again.commit == ""
    assert len(commits(remote)) == 2 and len(commits(site)) == 2
    assert converged(site, remote)


def test_export_uses_the_published_version_not_later_edits(blog, tech):
    site, _ = blog
    digest = publish(series=tech)
    NewsItem.objects.filter(digest=digest).update(title="UNAPPROVED EDIT")
    publishing.reconcile()
    text = (site / "_posts" / f"{digest.date:%Y-%m-%d}-daily-it-news.md").read_text(encoding="utf-8")
    assert "UNAPPROVED EDIT" not in text
    assert digest.live_snapshot["items"][0]["title"] in text


def test_a_correction_is_a_second_commit(blog, tech):
    site, remote = blog
    digest = publish(series=tech)
    publishing.reconcile()
    digest.live_snapshot["items"][0]["summary"] = "정정된 요약입니다."
    digest.save(update_fields=["live_snapshot"])
    publishing.expect(digest)
    publishing.reconcile()
    record = digest.exports.order_by("-id").first()
    assert record.status == Status.PUSHED
    assert len(commits(remote)) == 3
    assert "정정된 요약입니다." in run(remote, "show", f"main:{record.path}")


def test_someone_elses_staged_work_stays_out_of_the_commit(blog, tech):
    site, _ = blog
    (site / "about.md").write_text("draft page\n")
    run(site, "add", "about.md")
    digest = publish(series=tech)
    publishing.reconcile()
    record = digest.exports.get()
    assert run(site, "show", "--name-only", "--format=", record.commit) == record.path
    assert "A  about.md" in run(site, "status", "--porcelain")


def reject_pushes(remote, times):
    """A pre-receive hook that refuses the next `times` pushes, then accepts."""
    counter = remote / "rejections-left"
    counter.write_text(str(times))
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        f'n=$(cat "{counter}")\n'
        'if [ "$n" -gt 0 ]; then echo $((n-1)) > "' + str(counter) + '"; echo "remote is read-only today" >&2; exit 1; fi\n'
    )
    hook.chmod(0o755)


def test_a_failed_push_is_recorded_and_retried_after_a_backoff(blog, tech):
    site, remote = blog
    reject_pushes(remote, 1)
    digest = publish(series=tech)
    outcome = publishing.reconcile()
    assert outcome.failed and "remote is read-only today" in outcome.failed[0][1]
    record = digest.exports.get()
    assert record.status == Status.FAILED and "remote is read-only today" in record.error and record.commit
    row = BlogPost.objects.get(digest=digest)
    assert (row.state, row.attempts) == (State.COMMITTED, 1) and "read-only" in row.error
    assert row.retry_at > timezone.now() + dt.timedelta(seconds=25)
    assert len(commits(site)) == 2 and len(commits(remote)) == 1
    assert ReviewEvent.objects.filter(digest=digest, action="export").get().data["status"] == "failed"

    assert publishing.reconcile().failed == []  # not due yet: nothing tried
    assert len(commits(remote)) == 1

    publishing.reconcile(now=later(1))
    record.refresh_from_db()
    assert (record.status, record.attempts, record.error) == (Status.PUSHED, 2, "")
    assert commits(remote) == commits(site) and len(commits(remote)) == 2
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error, row.retry_at) == (State.SYNCED, 0, "", None)
    assert converged(site, remote)


def test_the_backoff_doubles_up_to_its_cap(settings):
    settings.NEWSROOM_EXPORT_RETRY_SECONDS = 30
    settings.NEWSROOM_EXPORT_RETRY_MAX_SECONDS = 900
    assert [publishing.retry_delay(n).total_seconds() for n in range(1, 8)] == [30, 60, 120, 240, 480, 900, 900]


def test_a_failing_remote_queues_local_commits_and_one_push_drains_them(blog, tech):
    site, remote = blog
    reject_pushes(remote, 100)
    digests = []
    for minute in range(5):
        digests.append(publish(series=tech))
        publishing.reconcile(now=later(minute * 20))
    rows = BlogPost.objects.filter(digest__in=digests)
    assert set(rows.values_list("state", flat=True)) == {State.COMMITTED}
    assert len(commits(site)) == 6 and len(commits(remote)) == 1
    # Every failure was recorded once per digest (one record each, its attempts counted), no message queued.
    assert ExportRecord.objects.filter(status=Status.FAILED).count() == 5
    reject_pushes(remote, 0)
    outcome = publishing.reconcile(now=later(24 * 60))
    assert outcome.pushed and len(outcome.exported) == 5
    assert set(rows.values_list("state", flat=True)) == {State.SYNCED}
    assert commits(remote) == commits(site)
    assert converged(site, remote)


def test_unpublish_removes_the_post_and_commits(blog, tech):
    site, remote = blog
    digest = publish(series=tech)
    publishing.reconcile()
    published = digest.exports.get()
    unpublish(digest)
    publishing.reconcile()
    record = digest.exports.order_by("-id").first()
    assert record.status == Status.REMOVED and record.commit != published.commit
    assert not (site / published.path).exists()
    assert commits(remote)[0].endswith(f"Unpublish {digest.date:%Y-%m-%d} daily-it-news")
    assert run(remote, "ls-tree", "-r", "--name-only", "main") == "_config.yml"
    assert not BlogPost.objects.filter(digest=digest).exists()  # nothing of it left on the blog
    assert publishing.reconcile().exported == []


def test_published_again_before_the_removal_ran_the_post_stays(blog, tech):
    site, remote = blog
    digest = publish(series=tech)
    publishing.reconcile()
    snapshot = digest.live_snapshot
    unpublish(digest)
    Digest.objects.filter(pk=digest.pk).update(live_snapshot=snapshot, live_series=tech, live_date=digest.date,
                                               live_slug=digest.slug, live_category="tech")
    digest.refresh_from_db()
    publishing.expect(digest)
    publishing.reconcile()
    assert len(commits(remote)) == 2 and converged(site, remote)


def test_a_slug_change_moves_the_file_in_one_commit(blog, tech):
    site, remote = blog
    digest = publish(series=tech, date=dt.date(2026, 7, 1))
    publishing.reconcile()
    previous = publishing.post_relpath(digest)
    Digest.objects.filter(pk=digest.pk).update(slug="renamed", live_slug="renamed")
    digest.refresh_from_db()
    publishing.expect(digest, previous)
    publishing.reconcile()
    assert sorted(posts_on_remote(remote)) == ["_posts/2026-07-01-renamed.md"]
    assert commits(remote)[0].endswith("Publish 2026-07-01 renamed (moved from 2026-07-01 daily-it-news)")
    assert converged(site, remote), describe(site, remote)


def test_a_removal_never_takes_a_file_another_live_digest_now_has(blog, tech, entertainment):
    site, remote = blog
    first = publish(series=tech, date=dt.date(2026, 7, 2))
    publishing.reconcile()
    unpublish(first)
    # Before the removal ran, another digest went live under the same file name.
    second = publish(series=entertainment, date=dt.date(2026, 7, 2), slug="daily-it-news")
    publishing.reconcile()
    assert sorted(posts_on_remote(remote)) == ["_posts/2026-07-02-daily-it-news.md"]
    assert converged(site, remote), describe(site, remote)
    assert second.live_snapshot["title"].encode() in posts_on_remote(remote)["_posts/2026-07-02-daily-it-news.md"]


def test_an_intent_changed_during_a_pass_stays_pending(blog, tech, monkeypatch):
    site, remote = blog
    digest = publish(series=tech)
    path = publishing.post_relpath(digest)
    real_push = publishing.push

    def push_then_unpublish(folder):
        pushed = real_push(folder)
        unpublish(digest)  # the publisher acts while the worker pushes
        return pushed

    monkeypatch.setattr(publishing, "push", push_then_unpublish)
    publishing.reconcile()
    row = BlogPost.objects.get(digest=digest)
    assert (row.state, row.path, row.held_paths) == (State.PENDING, "", [path])
    monkeypatch.setattr(publishing, "push", real_push)
    publishing.reconcile()
    assert posts_on_remote(remote) == {} and converged(site, remote)


def test_without_a_site_dir_the_export_is_skipped_and_recorded(settings, tech):
    settings.JEKYLL_SITE_DIR = ""
    digest = publish(series=tech)
    publishing.reconcile()
    record = digest.exports.get()
    assert record.status == Status.SKIPPED and "JEKYLL_SITE_DIR" in record.error
    assert BlogPost.objects.get(digest=digest).state == State.SKIPPED


def test_a_plain_folder_gets_the_file_without_git(tmp_path, settings, tech):
    settings.JEKYLL_SITE_DIR = str(tmp_path)
    settings.JEKYLL_GIT_REMOTE = ""
    digest = publish(series=tech)
    publishing.reconcile()
    assert digest.exports.get().status == Status.WRITTEN
    tasks.export_digest(digest.pk)
    assert digest.exports.order_by("-id").first().status == Status.UNCHANGED
    assert (tmp_path / "_posts" / f"{digest.date:%Y-%m-%d}-daily-it-news.md").exists()


def test_errors_are_recorded_with_what_is_wrong(tmp_path, settings, tech):
    settings.JEKYLL_SITE_DIR = str(tmp_path / "missing")
    digest = publish(series=tech)
    outcome = publishing.reconcile()
    row = BlogPost.objects.get(digest=digest)
    assert "폴더가 아닙니다" in row.error and row.attempts == 1 and row.state == State.PENDING
    assert outcome.failed == [[row.path, row.error]]
    assert digest.exports.get().status == Status.FAILED


def test_a_bad_author_setting_is_named(blog, settings, tech):
    settings.JEKYLL_GIT_AUTHOR = "nobody"
    digest = publish(series=tech)
    publishing.reconcile()
    assert ExportRecord.objects.get().status == Status.FAILED
    assert "JEKYLL_GIT_AUTHOR" in BlogPost.objects.get(digest=digest).error


def test_a_failed_export_is_explained_in_korean_where_publishers_read_it(blog, settings, tech, client, publisher):
    """The worker activates no language (no request): the message is built in LANGUAGE_CODE, Korean, when it fails."""
    from django.urls import reverse
    from django.utils import translation

    settings.JEKYLL_GIT_AUTHOR = "nobody"
    digest = publish(series=tech)
    translation.deactivate()  # as in a Celery worker
    tasks.reconcile_blog.delay()
    expected = "JEKYLL_GIT_AUTHOR='nobody'은(는) '이름 <이메일>' 형식이 아닙니다. 설정을 고치세요"
    row = BlogPost.objects.get(digest=digest)
    assert row.error.startswith(expected) and digest.exports.get().error == row.error
    assert ReviewEvent.objects.get(digest=digest, action="export").comment == row.error
    client.force_login(publisher)
    # The export's list and row, and the digest's own page (its timeline).
    for page in (reverse("admin:digests_blogpost_changelist"), reverse("admin:digests_blogpost_change", args=[row.pk]),
                 reverse("admin:digests_digest_change", args=[digest.pk])):
        html = client.get(page).content.decode()
        assert "형식이 아닙니다. 설정을 고치세요" in html and "fix the setting" not in html, page


def test_an_unwritable_posts_folder_is_a_recorded_retried_error(blog, tech):
    site, remote = blog
    digest = publish(series=tech)
    (site / "_posts").mkdir()
    os.chmod(site / "_posts", 0o500)
    try:
        if os.access(site / "_posts", os.W_OK):  # root ignores the mode bits: make it immutable instead
            subprocess.run(["chattr", "+i", str(site / "_posts")], check=True)
        publishing.reconcile()
        row = BlogPost.objects.get(digest=digest)
        assert "PermissionError" in row.error and row.attempts == 1
        assert row.error.startswith(f"{site / '_posts'}에 쓸 수 없습니다(PermissionError: ") and "쓰기 권한" in row.error
        assert digest.exports.get().status == Status.FAILED
        assert ReviewEvent.objects.get(digest=digest, action="export").data["status"] == "failed"
    finally:
        subprocess.run(["chattr", "-i", str(site / "_posts")], check=False)
        os.chmod(site / "_posts", 0o755)
    publishing.reconcile(now=later(1))
    assert converged(site, remote), describe(site, remote)


def test_a_stale_index_lock_is_cleared_when_no_git_runs(blog, tech):
    site, remote = blog
    (site / ".git" / "index.lock").write_text("")
    (site / ".git" / "refs" / "heads" / "main.lock").write_text("")
    publish(series=tech)
    publishing.reconcile()
    assert not (site / ".git" / "index.lock").exists()
    assert converged(site, remote), describe(site, remote)


def hold_commits(site):
    """A pre-commit hook that waits while `.git/hold` exists (git keeps index.lock meanwhile); the hold file."""
    hold = site / ".git" / "hold"
    hook = site / ".git" / "hooks" / "pre-commit"
    hook.write_text(f'#!/bin/sh\nwhile [ -e "{hold}" ]; do sleep 0.05; done\n')
    hook.chmod(0o755)
    hold.write_text("")
    return hold


def test_a_lock_of_a_running_git_is_left_alone_then_cleared_once_it_died(blog, tech):
    site, remote = blog
    hold = hold_commits(site)
    (site / "about.md").write_text("a page of the blogger's\n")
    run(site, "add", "about.md")
    other = subprocess.Popen(["git", "-C", str(site), "-c", "user.name=B", "-c", "user.email=b@example.com",
                              "commit", "-q", "-m", "about", "--", "about.md"])
    try:
        deadline = time.monotonic() + 10
        while not (site / ".git" / "index.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        digest = publish(series=tech)
        publishing.reconcile()
        assert (site / ".git" / "index.lock").exists()
        assert f"git(pid {other.pid})이" in BlogPost.objects.get(digest=digest).error
    finally:
        other.kill()
        other.wait()
    hold.unlink()
    # Killed, it left its locks behind: stale now, they are cleared and the export goes through.
    assert (site / ".git" / "index.lock").exists()
    publishing.reconcile(now=later(1))
    assert converged(site, remote), describe(site, remote)


def test_the_admin_shows_what_is_pending_and_failed_and_why(blog, client, tech, django_user_model):
    _, remote = blog
    reject_pushes(remote, 1)
    failing = publish(series=tech)
    publishing.reconcile()
    waiting = publish(series=tech)
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    page = client.get("/admin/digests/blogpost/").content.decode()
    assert "remote is read-only today" in page and "커밋됨, 아직 푸시 안 됨" in page and "대기 중" in page
    assert publishing.post_relpath(waiting) in page and publishing.post_relpath(failing) in page
    failed = client.get("/admin/digests/blogpost/?failing=yes").content.decode()
    assert publishing.post_relpath(failing) in failed and publishing.post_relpath(waiting) not in failed
    history = client.get("/admin/digests/exportrecord/").content.decode()
    assert "remote is read-only today" in history and "실패" in history


def test_export_jekyll_commit_flag(blog, tech):
    from django.core.management import CommandError, call_command

    site, remote = blog
    first, second = live_digest(series=tech), live_digest(series=tech)
    call_command("export_jekyll", str(site), "--commit", "--no-progress")
    assert commits(remote)[0].endswith("Export 2 post(s)")
    assert run(remote, "show", "--name-only", "--format=", "main").splitlines() == sorted(
        [publishing.post_relpath(first), publishing.post_relpath(second)]
    )
    call_command("export_jekyll", str(site), "--commit", "--no-progress")
    assert len(commits(remote)) == 2  # nothing changed, nothing committed

    plain = site.parent / "plain"
    plain.mkdir()
    with pytest.raises(CommandError, match="git 작업 사본이 아닙니다"):
        call_command("export_jekyll", str(plain), "--commit", "--no-progress")


def test_publishers_hear_of_a_new_export_once(tmp_path, settings, tech, publisher, mailoutbox,
                                               django_capture_on_commit_callbacks):
    settings.JEKYLL_SITE_DIR = str(tmp_path)
    settings.JEKYLL_GIT_REMOTE = ""
    digest = publish(series=tech)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.reconcile()
    assert [m.subject for m in mailoutbox] == [f"[발행] {digest.title}"]
    assert publisher.email in mailoutbox[0].to
    with django_capture_on_commit_callbacks(execute=True):
        tasks.export_digest(digest.pk)
    assert digest.exports.order_by("-id").first().status == Status.UNCHANGED
    assert len(mailoutbox) == 1


def test_a_failing_notification_never_undoes_an_export(tmp_path, settings, tech, monkeypatch, caplog,
                                                       django_capture_on_commit_callbacks):
    from digests import notifications

    def slack_down(digest):
        raise ConnectionError("Slack is down")

    settings.JEKYLL_SITE_DIR = str(tmp_path)
    settings.JEKYLL_GIT_REMOTE = ""
    monkeypatch.setattr(notifications, "published", slack_down)
    digest = publish(series=tech)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.reconcile()
    assert digest.exports.order_by("-id").first().status == Status.WRITTEN
    assert BlogPost.objects.get(digest=digest).state == State.SYNCED
    assert "Slack is down" in caplog.text


def test_a_publisher_can_export_again_from_the_admin(blog, client, tech, publisher, editor,
                                                    django_capture_on_commit_callbacks):
    _, remote = blog
    reject_pushes(remote, 1)
    digest = publish(series=tech)
    publishing.reconcile()
    row = BlogPost.objects.get(digest=digest)
    client.force_login(editor)
    page = client.get("/admin/digests/blogpost/")
    assert page.status_code == 200 and "export_now" not in page.content.decode()
    # A crafted POST of the action is refused on the server too.
    client.post("/admin/digests/blogpost/", {"action": "export_now", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.state == State.COMMITTED
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/digests/blogpost/", {"action": "export_now", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    record = digest.exports.get()
    assert (row.state, record.status, record.attempts) == (State.SYNCED, Status.PUSHED, 2)


def test_a_live_version_with_html_the_blog_would_run_is_never_written(blog, tech):
    site, remote = blog
    digest = live_digest(series=tech)
    digest.live_snapshot["items"][0]["summary"] = "요약 <img src=x onerror=alert(1)> 끝"
    digest.save(update_fields=["live_snapshot"])
    with pytest.raises(publishing.ExportError, match="항목 1의 요약에 HTML"):
        publishing.expect(digest)
    BlogPost.objects.create(digest=digest, path=publishing.post_relpath(digest))
    publishing.reconcile()
    assert "항목 1의 요약에 HTML" in BlogPost.objects.get(digest=digest).error
    assert not (site / "_posts").exists() or not any((site / "_posts").iterdir())
    assert len(commits(remote)) == 1


def test_the_reconcile_task_returns_what_it_did(blog, tech):
    digest = publish(series=tech)
    result = tasks.reconcile_blog.apply().get()
    assert result == {"exported": [[publishing.post_relpath(digest), "pushed"]], "failed": [], "pushed": True}


def commit_on_the_blog(remote, tmp_path, path, text, name="other"):
    """Someone commits to the blog directly (a theme change, a hand-edited post) from a clone of their own."""
    clone = tmp_path / name
    if not clone.exists():
        subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
    run(clone, "pull", "-q", "origin", "main")
    (clone / path).parent.mkdir(parents=True, exist_ok=True)
    (clone / path).write_text(text, encoding="utf-8")
    run(clone, "add", path)
    run(clone, "-c", "user.name=Blogger", "-c", "user.email=b@example.com", "commit", "-q", "-m", f"Edit {path}")
    run(clone, "push", "-q", "origin", "main")
    return run(clone, "rev-parse", "HEAD")


def test_commits_made_on_the_blog_are_merged_before_the_push(blog, tech, tmp_path):
    site, remote = blog
    theirs = commit_on_the_blog(remote, tmp_path, "about.md", "# About\n")
    digest = publish(series=tech)
    outcome = publishing.reconcile()
    assert outcome.failed == [] and outcome.pushed
    record = digest.exports.get()
    assert record.status == Status.PUSHED
    # Both histories are on the remote, and the commit we recorded is the one it holds.
    run(remote, "merge-base", "--is-ancestor", theirs, "main")
    run(remote, "merge-base", "--is-ancestor", record.commit, "main")
    assert run(remote, "show", "main:about.md") == "# About"
    assert converged(site, remote)


def test_a_conflicting_edit_on_the_blog_is_named_and_the_working_copy_left_as_it_was(blog, tech, tmp_path):
    site, remote = blog
    digest = publish(series=tech)
    publishing.reconcile()
    path = publishing.post_relpath(digest)
    commit_on_the_blog(remote, tmp_path, path, "hand edited on GitHub\n")
    # A correction of the same post: our commit and theirs change the same lines.
    NewsItem.objects.filter(digest=digest, position=0).update(title="고친 제목")
    Digest.objects.filter(pk=digest.pk).update(live_snapshot={**digest.live_snapshot, "title": "고친 제목"})
    digest.refresh_from_db()
    publishing.expect(digest)
    outcome = publishing.reconcile()
    assert len(outcome.failed) == 1 and path in outcome.failed[0][1] and "git pull origin main" in outcome.failed[0][1]
    row = BlogPost.objects.get(digest=digest)
    assert row.state == State.COMMITTED and path in row.error
    assert not (site / ".git" / "MERGE_HEAD").exists() and run(site, "status", "--porcelain") == ""
    assert "고친 제목" in (site / path).read_text(encoding="utf-8")
