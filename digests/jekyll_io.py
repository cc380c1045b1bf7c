"""Import Jekyll post files into digests and export digests as post files, each file atomic on its own."""
import contextlib
import datetime as dt
import functools
import gc
import json
import logging
import multiprocessing
import os
import re
import secrets
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from . import jekyll, readers
from .models import Digest, Insight, NewsItem, ReviewEvent, Series, Status
from .posts import post_date, post_to_snapshot

log = logging.getLogger(__name__)

POST_SUFFIXES = (".md", ".markdown")
# Digests per round of export queries: 4 queries per chunk, and the insights
# prefetch sends chunk × 5 item ids, well under SQLite's variable limit.
EXPORT_CHUNK = 1000
# Export: posts handed to the writer at a time, batches it may be behind, and the export size from which a
# worker process writes the files (below it, forking would cost more than it saves).
WRITE_BATCH = 100
WRITE_AHEAD = 8
PARALLEL_WRITE_MIN = 1000
# Files per commit on import; each file is still atomic on its own (a savepoint).
IMPORT_BATCH = 200
# Import a batch's new digests with a few bulk statements (False: every file on its own, for tests).
FAST_IMPORT = True
# Imports of at least this many files are parsed by worker processes (at most PARSE_WORKERS, and one
# core is left to this process), PARSE_CHUNK files per task.
PARALLEL_PARSE_MIN = 2 * IMPORT_BATCH
PARSE_WORKERS = 4
PARSE_CHUNK = 50
_FILE_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(.+)\.(?:md|markdown)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Large JSON columns the export never reads: decoding them would cost more than rendering the post.
_UNREAD_BY_EXPORT = ("live_snapshot", "generated_snapshot", "provenance")

Progress = Callable[[int, int], None]


@dataclass
class Problem:
    """Something about one file (or digest): `path:line: message`, the line omitted when unknown."""

    path: str
    line: int | None
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def imported(self):
        return len(self.created) + len(self.updated)

    def merge(self, other):
        for name in ("created", "updated", "failed", "warnings"):
            getattr(self, name).extend(getattr(other, name))

    def summary(self):
        return (f"Imported {self.imported} (created {len(self.created)}, updated {len(self.updated)}), "
                f"failed {len(self.failed)}")


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)

    def summary(self):
        text = f"Wrote {len(self.written)}, unchanged {len(self.unchanged)}"
        return text + (f", failed {len(self.failed)}" if self.failed else "")


@dataclass(eq=False)
class _Prepared:
    """A parsed file, checked and ready to store: what _Importer._prepare found."""

    post: jekyll.Post
    name: str
    warnings: list
    extra: dict
    file_tags: list | None
    series: Series
    date: dt.date
    slug: str
    path: Path | None = None
    shown: str = ""
    # The digest this file updates, as the batch read it under lock: (pk, status, version, provenance).
    existing: tuple | None = None


class _Slow(Exception):
    """A file the batch's bulk path leaves to import_file (e.g. one that makes a new series)."""


class ImportRefused(Exception):
    """A post that parsed but cannot be stored; nothing of it is kept."""

    def __init__(self, reason, line=None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


@contextlib.contextmanager
def _existing_objects_frozen():
    """Keep the garbage collector off the objects that exist before a bulk import or export.

    Otherwise each full collection that the run's own objects trigger walks Django's ~90,000
    long-lived objects again (about a tenth of an import's CPU time). Frozen, they are also
    shared copy-on-write with the forked parse or write worker, gc.freeze's documented use.
    Left alone when something else (a preforking server) froze objects already.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# Writing files -------------------------------------------------------------------


def write_atomic(path, data: bytes) -> bool:
    """Write `data` to `path` through a renamed temporary file; False, file untouched, when the bytes are the same."""
    # os.* on strings rather than pathlib: an export calls this for every post.
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
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        if old is not None:
            os.chmod(tmp, old.st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True


# Export --------------------------------------------------------------------------


def export_digests(queryset, site_dir, progress: Progress | None = None) -> ExportReport:
    """Write each digest of `queryset` to SITE_DIR/_posts/<date>-<slug>.md; four queries per thousand digests.

    Past PARALLEL_WRITE_MIN posts a worker process writes the files while this one reads and renders
    the next: both halves take about the same time, and the writing is mostly system calls.
    """
    posts_dir = Path(site_dir) / "_posts"
    posts_dir.mkdir(parents=True, exist_ok=True)
    folder = str(posts_dir)
    writer = _Writer(ExportReport(), progress, queryset.count() if progress else 0)
    with _existing_objects_frozen(), writer:
        for digest, post in _posts_of(queryset):
            path = os.path.join(folder, jekyll.post_filename(digest.date, digest.slug))
            try:
                data = jekyll.render(post).encode("utf-8")
            except ValueError as exc:
                data = exc
            writer.put(path, data, f"digest {digest.pk} ({digest})")
    return writer.report


def _write_files(batch):
    """write_atomic for each (path, bytes or the ValueError that stopped rendering them, digest label):
    (path, "written" | "unchanged" | "failed", message) each."""
    results = []
    for path, data, label in batch:
        try:
            if isinstance(data, ValueError):
                raise data
            results.append((path, "written" if write_atomic(path, data) else "unchanged", ""))
        except OSError as exc:  # the path is the Problem's: the temporary file's name would only confuse
            results.append((path, "failed", f"{label} not written: {exc.strerror or exc}"))
        except ValueError as exc:
            results.append((path, "failed", f"{label} not written: {exc}"))
    return results


class _Writer:
    """Writes rendered posts in order: in this process, or once PARALLEL_WRITE_MIN posts came, in a worker
    process (where none can start, e.g. in a daemonic Celery worker, here). Fills the report, calls progress."""

    def __init__(self, report: ExportReport, progress: Progress | None, total: int):
        self.report, self.progress, self.total = report, progress, total
        self.done = self.sent = 0
        self.pending = []
        self.executor = None
        self.parallel = True  # False once a worker process failed to start or broke
        self.futures = deque()  # (batch, future), oldest first

    def __enter__(self):
        return self

    def put(self, path, data, label):
        self.pending.append((path, data, label))
        if len(self.pending) >= WRITE_BATCH:
            self._flush()

    def _flush(self):
        batch, self.pending = self.pending, []
        self.sent += len(batch)
        if self.parallel and self.sent >= PARALLEL_WRITE_MIN:
            try:
                if self.executor is None:
                    self.executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
                # The process starts here: a daemonic process (a Celery worker's) may not have children.
                self.futures.append((batch, self.executor.submit(_write_files, batch)))
            except Exception:  # noqa: BLE001 - writing here is always possible
                log.warning("export: no writer process; writing here", exc_info=True)
                self.parallel = False
                while self.futures:
                    self._collect()
                self._stop()
            else:
                while len(self.futures) > WRITE_AHEAD:
                    self._collect()
                return
        self._record(_write_files(batch))

    def _collect(self):
        batch, future = self.futures.popleft()
        try:
            results = future.result()
        except Exception:  # noqa: BLE001 - a broken worker: its batches are written here, in order
            log.warning("export: the writer process failed; writing here", exc_info=True)
            rest = [batch] + [queued for queued, _ in self.futures]
            self.futures.clear()
            self.parallel = False
            self._stop()
            # Files it wrote before failing come out "unchanged": their bytes are already there.
            for queued in rest:
                self._record(_write_files(queued))
            return
        self._record(results)

    def _record(self, results):
        report = self.report
        for path, outcome, message in results:
            if outcome == "failed":
                report.failed.append(Problem(path, None, message))
            else:
                (report.written if outcome == "written" else report.unchanged).append(path)
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total)

    def _stop(self):
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                if self.pending:
                    self._flush()
                while self.futures:
                    self._collect()
        finally:
            self._stop()
        return False


def stored_post(digest, items, tag_names) -> jekyll.Post:
    """posts.digest_to_post from plain values: the digest (with its series), its jekyll.Items in order, its tag names.

    Export and import build thousands of posts; model instances for every item and insight
    cost more than rendering them. test_jekyll_io checks that both give the same Post.
    """
    return _post(digest.series, digest.title, post_date(digest), digest.footer, items, tag_names)


def _post(series, title, date, footer, items, tag_names) -> jekyll.Post:
    return jekyll.Post(
        title=title,
        date=date,
        categories=series.jekyll_category,
        layout=series.layout,
        items=items,
        footer=footer or None,
        extra={"tags": sorted(tag_names)} if tag_names else {},
    )


def _posts_of(queryset):
    """(digest, Post) per digest, in the queryset's order; per chunk one query for digests, items, insights, tags."""
    digests = queryset.select_related("series").defer(*_UNREAD_BY_EXPORT).iterator(chunk_size=EXPORT_CHUNK)
    tagged = _tagged_items()
    while chunk := list(islice(digests, EXPORT_CHUNK)):
        ids = [digest.pk for digest in chunk]
        items, by_pk, tags = defaultdict(list), {}, defaultdict(list)
        rows = (NewsItem.objects.filter(digest_id__in=ids).order_by("digest_id", "position", "id")
                .values_list("pk", "digest_id", "title", "summary", "source_url"))
        for pk, digest_id, title, summary, source_url in rows:
            by_pk[pk] = jekyll.Item(title=title, summary=summary, insights=[], source_url=source_url)
            items[digest_id].append(by_pk[pk])
        rows = (Insight.objects.filter(news_item__digest_id__in=ids).order_by("news_item_id", "position", "id")
                .values_list("news_item_id", "label", "text"))
        for item_id, label, text in rows:
            by_pk[item_id].insights.append(jekyll.Insight(label=label, text=text))
        for object_id, name in tagged.filter(object_id__in=ids).values_list("object_id", "tag__name"):
            tags[object_id].append(name)
        for digest in chunk:
            yield digest, stored_post(digest, items[digest.pk], tags[digest.pk])


# Import --------------------------------------------------------------------------


def collect_post_files(paths: Iterable) -> tuple[list[Path], list[Problem]]:
    """Post files named, or found in the folders named (a site folder: its _posts); and what could not be used."""
    files, problems, seen = [], [], set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            root = path / "_posts" if (path / "_posts").is_dir() else path
            names, links = _post_names(str(root))
            if not names:
                problems.append(Problem(str(path), None, "no post files (*.md, *.markdown) in this folder"))
            # A file named twice (directly, through a folder or a link) is imported once. Resolving the
            # folder once, and only links by themselves, keeps this cheap for a folder of thousands.
            base = os.path.realpath(root)
            found = [(root / name, os.path.realpath(root / name) if name in links else os.path.join(base, name))
                     for name in names]
        elif path.is_file():
            found = [(path, os.path.realpath(path))]
        else:
            problems.append(Problem(str(path), None, "no such file or folder"))
            continue
        for f, key in found:
            if key not in seen:
                seen.add(key)
                files.append(f)
    return files, problems


def _post_names(root):
    """Relative names of the post files under `root`, sorted, and those that are links. Dot files and
    folders (a leftover temporary file, .git) are skipped, linked folders not followed (as Path.rglob);
    os.scandir tells files from folders without a stat per file."""
    names, links, folders = [], set(), [""]
    while folders:
        relative = folders.pop()
        with os.scandir(os.path.join(root, relative)) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                name = os.path.join(relative, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    folders.append(name)
                elif entry.name.endswith(POST_SUFFIXES) and entry.is_file():
                    names.append(name)
                    if entry.is_symlink():
                        links.add(name)
    return sorted(names, key=lambda name: name.split(os.sep)), links


def import_paths(paths: Iterable, status=Status.PUBLISHED, progress: Progress | None = None, *,
                 actor=None, batch_size=None) -> ImportReport:
    """Import post files and folders of them, each file atomic on its own; failures are reported, not raised.

    A file is stored whole or not at all (its own transaction, or its own savepoint);
    the database commits every `batch_size` files rather than after each, since a commit's
    disk sync costs more than storing a post. A batch whose commit fails is imported again
    file by file, so one failure never takes other files with it.
    """
    with _existing_objects_frozen():
        return _import_paths(paths, status, progress, actor, max(1, batch_size or IMPORT_BATCH))


def _import_paths(paths, status, progress, actor, size):
    importer = _Importer(status, actor)
    files, problems = collect_post_files(paths)
    report = ImportReport(failed=problems)
    done = 0
    parsed = _parsed(files)
    try:
        for start in range(0, len(files), size):
            batch = files[start:start + size]
            posts = list(islice(parsed, len(batch)))
            partial = ImportReport()
            try:
                with transaction.atomic():
                    if FAST_IMPORT:
                        importer.import_batch(batch, partial, posts)
                        for _ in batch:
                            done += 1
                            if progress:
                                progress(done, len(files))
                    else:
                        for path, post in zip(batch, posts):
                            importer.import_file(path, partial, post)
                            done += 1
                            if progress:
                                progress(done, len(files))
            except DatabaseError:
                log.exception("import: committing %d files failed; importing them one by one", len(batch))
                importer.forget_uncommitted()
                partial = ImportReport()
                for path in batch:
                    importer.import_file(path, partial)
            report.merge(partial)
    finally:
        parsed.close()  # stops the worker processes
    return report


def _read_and_parse(path):
    """A file's jekyll.Post, or the Problem that stops it being imported (unreadable, not a post)."""
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Problem(shown, None, f"cannot read the file: {exc.strerror}")
    try:
        return jekyll.parse(jekyll.decode(data, shown), shown)
    except jekyll.JekyllFormatError as exc:
        return Problem(shown, exc.line, exc.reason)


def _parsed(files):
    """_read_and_parse of each file, in order; on a large import, by worker processes while this one writes.

    Parsing is about half of an import's CPU time: with a spare core it overlaps the database work.
    Where no process can be started (a daemonic worker, no fork), or the pool breaks, this process parses.
    """
    workers = min(PARSE_WORKERS, (os.cpu_count() or 1) - 1)
    done = 0
    if FAST_IMPORT and workers >= 1 and len(files) >= PARALLEL_PARSE_MIN:
        executor = None
        try:
            executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
            for result in executor.map(_read_and_parse, files, chunksize=PARSE_CHUNK):
                yield result
                done += 1
        except Exception:  # noqa: BLE001 - parsing here instead is always possible
            log.warning("import: parsing in worker processes failed; parsing here", exc_info=True)
        finally:
            if executor is not None:
                # Joined, so its CPU time is counted as this process's children's (bench/export_import.py).
                executor.shutdown(wait=True, cancel_futures=True)
    for path in files[done:]:
        yield _read_and_parse(path)


def import_post(post: jekyll.Post, filename, status=Status.PUBLISHED, *, actor=None):
    """Store one parsed post as the digest of its (series, date): returns (digest, created)."""
    return _Importer(status, actor).import_post(post, filename)


def _assign_imported_status(digest, status):
    """The one place outside digests.workflow that sets Digest.status: an import states what it brings in."""
    digest.status = status


def _json_safe(value):
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


@functools.cache  # asked ~20 times per imported file
def _max_length(model, name):
    return model._meta.get_field(name).max_length


class _Importer:
    """Imports posts with the given status, remembering series across files."""

    def __init__(self, status, actor=None):
        self.status = Status(status)
        self.actor = actor
        # Series by category, only ones committed to the database.
        self._series = None

    def forget_uncommitted(self):
        """After a failed commit: series seen since are not in the database; look them up again."""
        self._series = None

    def import_file(self, path: Path, report: ImportReport, parsed=None):
        shown = str(path)
        post = _read_and_parse(path) if parsed is None else parsed
        if isinstance(post, Problem):
            report.failed.append(post)
            return
        try:
            digest, created, warnings = self._import(post, path.name)
        except ImportRefused as exc:
            report.failed.append(Problem(shown, exc.line, exc.reason))
            return
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
            log.exception("import of %s failed", shown)
            report.failed.append(Problem(shown, None, f"not stored: {type(exc).__name__}: {exc}"))
            return
        report.warnings.extend(Problem(shown, w.line, w.message) for w in warnings)
        (report.created if created else report.updated).append(shown)

    def import_post(self, post, filename):
        digest, created, _ = self._import(post, Path(filename).name)
        return digest, created

    # One file ---------------------------------------------------------------------

    def _prepare(self, post, name, series_for):
        """What a file is to become, checked without writing: raises ImportRefused like the import would."""
        warnings = list(post.warnings)

        def warn(message, line=1):
            warnings.append(jekyll.ParseWarning(name, line, message))

        extra = dict(post.extra)
        # None: the file says nothing about tags, so a digest being updated keeps its own.
        file_tags = self._tags(extra.pop("tags"), warn) if "tags" in extra else None
        for key in extra:
            warn(f"front matter key '{key}' is kept in the digest's provenance but not exported")
        series = series_for(post, name, warn)
        date, slug = self._date_and_slug(post, name, series, warn)
        if post.layout != series.layout:
            warn(f"layout '{post.layout}' differs from the series' '{series.layout}'; the export writes "
                 f"'{series.layout}'")
        self._check(post, series, slug)
        return _Prepared(post, name, warnings, extra, file_tags, series, date, slug)

    def _values(self, prep, provenance, tags):
        """The digest fields a file sets, by name, but the status; `provenance` and `tags` are the digest's own."""
        post = prep.post
        provenance = dict(provenance or {})
        # Only the front matter's values can be other than JSON (dates): strings pass unchanged.
        provenance["import"] = {"file": prep.name, "warnings": [str(w) for w in prep.warnings]}
        if prep.extra:
            provenance["import"] = _json_safe({**provenance["import"], "front_matter": prep.extra})
        values = {"slug": prep.slug, "title": post.title, "published_at": post.date, "footer": post.footer or "",
                  "provenance": provenance}
        if self.status == Status.PUBLISHED:
            # Readers see live_snapshot: the stored content, as posts.digest_snapshot would read it back
            # (post_date of a digest whose published_at is the file's date).
            series = prep.series
            date = timezone.localtime(post.date, series.tzinfo)
            values["live_snapshot"] = post_to_snapshot(_post(series, post.title, date, values["footer"],
                                                             post.items, tags))
        return values

    def _fill(self, digest, prep, tags):
        """Assign what the file states to `digest` (new or locked for update)."""
        for name, value in self._values(prep, digest.provenance, tags).items():
            setattr(digest, name, value)
        _assign_imported_status(digest, self.status)

    def _event_values(self, prep, from_status, created):
        """The fields of a file's ReviewEvent, but its digest."""
        return {"actor_id": getattr(self.actor, "pk", None), "action": ReviewEvent.Action.IMPORT,
                "from_status": from_status, "to_status": self.status,
                "data": {"file": prep.name, "created": created, "warnings": [str(w) for w in prep.warnings]}}

    def _import(self, post, name):
        with transaction.atomic():
            prep = self._prepare(post, name, self._series_for)
            series, date = prep.series, prep.date
            # Only what the update reads: saving then writes these and the fields assigned below, and
            # leaves the rest (a kept live_snapshot, the workflow's fields) as they are.
            digest = (Digest.objects.select_for_update().filter(series=series, date=date)
                      .only("id", "status", "version", "provenance", "updated_at").first())
            created = digest is None
            if created:
                digest = Digest(series=series, date=date)
                from_status = ""
            else:
                digest.series = series  # the cached instance: no query when the snapshot reads it
                from_status = digest.status
                digest.version += 1
            file_tags = prep.file_tags
            if file_tags is not None:
                tags = file_tags
            else:
                tags = [] if created else list(digest.tags.names())
            self._fill(digest, prep, tags)
            digest.save()
            self._store_items(digest, post.items, created)
            if file_tags or (file_tags is not None and not created):
                digest.tags.set(file_tags)
            ReviewEvent.objects.create(digest=digest, **self._event_values(prep, from_status, created))
        return digest, created, prep.warnings

    # A batch ----------------------------------------------------------------------

    def import_batch(self, paths, report: ImportReport, parsed=None):
        """Import `paths` (inside the batch's transaction) as import_file would, one after the other.

        Files of known series are stored with a few bulk statements for the whole batch, new digests
        and updates alike; the rest (a new series, a (series, date) met twice) go through import_file
        after them, in file order. Should the bulk part fail, the batch goes file by file.
        """
        if self._series is None:
            self._series = {s.jekyll_category: s for s in Series.objects.all()}
        # Per file in order: a _Prepared (stored in bulk), a Problem (refused), or its Path (for import_file).
        parsed = [_read_and_parse(path) for path in paths] if parsed is None else parsed
        outcomes, fast, seen = [], [], set()
        for path, post in zip(paths, parsed):
            outcome = self._prepare_file(path, post)
            if isinstance(outcome, _Prepared):
                key = (outcome.series.pk, outcome.date)
                # A digest an earlier file of the batch made: import_file, after the bulk part.
                if key in seen:
                    outcome = (path, outcome.post)
                else:
                    fast.append(outcome)
                seen.add(key)
            elif outcome is None:
                outcome = (path, post)
            outcomes.append(outcome)
        if fast:
            # Locked like import_file's select_for_update: an editor's save waits for the batch.
            existing = {(series_id, date): rest for series_id, date, *rest in Digest.objects.select_for_update()
                        .filter(series_id__in={p.series.pk for p in fast}, date__in={p.date for p in fast})
                        .values_list("series_id", "date", "pk", "status", "version", "provenance")}
            for prep in fast:
                prep.existing = existing.get((prep.series.pk, prep.date))
        if fast:
            try:
                with transaction.atomic():
                    self._create_all([prep for prep in fast if prep.existing is None])
                    self._update_all([prep for prep in fast if prep.existing is not None])
            except Exception:  # noqa: BLE001 - the files are imported one by one instead
                log.exception("import: storing %d files at once failed; importing them one by one", len(fast))
                for path in paths:
                    self.import_file(path, report)
                return
        for outcome in outcomes:
            if isinstance(outcome, tuple):
                self.import_file(outcome[0], report, outcome[1])
            elif isinstance(outcome, Problem):
                report.failed.append(outcome)
            else:
                report.warnings.extend(Problem(outcome.shown, w.line, w.message) for w in outcome.warnings)
                (report.created if outcome.existing is None else report.updated).append(outcome.shown)

    def _prepare_file(self, path, post):
        """A _Prepared, a Problem (refused as import_file would refuse it), or None: for import_file."""
        shown = str(path)
        if isinstance(post, Problem):
            return post
        try:
            prep = self._prepare(post, path.name, self._known_series)
        except ImportRefused as exc:
            return Problem(shown, exc.line, exc.reason)
        except Exception:  # noqa: BLE001 - _Slow, or something import_file reports
            return None
        prep.path, prep.shown = path, shown
        return prep

    def _known_series(self, post, name, warn):
        category = post.categories.strip()
        if category and category not in self._series:
            raise _Slow  # maybe a new series: import_file makes it
        return self._series_for(post, name, warn)

    def _create_all(self, preps):
        """Store new digests with their items, insights and events: a few statements for them all."""
        if not preps:
            return
        rows = []
        for prep in preps:
            values = self._values(prep, None, prep.file_tags or [])
            # The status _assign_imported_status gives a digest imported on its own.
            values.update(series_id=prep.series.pk, date=prep.date, status=self.status)
            rows.append(values)
        _insert_dicts(Digest, rows)
        found = dict(((series_id, date), pk) for series_id, date, pk in Digest.objects.filter(
            series_id__in={p.series.pk for p in preps}, date__in={p.date for p in preps},
        ).values_list("series_id", "date", "pk"))
        ids = [found[prep.series.pk, prep.date] for prep in preps]
        # Items as plain rows: NewsItem instances and bulk_create's per-value preparation cost more than the SQL.
        defaults = _new_item_defaults()
        _insert_rows(NewsItem, _NEW_ITEM_COLUMNS, [
            (pk, position, item.title, item.summary, item.source_url, False, *defaults)
            for pk, prep in zip(ids, preps)
            for position, item in enumerate(prep.post.items)
        ])
        item_ids = _item_ids(ids)
        _insert_insights([
            (item_ids[pk, number], position, insight.label, insight.text)
            for pk, prep in zip(ids, preps)
            for number, item in enumerate(prep.post.items)
            for position, insight in enumerate(item.insights)
        ])
        _set_tags(ids, [prep.file_tags or [] for prep in preps], {})
        _insert_dicts(ReviewEvent, [{**self._event_values(prep, "", True), "digest_id": pk}
                                    for pk, prep in zip(ids, preps)])
        if self.status == Status.PUBLISHED:
            # No save(), so no post_save: the search index and the page cache's generation follow here.
            readers.live_changed(ids)

    def _update_all(self, preps):
        """Store what the files say over existing digests as _import would, with a few statements for them all.

        Each digest gets the fields _import's save() writes and one event; its items and insights end
        as _store_items leaves them, but only rows whose text changes are written (a re-import of the
        same posts writes none): items stay by position, keeping their ids (so their tags, comments).
        """
        if not preps:
            return
        ids = [prep.existing[0] for prep in preps]
        published = self.status == Status.PUBLISHED
        # The digests' own tags: kept where a file names none (and carried in the live version), replaced
        # where it names some.
        tags, tagged = defaultdict(list), {}
        if published or any(prep.file_tags is not None for prep in preps):
            for chunk in _chunks(ids):
                for pk, object_id, tag_id, name in _tagged_items().filter(object_id__in=chunk).values_list(
                        "pk", "object_id", "tag_id", "tag__name"):
                    tags[object_id].append(name)
                    tagged[object_id, tag_id] = pk
        names = ["series", "slug", "title", "published_at", "footer", "provenance", "status", "version", "updated_at"]
        if published:
            names.append("live_snapshot")
        fields = [Digest._meta.get_field(name) for name in names]
        now, conn, rows = timezone.now(), transaction.get_connection(), []
        for prep in preps:
            pk, _status, version, provenance = prep.existing
            values = self._values(prep, provenance, tags[pk] if prep.file_tags is None else prep.file_tags)
            # The status _assign_imported_status gives a digest imported on its own.
            values.update(series=prep.series.pk, status=self.status, version=version + 1, updated_at=now)
            rows.append([_db_value(f, values[f.name], conn) for f in fields] + [pk])
        _update_rows(Digest, [f.column for f in fields], rows)
        _replace_content(ids, [prep.post.items for prep in preps])
        renamed = [(pk, prep.file_tags) for pk, prep in zip(ids, preps) if prep.file_tags is not None]
        _set_tags([pk for pk, _ in renamed], [names for _, names in renamed], tagged)
        _insert_dicts(ReviewEvent, [{**self._event_values(prep, prep.existing[1], False), "digest_id": pk}
                                    for pk, prep in zip(ids, preps)])
        if published:
            # No save(), so no post_save: the search index and the page cache's generation follow here.
            readers.live_changed(ids)

    def _series_for(self, post, name, warn):
        if self._series is None:
            self._series = {s.jekyll_category: s for s in Series.objects.all()}
        category = post.categories.strip()
        if not category:
            by_slug = [s for s in self._series.values() if name.endswith(f"-{s.post_slug}.md")]
            if len(by_slug) != 1:
                raise ImportRefused("the front matter has no categories, so the series is unknown; "
                                    "add e.g. 'categories: tech'")
            warn(f"no categories: series '{by_slug[0].slug}' chosen by the file name; the export adds "
                 f"'categories: {by_slug[0].jekyll_category}'")
            return by_slug[0]
        series = self._series.get(category)
        if series is None:
            # Made by another import since we looked, or by an earlier file whose commit is still pending.
            series = Series.objects.filter(jekyll_category=category).first()
        if series is None:
            series = self._new_series(post, category, name, warn)
            # Remember it only once it is committed: a rolled-back file must not leave a phantom series.
            transaction.on_commit(lambda: self._series.__setitem__(category, series))
        return series

    def _new_series(self, post, category, name, warn):
        if len(category) > _max_length(Series, "jekyll_category"):
            raise ImportRefused(f"the category '{category[:40]}…' is longer than "
                                f"{_max_length(Series, 'jekyll_category')} characters", 1)
        # Braces would be read as format fields by Series.title_for.
        escaped = post.title.replace("{", "{{").replace("}", "}}")
        template, found = _ISO_DATE.subn("{date}", escaped, count=1)
        if not found:
            template = f"[{{date}}] {escaped}"
            warn(f"the title has no YYYY-MM-DD date; the new series '{category}' titles posts '{template}'")
        if len(template) > _max_length(Series, "title_template"):
            raise ImportRefused(f"the title is too long to be a series' title pattern "
                                f"(over {_max_length(Series, 'title_template')} characters)", 1)
        match = _FILE_NAME.fullmatch(name)
        base = slugify(category) or slugify(category, allow_unicode=True) or "series"
        slug, n = base[:45], 1
        while Series.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base[:45]}-{n}"
        series = Series.objects.create(
            slug=slug, name=category[:100], jekyll_category=category,
            post_slug=(match.group(4) if match else slugify(category) or "daily-news")[:100],
            title_template=template, layout=post.layout, footer=post.footer or "",
        )
        log.info("import: new series %s for category %r", slug, category)
        return series

    def _date_and_slug(self, post, name, series, warn):
        local = timezone.localtime(post.date, series.tzinfo)
        if local.utcoffset() != post.date.utcoffset():
            warn(f"the date's offset {post.date:%z} is not {series.timezone}'s; the export writes {local:%z}")
        match = _FILE_NAME.fullmatch(name)
        if match is None:
            warn(f"the file name is not <YYYY-MM-DD>-<slug>.md; using the date {local:%Y-%m-%d} "
                 f"and the series' slug '{series.post_slug}'")
            return local.date(), series.post_slug
        try:
            date = dt.date(*(int(part) for part in match.groups()[:3]))
        except ValueError:
            raise ImportRefused(f"the file name's date {match.group(1)}-{match.group(2)}-{match.group(3)} "
                                "is not a date") from None
        if date != local.date():
            warn(f"the file name's date {date} differs from the front matter date {local:%Y-%m-%d}; "
                 "the digest is filed under the file name's")
        return date, match.group(4)

    def _tags(self, value, warn):
        if value is None or value == "" or value == []:
            return []
        if isinstance(value, str):
            names = value.split()
            warn("tags written as a string; the export writes them as a list")
        elif isinstance(value, list):
            names = [str(v).strip() for v in value if str(v).strip()]
        else:
            raise ImportRefused(f"the front matter's tags must be a list, not {value!r}")
        names = list(dict.fromkeys(names))
        if names != sorted(names) or len(names) != len(value if isinstance(value, list) else names):
            warn(f"the export writes the tags sorted and once each: {sorted(names)}")
        too_long = [n for n in names if len(n) > 100]
        if too_long:
            raise ImportRefused(f"tag '{too_long[0][:40]}…' is longer than 100 characters")
        return names

    def _check(self, post, series, slug):
        """Refuse values the database would truncate or reject, naming them, before anything is written."""
        limits = [
            ("the title", post.title, _max_length(Digest, "title")),
            ("the file name's slug", slug, _max_length(Digest, "slug")),
        ]
        for number, item in enumerate(post.items, start=1):
            limits += [(f"item {number}'s title", item.title, _max_length(NewsItem, "title")),
                       (f"item {number}'s source URL", item.source_url, _max_length(NewsItem, "source_url"))]
            limits += [(f"item {number}'s insight {i}'s label", insight.label, _max_length(Insight, "label"))
                       for i, insight in enumerate(item.insights, start=1)]
        for what, value, limit in limits:
            if len(value) > limit:
                raise ImportRefused(f"{what} has {len(value)} characters; at most {limit} fit")

    def _store_items(self, digest, items, created):
        """Replace the digest's items and insights; items are updated in place by position, keeping tags, comments."""
        existing = {} if created else dict(NewsItem.objects.filter(digest=digest).values_list("position", "pk"))
        if not created:
            Insight.objects.filter(news_item_id__in=existing.values()).delete()
            gone = [pk for position, pk in existing.items() if position >= len(items)]
            if gone:
                NewsItem.objects.filter(pk__in=gone).delete()
        rows = [
            NewsItem(pk=existing.get(position), digest=digest, position=position, title=item.title,
                     summary=item.summary, source_url=item.source_url, needs_attention=False)
            for position, item in enumerate(items)
        ]
        kept = [row for row in rows if row.pk is not None]
        _update_rows(NewsItem, _ITEM_TEXT_COLUMNS,
                     [(row.title, row.summary, row.source_url, row.needs_attention, row.pk) for row in kept])
        if len(kept) < len(rows):
            NewsItem.objects.bulk_create([row for row in rows if row.pk is None])
        _insert_insights([
            (row.pk, position, insight.label, insight.text)
            for row, item in zip(rows, items)
            for position, insight in enumerate(item.insights)
        ])


def _insert_insights(rows):
    """INSERT (news_item_id, position, label, text) rows as one multi-row statement, without a model per insight."""
    _insert_rows(Insight, ("news_item_id", "position", "label", "text"), rows)


_PLAIN = frozenset((str, int, bool, type(None)))


def _db_value(field, value, conn):
    # Text, numbers, booleans, ids and NULL go as they are: get_db_prep_save would return them unchanged.
    if type(value) in _PLAIN and not isinstance(field, models.JSONField):
        return value
    return field.get_db_prep_save(value, conn)


def _insert_dicts(model, rows):
    """INSERT rows given as {attname: value} with multi-row statements; the other fields take their defaults
    (auto_now and auto_now_add fields: now), as bulk_create would store them, without a model per row."""
    conn = transaction.get_connection()
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    automatic = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    values = []
    for row in rows:
        values.append([
            _db_value(f, row[f.attname] if f.attname in row else now if f.attname in automatic else f.get_default(),
                      conn)
            for f in fields
        ])
    _insert_rows(model, [f.column for f in fields], values)


def _tagged_items():
    """Digests' rows of taggit's TaggedItem (items share the table)."""
    return Digest.tags.through.objects.filter(content_type=ContentType.objects.get_for_model(Digest))


def _set_tags(digest_ids, names, tagged):
    """Give each digest the tags named (as taggit's set() would), with a few statements for them all.

    `tagged` holds the digests' current TaggedItem ids by (digest id, tag id): rows of tags still
    named stay, the others go.
    """
    wanted = {name for group in names for name in group}
    if not wanted and not tagged:
        return
    # taggit's own lookup: one query for the existing tags, get_or_create for new ones, and its
    # TAGGIT_CASE_INSENSITIVE setting (then "AI" finds the tag "ai").
    found = Digest.tags._to_tag_model_instances(sorted(wanted), {})
    fold = str.lower if getattr(settings, "TAGGIT_CASE_INSENSITIVE", False) else str
    tag_ids = {fold(tag.name): tag.pk for tag in found}
    keep, add = set(), []
    for pk, group in zip(digest_ids, names):
        for tag_id in dict.fromkeys(tag_ids[fold(name)] for name in group):
            if (pk, tag_id) in tagged:
                keep.add((pk, tag_id))
            else:
                add.append((pk, tag_id))
    digests = set(digest_ids)
    gone = [item for key, item in tagged.items() if key[0] in digests and key not in keep]
    for chunk in _chunks(gone):
        Digest.tags.through.objects.filter(pk__in=chunk).delete()
    if add:
        content_type = ContentType.objects.get_for_model(Digest).pk
        _insert_rows(Digest.tags.through, ("content_type_id", "object_id", "tag_id"),
                     [(content_type, pk, tag_id) for pk, tag_id in add])


def _item_ids(digest_ids):
    """{(digest id, position): item id} of these digests' items."""
    return {(digest_id, position): pk for digest_id, position, pk in
            _select(NewsItem, ("digest_id", "position", "id"), "digest_id", digest_ids)}


def _replace_content(digest_ids, contents):
    """Make each digest's items and insights those of its jekyll.Items, writing only the rows that change.

    Ends as _Importer._store_items does: item n at position n (updated in place, so it keeps its id),
    surplus items deleted, missing ones added, each item's insights at positions 0.. in order.
    """
    items = defaultdict(dict)  # digest id -> {position: (id, title, summary, source_url, needs_attention)}
    # The ORM's values_list costs twice the database's time per row here; these columns need no conversion
    # but needs_attention (0/1 on SQLite).
    for digest_id, position, pk, title, summary, url, attention in _select(
            NewsItem, ("digest_id", "position", "id", "title", "summary", "source_url", "needs_attention"),
            "digest_id", digest_ids):
        items[digest_id][position] = (pk, title, summary, url, bool(attention))
    insights = defaultdict(list)  # item id -> [(id, position, label, text)] in order
    rows = sorted(_select(Insight, ("news_item_id", "position", "id", "label", "text"), "news_item_id",
                          [row[0] for rows in items.values() for row in rows.values()]))
    for item_id, position, pk, label, text in rows:
        insights[item_id].append((pk, position, label, text))
    gone, changed_items, added_items = [], [], []
    changed_insights, gone_insights, added_insights = [], [], []
    for digest_id, new_items in zip(digest_ids, contents):
        old_items = items[digest_id]
        gone += [row[0] for position, row in old_items.items() if position >= len(new_items)]
        for position, item in enumerate(new_items):
            old = old_items.get(position)
            if old is None:
                added_items.append((digest_id, position, item))
                continue
            item_id = old[0]
            if old[1:] != (item.title, item.summary, item.source_url, False):
                changed_items.append((item.title, item.summary, item.source_url, False, item_id))
            old_insights = insights[item_id]
            for number, insight in enumerate(item.insights):
                if number < len(old_insights):
                    pk, position_was, label, text = old_insights[number]
                    if (position_was, label, text) != (number, insight.label, insight.text):
                        changed_insights.append((number, insight.label, insight.text, pk))
                else:
                    added_insights.append((item_id, number, insight.label, insight.text))
            gone_insights += [row[0] for row in old_insights[len(item.insights):]]
    for chunk in _chunks(gone):
        NewsItem.objects.filter(pk__in=chunk).delete()  # with their insights; comments keep no item
    for chunk in _chunks(gone_insights):
        Insight.objects.filter(pk__in=chunk).delete()
    _update_rows(NewsItem, _ITEM_TEXT_COLUMNS, changed_items)
    _update_rows(Insight, ("position", "label", "text"), changed_insights)
    if added_items:
        defaults = _new_item_defaults()
        _insert_rows(NewsItem, _NEW_ITEM_COLUMNS, [
            (digest_id, position, item.title, item.summary, item.source_url, False, *defaults)
            for digest_id, position, item in added_items])
        ids = _item_ids(sorted({digest_id for digest_id, _, _ in added_items}))
        added_insights += [(ids[digest_id, position], number, insight.label, insight.text)
                           for digest_id, position, item in added_items
                           for number, insight in enumerate(item.insights)]
    _insert_insights(added_insights)


def _select(model, columns, key, values):
    """Rows of `columns` (plain database values) of `model` whose `key` column is one of `values`."""
    qn = connection.ops.quote_name
    head = f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(model._meta.db_table)} WHERE {qn(key)} IN "
    rows = []
    with connection.cursor() as cursor:
        for chunk in _chunks(values):
            cursor.execute(head + f"({', '.join(['%s'] * len(chunk))})", chunk)
            rows += cursor.fetchall()
    return rows


def _insert_rows(model, columns, rows):
    """INSERT plain value rows (already in the database's types): COPY on PostgreSQL, else multi-row statements."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table, names = qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg composes a long INSERT's parameters in Python (~20 us a row); COPY streams them (~3 us).
            _copy(cursor, f"COPY {table} ({names}) FROM STDIN", rows)
            return
        head = f"INSERT INTO {table} ({names}) VALUES "
        row_sql = f"({', '.join(['%s'] * len(columns))})"
        # Under SQLite's 999 parameters (Django's max_query_params): 200 rows of 4, 124 of 8.
        per = max(1, min(200, 999 // len(columns)))
        for start in range(0, len(rows), per):
            batch = rows[start:start + per]
            cursor.execute(head + ", ".join([row_sql] * len(batch)), [v for row in batch for v in row])


def _copy(cursor, sql, rows):
    """Run a COPY ... FROM STDIN of `rows` through Django's cursor wrapper, so that execute wrappers (query
    counters) and the debug query log see it as the one statement it is (Django has no COPY API)."""
    db = cursor.db

    def copy(sql, rows, many, context):
        db.validate_no_broken_transaction()
        with db.wrap_database_errors, cursor.cursor.copy(sql) as stream:
            for row in rows:
                stream.write_row(row)

    if hasattr(cursor, "debug_sql"):  # CursorDebugWrapper: DEBUG, or a test capturing queries
        with cursor.debug_sql(sql):
            return cursor._execute_with_wrappers(sql, rows, many=False, executor=copy)
    return cursor._execute_with_wrappers(sql, rows, many=False, executor=copy)


def _update_rows(model, columns, rows):
    """UPDATE rows of `model` by id: each row is the `columns`' values (in the database's types), then the id;
    one executemany (bulk_update's CASE expressions took 40% of a re-import's time)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(model._meta.db_table)} SET {', '.join(f'{qn(c)} = %s' for c in columns)} "
           f"WHERE {qn('id')} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# What an item update writes, in _update_rows' order (then the item's id).
_ITEM_TEXT_COLUMNS = ("title", "summary", "source_url", "needs_attention")


# The columns of a new item's row, in order; the last two take their field defaults.
_NEW_ITEM_COLUMNS = ("digest_id", "position", "title", "summary", "source_url", "needs_attention",
                     "source_name", "candidate_id")


def _new_item_defaults():
    return tuple(NewsItem._meta.get_field(name).get_default() for name in _NEW_ITEM_COLUMNS[-2:])


def _chunks(values, size=500):
    """Slices of `values` short enough for an IN (...) list on every database."""
    values = list(values)
    return [values[start:start + size] for start in range(0, len(values), size)]
