"""Keeps the blog's git working copy (and its remote) holding exactly the live digests' posts.

Publishing and unpublishing write what the blog must hold (a BlogPost row) in their own transaction;
`reconcile` (a beat task, also queued after each change) makes the working copy match: writes,
removes, renames, commits and pushes, one pass at a time per working copy. Every failure is
recorded on the row and tried again with backoff, so a broker outage or a killed worker only delays.
"""
import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import os
import secrets
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from email.utils import parseaddr
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import jekyll, notifications, safety
from .models import BlogPost, Digest, ExportRecord, ReviewEvent
from .posts import snapshot_to_post

log = logging.getLogger(__name__)

GIT_TIMEOUT = 60
# How long a pass waits for another pass into the same working copy before leaving it to the next round.
LOCK_WAIT = 90
Status = ExportRecord.ExportStatus
State = BlogPost.State


class ExportError(Exception):
    """An export step that did not complete; recorded on the digest's BlogPost and tried again later."""


def post_relpath(digest: Digest) -> str:
    """`_posts/<date>-<slug>.md` of the digest's live version ('' when nothing is live)."""
    if digest.live_date is None:
        return ""
    return f"_posts/{jekyll.post_filename(digest.live_date, digest.live_slug)}"


def render_live(digest: Digest) -> bytes:
    """The published version as post bytes: never the working copy of a reopened digest."""
    if digest.live_snapshot is None:
        raise ExportError(_("Digest %(pk)s (%(digest)s) is not published: nothing to export. Publish it first.")
                          % {"pk": digest.pk, "digest": digest})
    post = snapshot_to_post(digest.live_snapshot)
    # The workflow refuses such text at submit and publish; this guards every other way in.
    problems = safety.post_problems(post)
    if problems:
        raise ExportError(_("Digest %(pk)s (%(digest)s) was not exported: %(problems)s. Reopen it and fix the text.")
                          % {"pk": digest.pk, "digest": digest, "problems": "; ".join(problems)})
    return jekyll.render(post).encode("utf-8")


def write_atomic(path, data: bytes) -> bool:
    """Write `data` to `path` through a renamed temporary file; False, file untouched, when the bytes are the same."""
    path = os.fspath(path)
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    if old is not None and old.st_size == len(data):
        with open(path, "rb") as handle:
            if handle.read() == data:
                return False
    folder, name = os.path.split(path)
    # Same folder, so the rename is atomic; a dot name, so Jekyll and our importer skip a leftover.
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # O_EXCL + 0o666: the umask decides the mode, as for any file the user writes (mkstemp would give 0600).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if old is not None:
            os.chmod(tmp, old.st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True


def site_dir() -> Path | None:
    return Path(settings.JEKYLL_SITE_DIR).expanduser() if settings.JEKYLL_SITE_DIR else None


# Git ------------------------------------------------------------------------------


def _author():
    name, email = parseaddr(settings.JEKYLL_GIT_AUTHOR)
    if not name or not email:
        raise ExportError(_("JEKYLL_GIT_AUTHOR=%(value)s is not 'Name <email>': fix the setting, e.g. "
                            "'Newsroom Bot <bot@example.com>'.") % {"value": repr(settings.JEKYLL_GIT_AUTHOR)})
    return name, email


def git(site: Path, *args, check=True) -> subprocess.CompletedProcess:
    """Run git in the site folder with a timeout, never prompting for credentials."""
    name, email = _author()
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        # The worker's machine may have no git identity; the commit is the newsroom's anyway.
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    try:
        proc = subprocess.run(
            ["git", "-C", str(site), *args], capture_output=True, text=True, timeout=GIT_TIMEOUT, env=env
        )
    except subprocess.TimeoutExpired as exc:
        raise ExportError(_("git %(command)s took longer than %(seconds)s s in %(site)s; the export is tried again "
                            "later. If it keeps happening, check the remote and the network from the worker's "
                            "machine.") % {"command": args[0], "seconds": GIT_TIMEOUT, "site": site}) from exc
    except FileNotFoundError as exc:
        raise ExportError(_("git is not installed on this machine: install it (apt-get install git).")) from exc
    if check and proc.returncode != 0:
        raise ExportError(_("git %(command)s failed in %(site)s: %(output)s")
                          % {"command": " ".join(args), "site": site, "output": (proc.stderr or proc.stdout).strip()})
    return proc


def is_work_tree(site: Path) -> bool:
    proc = git(site, "rev-parse", "--is-inside-work-tree", check=False)
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def commit_paths(site: Path, relpaths: list[str], message: str) -> str:
    """Commit only these paths (never someone else's staged work); '' when none of them changed."""
    if not relpaths:
        return ""
    present = [p for p in relpaths if (site / p).exists()]
    gone = [p for p in relpaths if p not in present]
    if present:
        git(site, "add", "--", *present)
    tracked = []
    if gone:
        # Only paths git knows can be named in the commit: a file never committed is simply not there.
        listed = git(site, "ls-files", "-z", "--with-tree=HEAD", "--", *gone, check=False).stdout
        tracked = sorted({p for p in listed.split("\0") if p})
        if tracked:
            git(site, "rm", "-q", "--cached", "--ignore-unmatch", "--", *tracked)
    paths = present + tracked
    if not paths or git(site, "diff", "--cached", "--quiet", "--", *paths, check=False).returncode == 0:
        return ""
    git(site, "commit", "-q", "-m", message, "--", *paths)
    return git(site, "rev-parse", "HEAD").stdout.strip()


def last_commit(site: Path, relpaths: list[str]) -> str:
    """The newest commit touching these paths ('' when none did)."""
    return git(site, "rev-list", "-1", "HEAD", "--", *relpaths, check=False).stdout.strip()


def commit_export(site: Path, paths: list, message: str) -> tuple[str, bool]:
    """For `export_jekyll --commit`: commit the written post files, push when a remote is set."""
    site = Path(site)
    with site_lock(site):
        if not is_work_tree(site):
            raise ExportError(_("%(site)s is not a git working copy: clone the blog there, or leave out --commit.")
                              % {"site": site})
        clear_stale_locks(site)
        relpaths = [str(Path(p).resolve().relative_to(site.resolve())) for p in paths]
        commit = commit_paths(site, relpaths, message)
        pushed = push(site) if settings.JEKYLL_GIT_REMOTE else False
    return commit, pushed


# What git says when a push is refused because the remote has commits the working copy lacks.
BEHIND = ("non-fast-forward", "fetch first", "[rejected]")


def push(site: Path) -> bool:
    """Push HEAD to the configured remote and branch; True when the remote moved.

    When the remote has commits the working copy lacks (someone committed to the blog directly), they
    are merged in first, so our commits keep the ids already recorded; when they change the same lines,
    the merge is undone and the error names the files.
    """
    remote = settings.JEKYLL_GIT_REMOTE
    branch = settings.JEKYLL_GIT_BRANCH or git(site, "symbolic-ref", "--short", "HEAD").stdout.strip()
    proc = git(site, "push", "--porcelain", remote, f"HEAD:refs/heads/{branch}", check=False)
    if proc.returncode != 0 and any(word in proc.stderr + proc.stdout for word in BEHIND):
        merge_remote(site, remote, branch)
        proc = git(site, "push", "--porcelain", remote, f"HEAD:refs/heads/{branch}", check=False)
    if proc.returncode != 0:
        raise ExportError(_("git push to %(remote)s %(branch)s failed: %(output)s")
                          % {"remote": remote, "branch": branch, "output": (proc.stderr or proc.stdout).strip()})
    # Porcelain lines are "<flag>\t<from>:<to>\t<summary>"; "=" means already up to date.
    return any(line[:1] not in ("=", "") and "\t" in line for line in proc.stdout.splitlines() if "refs/heads/" in line)


def merge_remote(site: Path, remote: str, branch: str):
    """Merge the remote branch's new commits into HEAD; on a conflict, leave the working copy as it was."""
    git(site, "fetch", "-q", remote, branch)
    proc = git(site, "merge", "--no-edit", "--autostash", "-m", f"Merge {remote}/{branch}: commits made on the blog",
               "FETCH_HEAD", check=False)
    if proc.returncode == 0:
        return
    conflicted = git(site, "diff", "--name-only", "--diff-filter=U", check=False).stdout.split()
    git(site, "merge", "--abort", check=False)
    raise ExportError(_(
        "The blog's remote %(remote)s/%(branch)s has commits this working copy lacks, and they change the same "
        "lines as ours in %(files)s: merge them by hand in %(site)s (git pull %(remote)s %(branch)s), then the "
        "export goes on by itself. git said: %(output)s") % {
        "remote": remote, "branch": branch, "files": ", ".join(conflicted) or _("some files"), "site": site,
        "output": (proc.stdout or proc.stderr).strip()})


@contextlib.contextmanager
def site_lock(site: Path, wait: float = LOCK_WAIT):
    """One export at a time per working copy, across worker processes; released by the kernel if the holder dies."""
    key = hashlib.sha1(str(site.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"newsroom-export-{key}.lock", "w") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ExportError(_("Another export into %(site)s has run for over %(seconds)d s; this one is "
                                        "left to the next round.") % {"site": site, "seconds": wait}) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _git_processes_in(site: Path) -> list[int] | None:
    """Pids of git processes whose working folder is inside `site`; None where /proc cannot tell."""
    if not os.path.isdir("/proc/self"):
        return None
    root = os.path.realpath(site)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as handle:
                if not handle.read().startswith("git"):
                    continue
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:  # gone meanwhile, a zombie, or another user's
            continue
        if cwd == root or cwd.startswith(root + os.sep):
            found.append(int(entry))
    return found


def clear_stale_locks(site: Path) -> list[str]:
    """Remove the lock files a dead git left (a worker killed mid-commit); call holding site_lock.

    Every git of ours runs under site_lock, so a lock file found then is a dead process's, unless a
    git someone else started is still working in the folder: then it stays and the export waits.
    """
    git_dir = Path(git(site, "rev-parse", "--absolute-git-dir").stdout.strip())
    locks = sorted([*git_dir.glob("*.lock"), *(git_dir / "refs").rglob("*.lock")])
    if not locks:
        return []
    running = _git_processes_in(site)
    if running is None:
        # No /proc: only a lock older than any git of ours may live is surely stale.
        running = [] if all(time.time() - p.stat().st_mtime > 2 * GIT_TIMEOUT for p in locks) else ["?"]
    if running:
        raise ExportError(_("git (pid %(pid)s) is working in %(site)s and holds %(lock)s; the export waits for "
                            "it to finish.") % {"pid": running[0], "site": site, "lock": locks[0].name})
    for lock in locks:
        lock.unlink(missing_ok=True)
        log.warning("removed %s, left in %s by a git process that died (a killed worker?)", lock.name, site)
    return [str(lock) for lock in locks]


# What the blog must hold --------------------------------------------------------------


def expect(digest: Digest, previous_path: str = "") -> BlogPost:
    """Record, inside the caller's transaction, what the blog must hold now for `digest`: its live post, or nothing.

    `previous_path` is the file of the version live until now (another date or slug), which the
    working copy may still hold and the next reconcile removes.
    """
    path, content_hash = "", ""
    if digest.live_snapshot is not None:
        path = post_relpath(digest)
        content_hash = hashlib.sha256(render_live(digest)).hexdigest()
    row = BlogPost.objects.filter(digest=digest).first()
    if row is None:
        row = BlogPost(digest=digest, revision=0)
    held = set(row.held_paths) | ({previous_path} if previous_path else set())
    now = timezone.now()
    row.path, row.content_hash, row.held_paths = path, content_hash, sorted(held - {path})
    row.revision += 1
    row.state, row.attempts, row.error, row.retry_at, row.changed_at = State.PENDING, 0, "", None, now
    row.save()
    return row


def retry_delay(attempts: int) -> dt.timedelta:
    """Backoff after the n-th failure in a row: base × 2^(n-1), capped."""
    base = settings.NEWSROOM_EXPORT_RETRY_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.NEWSROOM_EXPORT_RETRY_MAX_SECONDS))


# Reconcile ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one reconcile pass did (the task's result)."""

    exported: list = field(default_factory=list)  # [path, status] of the rows the pass finished
    failed: list = field(default_factory=list)  # [path, error]
    pushed: bool = False

    def as_dict(self):
        return asdict(self)


@dataclass
class _Step:
    """One row's changes in the working copy, before they are pushed and recorded."""

    row: BlogPost
    path: str
    content_hash: str
    written: bool = False
    removed: list = field(default_factory=list)  # files of the digest no longer in the working copy
    commit: str = ""  # made by this pass
    known_commit: str = ""  # the newest commit with the row's file, when this pass made none
    was_committed: bool = False  # an earlier pass committed it; its push is still owed

    @property
    def changed(self):
        return bool(self.written or self.commit or self.was_committed or (self.removed and not self.path))


def _due(now):
    return (BlogPost.objects.filter(state__in=[State.PENDING, State.COMMITTED])
            .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
            .select_related("digest__series").order_by("changed_at", "pk"))


def reconcile(now=None) -> Outcome:
    """Make the working copy and its remote hold what the database says, for every row that is due; idempotent."""
    now = now or timezone.now()
    outcome = Outcome()
    site = site_dir()
    if site is None:
        for row in _due(now):
            _skip(row)
        return outcome
    if not _due(now).exists():
        return outcome
    with site_lock(site):
        rows = list(_due(now))  # again: the pass that held the lock may have done them
        if not rows:
            return outcome
        try:
            repo = _prepare(site)
        except (ExportError, OSError) as exc:
            for row in rows:
                _fail(row, exc, now, outcome)
            return outcome
        remote = repo and bool(settings.JEKYLL_GIT_REMOTE)
        committed = []
        for row in rows:
            try:
                step = _apply(site, repo, row)
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:  # noqa: BLE001 - recorded on the row; one digest must not stop the others
                _fail(row, exc, now, outcome)
                continue
            if not remote:
                _finish(step, Status.WRITTEN if step.changed else Status.UNCHANGED, now, outcome)
            elif _mark_committed(step):
                committed.append(step)
        if committed:
            _push_and_finish(site, committed, now, outcome)
    return outcome


def _prepare(site: Path) -> bool:
    """Check the folder and clear stale git locks; True when it is a git working copy."""
    if not site.is_dir():
        raise ExportError(_("JEKYLL_SITE_DIR %(site)s is not a folder: clone the blog there or fix the setting.")
                          % {"site": site})
    repo = is_work_tree(site)
    if repo:
        clear_stale_locks(site)
    return repo


def _post_of(relpath: str) -> tuple[dt.date, str] | None:
    """(date, slug) of `_posts/<YYYY-MM-DD>-<slug>.md`."""
    name = Path(relpath).name
    try:
        return dt.date.fromisoformat(name[:10]), name[11:].removesuffix(".md")
    except ValueError:
        return None


def _taken_by_another(relpath: str, digest_id) -> bool:
    """Whether another live digest's post is now at `relpath` (it must stay)."""
    post = _post_of(relpath)
    return post is not None and Digest.objects.live().filter(live_date=post[0], live_slug=post[1]).exclude(
        pk=digest_id).exists()


def _message(path: str, removed: list[str]) -> str:
    def named(relpath):
        post = _post_of(relpath)
        return f"{post[0]:%Y-%m-%d} {post[1]}" if post else relpath

    if path and removed:
        return f"Publish {named(path)} (moved from {', '.join(named(p) for p in removed)})"
    if path:
        return f"Publish {named(path)}"
    return f"Unpublish {', '.join(named(p) for p in removed)}"


def _apply(site: Path, repo: bool, row: BlogPost) -> _Step:
    """Write the row's live post (or nothing), remove the files it left elsewhere, commit those paths."""
    digest = row.digest  # read with the row, in one query: the live version this revision asked for
    if digest.live_snapshot is not None:
        path, data = post_relpath(digest), render_live(digest)
    else:
        path, data = "", b""
    step = _Step(row, path, hashlib.sha256(data).hexdigest() if path else "",
                 was_committed=row.state == State.COMMITTED)
    stale = [p for p in row.held_paths if p != path and not _taken_by_another(p, digest.pk)]
    if path:
        (site / "_posts").mkdir(exist_ok=True)
        step.written = write_atomic(site / path, data)
    for relpath in stale:
        target = site / relpath
        if target.exists() or target.is_symlink():
            target.unlink()
    # Gone now, whether this pass or an earlier one (killed before it could say so) took them away.
    step.removed = stale
    if repo:
        step.commit = commit_paths(site, ([path] if path else []) + stale, _message(path, stale))
        if not step.commit and path:
            step.known_commit = last_commit(site, [path])
    return step


def _mark_committed(step: _Step) -> bool:
    """HEAD has the row's change: say so, unless it was published or unpublished again meanwhile."""
    row = step.row
    with transaction.atomic():
        current = BlogPost.objects.select_for_update().filter(pk=row.pk).first()
        if current is None:
            return False
        if current.revision != row.revision:
            # The newer intent stays pending; the file just written is one the working copy now holds.
            if step.path and step.path != current.path:
                current.held_paths = sorted(set(current.held_paths) | {step.path})
                current.save(update_fields=["held_paths"])
            return False
        current.state = State.COMMITTED
        current.commit = step.commit or step.known_commit or current.commit
        current.save(update_fields=["state", "commit"])
    step.row = current
    return True


def _push_and_finish(site: Path, committed: list[_Step], now, outcome: Outcome):
    """One push carries every commit of this pass (and those of earlier passes whose push failed)."""
    try:
        outcome.pushed = push(site)
    except ExportError as exc:
        for step in committed:
            _fail(step.row, exc, now, outcome, commit=step.commit or step.row.commit)
        return
    for step in committed:
        status = (Status.PUSHED if step.path else Status.REMOVED) if step.changed else Status.UNCHANGED
        _finish(step, status, now, outcome)
    # Rows committed by an earlier pass and waiting for their retry went out with this push too.
    for row in BlogPost.objects.filter(state=State.COMMITTED).select_related("digest__series"):
        step = _Step(row, row.path, row.content_hash, removed=[p for p in row.held_paths if p != row.path],
                     was_committed=True)
        _finish(step, Status.PUSHED if row.path else Status.REMOVED, now, outcome)


def _finish(step: _Step, status, now, outcome: Outcome):
    """The blog holds the row's intent: record it, notify on a new post, drop the row once nothing is left."""
    row = step.row
    if not step.path and status == Status.WRITTEN:
        status = Status.REMOVED
    record_path = step.path or (step.removed[0] if step.removed else "")
    with transaction.atomic():
        current = BlogPost.objects.select_for_update().filter(pk=row.pk).first()
        if current is None:
            return
        if current.revision != row.revision:
            if step.path and step.path != current.path:
                current.held_paths = sorted(set(current.held_paths) | {step.path})
                current.save(update_fields=["held_paths"])
            return
        if step.path or status != Status.UNCHANGED:
            commit = step.commit if status == Status.UNCHANGED else (step.commit or current.commit)
            _record(current.digest, path=record_path, status=status, content_hash=step.content_hash, commit=commit)
        if not step.path:
            current.delete()  # nothing of the digest is left on the blog
        else:
            current.state, current.held_paths, current.synced_at = State.SYNCED, [], now
            current.attempts, current.error, current.retry_at = 0, "", None
            current.save()
    outcome.exported.append([record_path, status])
    if step.path and status in (Status.PUSHED, Status.WRITTEN):
        notifications.after_commit(notifications.published, current.digest)


def failure_message(exc: Exception) -> str:
    """What a publisher reads in the admin about a failed step, built now, in the worker's language (Korean)."""
    if isinstance(exc, ExportError):
        return str(exc)
    if isinstance(exc, OSError) and exc.filename:
        # The OS's own words (strerror) stay as it said them; the file is named by its folder, as a
        # temporary file's name means nothing to the reader.
        return _("%(folder)s cannot be written (%(type)s: %(reason)s): let the worker's user write there, or "
                 "fix the folder; the export is tried again by itself.") % {
            "folder": os.path.dirname(os.fspath(exc.filename)) or exc.filename, "type": type(exc).__name__,
            "reason": exc.strerror or exc}
    return _("Unexpected error %(type)s: %(error)s. The export is tried again by itself; if it keeps failing, "
             "report it to a developer.") % {"type": type(exc).__name__, "error": exc}


def _fail(row: BlogPost, exc: Exception, now, outcome: Outcome, commit=""):
    """Record the failure on the row (and once per streak in the digest's timeline); try again after a backoff."""
    message = failure_message(exc)
    attempts = row.attempts + 1
    with transaction.atomic():
        if not BlogPost.objects.filter(pk=row.pk, revision=row.revision).update(
                attempts=attempts, error=message, retry_at=now + retry_delay(attempts)):
            return  # published or unpublished again meanwhile: the new intent is tried afresh
        path = row.path or (row.held_paths[0] if row.held_paths else "")
        _record(row.digest, path=path, status=Status.FAILED, content_hash=row.content_hash, commit=commit,
                error=message if row.path else _("removal: %(error)s") % {"error": message}, event=attempts == 1)
    outcome.failed.append([row.path or path, message])
    log.warning("export of digest %s failed (attempt %d, next in %s): %s", row.digest_id, attempts,
                retry_delay(attempts), message, extra={"digest": row.digest_id})


def _skip(row: BlogPost):
    """No blog is configured: the digest is on the reader site only."""
    with transaction.atomic():
        if not BlogPost.objects.filter(pk=row.pk, revision=row.revision).exists():
            return
        if not row.path:
            row.delete()
            return
        _record(row.digest, path=row.path, status=Status.SKIPPED, content_hash=row.content_hash,
                error=_("JEKYLL_SITE_DIR is not set: the digest is on the reader site only. Set it to the blog's "
                        "working copy to export it."))
        BlogPost.objects.filter(pk=row.pk).update(state=State.SKIPPED, retry_at=None)
    notifications.after_commit(notifications.published, row.digest)


# Records --------------------------------------------------------------------------


def _record(digest, *, path, status, content_hash="", commit="", error="", event=True):
    """Write the ExportRecord and its audit row; a retry of a failed attempt updates that record."""
    with transaction.atomic():
        last = digest.exports.order_by("-created_at", "-id").first()
        if last is not None and last.status == Status.FAILED and last.path == path and last.content_hash == content_hash:
            record = last
            record.attempts += 1
            record.status, record.error = status, error
            record.commit = commit or record.commit
            record.save(update_fields=["attempts", "status", "error", "commit"])
        else:
            record = ExportRecord.objects.create(
                digest=digest, path=path, status=status, content_hash=content_hash, commit=commit, error=error
            )
        if status != Status.UNCHANGED and (event or status != Status.FAILED):
            ReviewEvent.objects.create(
                digest=digest,
                action=ReviewEvent.Action.EXPORT,
                comment=error,
                data={"path": path, "status": status, "commit": record.commit, "attempts": record.attempts},
            )
    return record
