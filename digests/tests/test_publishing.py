"""Publishing: the live version goes into _posts/, one git commit per change, pushed, failures retried and recorded."""
import subprocess

import pytest

from digests import jekyll, publishing, tasks
from digests.models import ExportRecord, NewsItem, ReviewEvent
from digests.posts import snapshot_to_post
from digests.tests.live import live_digest

pytestmark = pytest.mark.django_db
Status = ExportRecord.ExportStatus


def run(cwd, *args):
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def blog(tmp_path, settings):
    """A blog working copy whose origin is a local bare repository, one commit in."""
    remote = tmp_path / "remote.git"
    site = tmp_path / "site"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(site)], check=True)
    (site / "_config.yml").write_text("title: blog\n")
    run(site, "add", "_config.yml")
    run(site, "-c", "user.name=Blogger", "-c", "user.email=b@example.com", "commit", "-q", "-m", "init")
    run(site, "remote", "add", "origin", str(remote))
    run(site, "push", "-q", "origin", "main")
    settings.JEKYLL_SITE_DIR = str(site)
    settings.JEKYLL_GIT_REMOTE = "origin"
    settings.JEKYLL_GIT_BRANCH = "main"
    settings.JEKYLL_GIT_AUTHOR = "Newsroom Bot <bot@newsroom.example>"
    return site, remote


def commits(repo, ref="main"):
    return run(repo, "log", "--format=%H %an <%ae> %s", ref).splitlines()


def test_publish_commits_the_live_version_once_and_pushes(blog, tech):
    site, remote = blog
    digest = live_digest(series=tech)
    record = publishing.export_digest(digest)

    path = site / "_posts" / f"{digest.date:%Y-%m-%d}-daily-it-news.md"
    expected = jekyll.render(snapshot_to_post(digest.live_snapshot))
    assert path.read_text(encoding="utf-8") == expected
    assert (record.status, record.path, record.attempts) == (Status.PUSHED, f"_posts/{path.name}", 1)
    assert len(record.content_hash) == 64
    log = commits(remote)
    assert len(log) == 2
    assert log[0] == f"{record.commit} Newsroom Bot <bot@newsroom.example> Publish {digest.date:%Y-%m-%d} daily-it-news"
    assert run(remote, "show", "--name-only", "--format=", "main") == f"_posts/{path.name}"
    assert ReviewEvent.objects.filter(digest=digest, action="export").get().data["status"] == "pushed"

    again = publishing.export_digest(digest)
    assert again.status == Status.UNCHANGED and again.commit == ""
    assert len(commits(remote)) == 2 and len(commits(site)) == 2


def test_export_uses_the_published_version_not_later_edits(blog, tech):
    site, _ = blog
    digest = live_digest(series=tech)
    NewsItem.objects.filter(digest=digest).update(title="UNAPPROVED EDIT")
    publishing.export_digest(digest)
    text = (site / "_posts" / f"{digest.date:%Y-%m-%d}-daily-it-news.md").read_text(encoding="utf-8")
    assert "UNAPPROVED EDIT" not in text
    assert digest.live_snapshot["items"][0]["title"] in text


def test_a_correction_is_a_second_commit(blog, tech):
    site, remote = blog
    digest = live_digest(series=tech)
    publishing.export_digest(digest)
    digest.live_snapshot["items"][0]["summary"] = "정정된 요약입니다."
    digest.save(update_fields=["live_snapshot"])
    record = publishing.export_digest(digest)
    assert record.status == Status.PUSHED
    assert len(commits(remote)) == 3
    assert "정정된 요약입니다." in run(remote, "show", f"main:{record.path}")


def test_someone_elses_staged_work_stays_out_of_the_commit(blog, tech):
    site, _ = blog
    (site / "about.md").write_text("draft page\n")
    run(site, "add", "about.md")
    record = publishing.export_digest(live_digest(series=tech))
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


def test_a_failed_push_is_recorded_and_retryable(blog, tech):
    site, remote = blog
    reject_pushes(remote, 1)
    digest = live_digest(series=tech)
    with pytest.raises(publishing.ExportError) as info:
        publishing.export_digest(digest)
    assert info.value.retryable
    record = digest.exports.get()
    assert record.status == Status.FAILED and "remote is read-only today" in record.error and record.commit
    assert len(commits(site)) == 2 and len(commits(remote)) == 1

    retried = publishing.export_digest(digest)
    assert retried.pk == record.pk
    assert (retried.status, retried.attempts, retried.error) == (Status.PUSHED, 2, "")
    assert commits(remote) == commits(site)
    assert len(commits(remote)) == 2


def test_the_celery_task_retries_a_failed_push(blog, tech, monkeypatch):
    _, remote = blog
    reject_pushes(remote, 2)
    digest = live_digest(series=tech)
    # Eagerly, Celery re-applies a retried task at once, but only when errors do not propagate.
    monkeypatch.setattr(tasks.export_digest.app.conf, "task_eager_propagates", False)
    result = tasks.export_digest.apply(args=[digest.pk])
    assert result.successful(), result.traceback
    record = digest.exports.get()
    assert (record.status, record.attempts) == (Status.PUSHED, 3)
    assert len(commits(remote)) == 2


def test_unpublish_removes_the_post_and_commits(blog, tech):
    site, remote = blog
    digest = live_digest(series=tech)
    published = publishing.export_digest(digest)
    digest.live_snapshot = None
    digest.save(update_fields=["live_snapshot"])
    record = publishing.remove_export(digest)
    assert record.status == Status.REMOVED and record.commit != published.commit
    assert not (site / published.path).exists()
    assert commits(remote)[0].endswith(f"Unpublish {digest.date:%Y-%m-%d} daily-it-news")
    assert run(remote, "ls-tree", "-r", "--name-only", "main") == "_config.yml"
    assert publishing.remove_export(digest) is None


def test_removal_is_skipped_when_the_digest_is_live_again(blog, tech):
    site, _ = blog
    digest = live_digest(series=tech)
    record = publishing.export_digest(digest)
    assert publishing.remove_export(digest) is None
    assert (site / record.path).exists()


def test_without_a_site_dir_the_export_is_skipped_and_recorded(settings, tech):
    settings.JEKYLL_SITE_DIR = ""
    record = publishing.export_digest(live_digest(series=tech))
    assert record.status == Status.SKIPPED and "JEKYLL_SITE_DIR" in record.error


def test_a_plain_folder_gets_the_file_without_git(tmp_path, settings, tech):
    settings.JEKYLL_SITE_DIR = str(tmp_path)
    settings.JEKYLL_GIT_REMOTE = ""
    digest = live_digest(series=tech)
    assert publishing.export_digest(digest).status == Status.WRITTEN
    assert publishing.export_digest(digest).status == Status.UNCHANGED
    assert (tmp_path / "_posts" / f"{digest.date:%Y-%m-%d}-daily-it-news.md").exists()


def test_errors_name_what_is_wrong(tmp_path, settings, tech):
    digest = live_digest(series=tech)
    settings.JEKYLL_SITE_DIR = str(tmp_path / "missing")
    with pytest.raises(publishing.ExportError, match="is not a folder"):
        publishing.export_digest(digest)
    digest.live_snapshot = None
    with pytest.raises(publishing.ExportError, match="is not published") as info:
        publishing.export_digest(digest)
    assert not info.value.retryable


def test_a_bad_author_setting_is_named(blog, settings, tech):
    settings.JEKYLL_GIT_AUTHOR = "nobody"
    with pytest.raises(publishing.ExportError, match="JEKYLL_GIT_AUTHOR"):
        publishing.export_digest(live_digest(series=tech))
    assert ExportRecord.objects.get().status == Status.FAILED


def test_the_admin_lists_exports_with_their_errors(blog, client, tech, django_user_model):
    _, remote = blog
    reject_pushes(remote, 1)
    digest = live_digest(series=tech)
    with pytest.raises(publishing.ExportError):
        publishing.export_digest(digest)
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    page = client.get("/admin/digests/exportrecord/")
    assert page.status_code == 200
    assert "remote is read-only today" in page.content.decode()
    assert "실패" in page.content.decode()


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
    with pytest.raises(CommandError, match="not a git working copy"):
        call_command("export_jekyll", str(plain), "--commit", "--no-progress")


def test_publishers_hear_of_a_new_export_once(tmp_path, settings, tech, publisher, mailoutbox,
                                               django_capture_on_commit_callbacks):
    settings.JEKYLL_SITE_DIR = str(tmp_path)
    settings.JEKYLL_GIT_REMOTE = ""
    digest = live_digest(series=tech)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.export_digest(digest)
    assert [m.subject for m in mailoutbox] == [f"[발행] {digest.title}"]
    assert publisher.email in mailoutbox[0].to
    with django_capture_on_commit_callbacks(execute=True):
        assert publishing.export_digest(digest).status == Status.UNCHANGED
    assert len(mailoutbox) == 1


def test_a_publisher_can_export_again_from_the_admin(blog, client, tech, publisher, editor):
    _, remote = blog
    reject_pushes(remote, 1)
    digest = live_digest(series=tech)
    with pytest.raises(publishing.ExportError):
        publishing.export_digest(digest)
    record = digest.exports.get()
    client.force_login(editor)
    page = client.get("/admin/digests/exportrecord/")
    assert page.status_code == 200 and "export_again" not in page.content.decode()
    client.force_login(publisher)
    response = client.post("/admin/digests/exportrecord/", {"action": "export_again", "_selected_action": [record.pk]})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.attempts) == (Status.PUSHED, 2)


def test_a_live_version_with_html_the_blog_would_run_is_never_written(blog, tech):
    site, remote = blog
    digest = live_digest(series=tech)
    digest.live_snapshot["items"][0]["summary"] = "요약 <img src=x onerror=alert(1)> 끝"
    digest.save(update_fields=["live_snapshot"])
    with pytest.raises(publishing.ExportError, match="항목 1의 요약에 HTML") as failure:
        publishing.export_digest(digest)
    assert failure.value.retryable is False
    assert not (site / "_posts").exists() or not any((site / "_posts").iterdir())
    assert len(commits(remote)) == 1
