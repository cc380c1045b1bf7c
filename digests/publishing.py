"""Exports live digests into the Jekyll blog's working copy: atomic write, one git commit, push."""
import contextlib
import fcntl
import hashlib
import logging
import os
import secrets
import subprocess
import tempfile
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import jekyll, safety
from .models import Digest, ExportRecord, ReviewEvent
from .posts import snapshot_to_post

log = logging.getLogger(__name__)

GIT_TIMEOUT = 60
Status = ExportRecord.ExportStatus


class ExportError(Exception):
    """An export that did not complete; `retryable` says whether trying again may help."""

    def __init__(self, message, retryable=False):
        super().__init__(message)
        self.retryable = retryable


def post_relpath(digest: Digest) -> str:
    return f"_posts/{jekyll.post_filename(digest.date, digest.slug)}"


def render_live(digest: Digest) -> bytes:
    """The published version as post bytes: never the working copy of a reopened digest."""
    if digest.live_snapshot is None:
        raise ExportError(f"Digest {digest.pk} ({digest}) is not published: nothing to export.")
    post = snapshot_to_post(digest.live_snapshot)
    # The workflow refuses such text at submit and publish; this guards every other way in.
    problems = safety.post_problems(post)
    if problems:
        raise ExportError(f"Digest {digest.pk} ({digest}) was not exported: " + "; ".join(problems) + ".")
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
        raise ExportError(
            f"JEKYLL_GIT_AUTHOR={settings.JEKYLL_GIT_AUTHOR!r} is not 'Name <email>'; fix the setting."
        )
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
        raise ExportError(f"git {args[0]} took longer than {GIT_TIMEOUT}s in {site}", retryable=True) from exc
    except FileNotFoundError as exc:
        raise ExportError("git is not installed on this machine: install it (apt-get install git)") from exc
    if check and proc.returncode != 0:
        raise ExportError(f"git {' '.join(args)} failed in {site}: {(proc.stderr or proc.stdout).strip()}")
    return proc


def is_work_tree(site: Path) -> bool:
    proc = git(site, "rev-parse", "--is-inside-work-tree", check=False)
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def commit_path(site: Path, relpath: str, message: str) -> str:
    return commit_paths(site, [relpath], message)


def commit_paths(site: Path, relpaths: list[str], message: str) -> str:
    """Commit only these paths (never someone else's staged work); '' when none of them changed."""
    if not relpaths:
        return ""
    present = [p for p in relpaths if (site / p).exists()]
    gone = [p for p in relpaths if p not in present]
    if present:
        git(site, "add", "--", *present)
    if gone:
        git(site, "rm", "-q", "--cached", "--ignore-unmatch", "--", *gone)
    if git(site, "diff", "--cached", "--quiet", "--", *relpaths, check=False).returncode == 0:
        return ""
    git(site, "commit", "-q", "-m", message, "--", *relpaths)
    return git(site, "rev-parse", "HEAD").stdout.strip()


def commit_export(site: Path, paths: list, message: str) -> tuple[str, bool]:
    """For `export_jekyll --commit`: commit the written post files, push when a remote is set."""
    site = Path(site)
    with site_lock(site):
        if not is_work_tree(site):
            raise ExportError(f"{site} is not a git working copy: clone the blog there, or leave out --commit.")
        relpaths = [str(Path(p).resolve().relative_to(site.resolve())) for p in paths]
        commit = commit_paths(site, relpaths, message)
        pushed = push(site) if settings.JEKYLL_GIT_REMOTE else False
    return commit, pushed


def push(site: Path) -> bool:
    """Push HEAD to the configured remote and branch; True when the remote moved."""
    branch = settings.JEKYLL_GIT_BRANCH or git(site, "symbolic-ref", "--short", "HEAD").stdout.strip()
    proc = git(site, "push", "--porcelain", settings.JEKYLL_GIT_REMOTE, f"HEAD:refs/heads/{branch}", check=False)
    if proc.returncode != 0:
        raise ExportError(
            f"git push to {settings.JEKYLL_GIT_REMOTE} {branch} failed: {(proc.stderr or proc.stdout).strip()}",
            retryable=True,
        )
    # Porcelain lines are "<flag>\t<from>:<to>\t<summary>"; "=" means already up to date.
    return any(line[:1] not in ("=", "") and "\t" in line for line in proc.stdout.splitlines() if "refs/heads/" in line)


@contextlib.contextmanager
def site_lock(site: Path):
    """One export at a time per working copy, across worker processes (git's index is not shared-safe)."""
    key = hashlib.sha1(str(site.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"newsroom-export-{key}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Records --------------------------------------------------------------------------


def _record(digest, *, path, status, content_hash="", commit="", error=""):
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
        if status != Status.UNCHANGED:
            ReviewEvent.objects.create(
                digest=digest,
                action=ReviewEvent.Action.EXPORT,
                comment=error,
                data={"path": path, "status": status, "commit": record.commit, "attempts": record.attempts},
            )
    return record


def _notify_published(digest):
    try:
        from .notifications import published
    except ImportError:
        log.warning("digests.notifications.published is not available; no publish notification sent")
        return
    try:
        published(digest)
    except Exception:  # a failed Slack call must not undo or retry an export that worked
        log.exception("publish notification for digest %s failed", digest.pk)


# Services -------------------------------------------------------------------------


def _commit_and_push(site: Path, relpath: str, message: str):
    """Commit the one path (in a git working copy) and push: (commit, pushed, failure), the failure returned to record."""
    commit, pushed = "", False
    try:
        if is_work_tree(site):
            commit = commit_path(site, relpath, message)
            # Pushed even without a new commit: a retry must deliver the commit a failed push left.
            if settings.JEKYLL_GIT_REMOTE:
                pushed = push(site)
    except ExportError as exc:
        return commit, pushed, exc
    return commit, pushed, None


def export_digest(digest: Digest) -> ExportRecord:
    """Write the digest's published version into _posts/, commit it and push; see ExportRecord."""
    data = render_live(digest)
    content_hash = hashlib.sha256(data).hexdigest()
    relpath = post_relpath(digest)
    site = site_dir()
    if site is None:
        record = _record(
            digest, path=relpath, status=Status.SKIPPED, content_hash=content_hash,
            error="JEKYLL_SITE_DIR is not set: the digest is on the reader site only.",
        )
        transaction.on_commit(lambda: _notify_published(digest))
        return record
    if not site.is_dir():
        raise ExportError(f"JEKYLL_SITE_DIR {site} is not a folder: clone the blog there or fix the setting.")

    with site_lock(site):
        (site / "_posts").mkdir(exist_ok=True)
        written = write_atomic(site / relpath, data)
        commit, pushed, failure = _commit_and_push(site, relpath, f"Publish {digest.date:%Y-%m-%d} {digest.slug}")
    if failure is not None:
        _record(digest, path=relpath, status=Status.FAILED, content_hash=content_hash, commit=commit, error=str(failure))
        log.warning("export of digest %s failed (retryable=%s): %s", digest.pk, failure.retryable, failure)
        raise failure
    if pushed:
        status = Status.PUSHED
    elif written or commit:
        status = Status.WRITTEN
    else:
        status = Status.UNCHANGED
    record = _record(digest, path=relpath, status=status, content_hash=content_hash, commit=commit)
    log.info("exported digest %s to %s: %s %s", digest.pk, relpath, status, commit)
    if status != Status.UNCHANGED:
        transaction.on_commit(lambda: _notify_published(digest))
    return record


def remove_export(digest: Digest) -> ExportRecord | None:
    """Take an unpublished digest's post out of the blog (commit and push); None when there is nothing to remove."""
    digest.refresh_from_db(fields=["live_snapshot"])
    if digest.live_snapshot is not None:
        # Published again before this task ran: the post must stay.
        log.info("digest %s is live again; its post is kept", digest.pk)
        return None
    site = site_dir()
    relpath = post_relpath(digest)
    if site is None or not site.is_dir():
        return None
    with site_lock(site):
        path = site / relpath
        existed = path.exists()
        path.unlink(missing_ok=True)
        commit, pushed, failure = _commit_and_push(site, relpath, f"Unpublish {digest.date:%Y-%m-%d} {digest.slug}")
    if failure is not None:
        _record(digest, path=relpath, status=Status.FAILED, commit=commit, error=f"removal: {failure}")
        raise failure
    if not (existed or commit or pushed):
        return None
    return _record(digest, path=relpath, status=Status.REMOVED, commit=commit)
