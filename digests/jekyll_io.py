"""Import Jekyll post files into digests, each file atomic on its own (export: digests.exporting)."""
import contextlib
import json
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from . import front_matter, jekyll, readers, workflow
from .front_matter import ImportRefused
from .models import Digest, Insight, ItemSource, NewsItem, Series, Status

log = logging.getLogger(__name__)

POST_SUFFIXES = (".md", ".markdown")
# Files per commit on import: a commit's disk sync costs more than storing a post. Each file is
# still whole or absent on its own (store() and its savepoint).
IMPORT_BATCH = 200

Progress = Callable[[int, int], None]
def translated(message):
    """A jekyll.Message in the active language (its template is in the catalogue); other text as it is."""
    if not isinstance(message, jekyll.Message):
        return message
    text = _(message.template)
    return text % message.params if message.params else text


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
        return _("Imported %(imported)d (created %(created)d, updated %(updated)d), failed %(failed)d") % {
            "imported": self.imported, "created": len(self.created), "updated": len(self.updated),
            "failed": len(self.failed)}


class _ReadAgain(Exception):
    """The digest (series id, date) `key` was stored by an earlier file of the batch: read it again first."""

    def __init__(self, key):
        super().__init__(key)
        self.key = key


def collect_post_files(paths: Iterable) -> tuple[list[Path], list[Problem]]:
    """Post files named, or found in the folders named (a site folder: its _posts); and what could not be used.

    Dot files and folders (a leftover temporary file, .git) are skipped, linked folders not followed,
    and a file named twice (directly, through a folder or a link) is imported once.
    """
    files, problems, seen = [], [], set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            root = path / "_posts" if (path / "_posts").is_dir() else path
            found = sorted(p for p in root.rglob("*") if p.suffix in POST_SUFFIXES and p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(root).parts))
            if not found:
                problems.append(Problem(str(path), None, _("no post files (*.md, *.markdown) in this folder; name "
                                                           "the site folder, its _posts, or the post files")))
        elif path.is_file():
            found = [path]
        else:
            problems.append(Problem(str(path), None, _("no such file or folder; check the path")))
            continue
        for file in found:
            key = os.path.realpath(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, problems


def import_paths(paths: Iterable, status=Status.PUBLISHED, progress: Progress | None = None, *,
                 actor=None, batch_size=IMPORT_BATCH) -> ImportReport:
    """Import post files and folders of them; failures are reported, not raised.

    A file is stored whole or not at all (a savepoint of its own once it writes before the batch's
    inserts; until then, its waiting rows are dropped when it fails); the database commits every
    `batch_size` files. A batch whose commit fails is imported again file by file, so one
    failure never takes other files with it.
    """
    importer = _Importer(status, actor)
    files, problems = collect_post_files(paths)
    report = ImportReport(failed=problems)
    for start in range(0, len(files), batch_size):
        batch = files[start:start + batch_size]
        partial = ImportReport()
        try:
            # One generation bump and one queued reindex per batch, inside its transaction.
            with transaction.atomic(), readers.deferred():
                importer.lock_existing(batch)
                for number, path in enumerate(batch, start=start + 1):
                    importer.import_file(path, partial)
                    if progress:
                        progress(number, len(files))
                importer.flush()
        except DatabaseError:
            log.exception("import: committing %d files failed; importing them one by one", len(batch))
            importer.forget_uncommitted()
            partial = ImportReport()
            for path in batch:
                partial.merge(_import_alone(importer, path))
        report.merge(partial)
    return report


def _import_alone(importer, path):
    """One file in its own transaction: what the database refuses (a clash the batch hit) fails this file only."""
    report = ImportReport()
    try:
        with transaction.atomic(), readers.deferred():
            importer.import_file(path, report)
            importer.flush()
    except DatabaseError as exc:
        importer.forget_uncommitted()
        return ImportReport(failed=[_not_stored(str(path), exc)])
    return report


def _not_stored(shown, exc):
    return Problem(shown, None, _("not stored: %(type)s: %(error)s") % {"type": type(exc).__name__, "error": exc})


def import_post(post: jekyll.Post, filename, status=Status.PUBLISHED, *, actor=None):
    """Store one parsed post as the digest of its (series, date): returns (digest, created)."""
    importer = _Importer(status, actor)
    with transaction.atomic():
        digest, created, _warnings = importer.store(post, Path(filename).name)
        importer.flush()
    return digest, created


def _read_and_parse(path):
    """A file's jekyll.Post, or the Problem that stops it being imported (unreadable, not a post)."""
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Problem(shown, None, _("cannot read the file: %(reason)s") % {"reason": exc.strerror})
    try:
        return jekyll.parse(jekyll.decode(data, shown), shown)
    except jekyll.JekyllFormatError as exc:
        return Problem(shown, exc.line, translated(exc.reason))


def _locked(digests):
    """The digests, locked for the import's update, each with what a re-import compares a file with:
    `stored_items` [(position, id, title, summary, needs attention, [Insight], [Source])] and
    `stored_tags` {name: tag id}; plain values, four queries for a batch of any size."""
    # Not the generated draft: an import never changes it, and decoding it costs more than the post.
    digests = list(digests.select_for_update().defer("generated_snapshot").order_by())
    ids = [d.pk for d in digests]
    items, insights, sources, tags = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(dict)
    for item_id, label, text in Insight.objects.filter(news_item__digest__in=ids).order_by(
            "news_item_id", "position", "id").values_list("news_item_id", "label", "text"):
        insights[item_id].append(jekyll.Insight(label, text))
    for item_id, url, name in ItemSource.objects.filter(news_item__digest__in=ids).order_by(
            "news_item_id", "position", "id").values_list("news_item_id", "url", "name"):
        sources[item_id].append(jekyll.Source(url, name))
    for digest_id, position, pk, title, summary, attention in NewsItem.objects.filter(digest__in=ids).order_by(
            "position").values_list("digest_id", "position", "pk", "title", "summary", "needs_attention"):
        items[digest_id].append((position, pk, title, summary, attention, insights[pk], sources[pk]))
    for digest_id, name, tag_id in Digest.tags.through.objects.filter(
            content_type=ContentType.objects.get_for_model(Digest), object_id__in=ids).values_list(
            "object_id", "tag__name", "tag_id"):
        tags[digest_id][name] = tag_id
    for digest in digests:
        digest.stored_items, digest.stored_tags = items[digest.pk], tags[digest.pk]
    return digests


def _json_safe(value):
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


class _Importer:
    """Imports posts with the given status, remembering series across files."""

    def __init__(self, status, actor=None):
        self.status = Status(status)
        self.actor = actor
        self._series = None  # {category: series}, only series committed to the database
        self._tags_by_name = {}  # taggit Tag ids; a tag is never deleted during an import
        self._content_type = ContentType.objects.get_for_model(Digest)
        # The batch's digests of the dates its file names give, read (and locked) in one query.
        self._existing, self._dates, self._stored = {}, set(), set()
        # New rows of the batch's files, written together by flush(): the digests and audit rows the
        # workflow records, then items, then their insights and sources and the digests' tag links.
        self.imports = workflow.ImportRecorder()
        self._savepoint = None  # the current file's, once it writes (_writing)
        self._rows = {NewsItem: [], Insight: [], ItemSource: [], Digest.tags.through: []}

    def _waiting(self):
        return [self.imports.digests, self.imports.events, self.imports.signals, *self._rows.values()]

    @contextlib.contextmanager
    def _file_savepoint(self):
        """The file's own savepoint, opened by _writing() before its first write that cannot wait for flush().

        A new digest of a known series writes nothing until flush(), so most files need no savepoint (on
        PostgreSQL its two round trips were a fifth of an import); whatever a failing file left waiting
        is dropped by store()."""
        self._savepoint = None
        try:
            yield
        except BaseException:
            if self._savepoint:
                transaction.savepoint_rollback(self._savepoint)
            raise
        else:
            if self._savepoint:
                transaction.savepoint_commit(self._savepoint)
        finally:
            self._savepoint = None

    def _writing(self):
        # Not needed for the file's last write when it is its only one (record()'s save of an updated
        # digest): one statement is all or nothing, and a refused one fails the batch into the retry.
        if self._savepoint is None:
            self._savepoint = transaction.savepoint()

    def forget_uncommitted(self):
        """After a failed commit: series and tags seen since are not in the database; look them up again."""
        self._series = None
        self._tags_by_name = {}
        self._existing, self._dates, self._stored = {}, set(), set()
        for rows in self._waiting():
            rows.clear()

    def lock_existing(self, paths):
        """Read the digests the batch's files may update with one locked query (by their file names' dates)."""
        self._dates = {day for day in map(front_matter.file_date, (p.name for p in paths)) if day}
        self._stored = set()
        self._existing = {(d.series_id, d.date): d for d in _locked(Digest.objects.filter(date__in=self._dates))}

    def flush(self):
        """Write the waiting rows, parents first: a few INSERTs for a batch."""
        self.imports.write()
        for model, rows in self._rows.items():
            if model is not NewsItem:  # (parent, fields): the item or digest has its id now
                parent = "object_id" if model is Digest.tags.through else "news_item_id"
                rows[:] = [model(**{parent: row.pk}, **fields) for row, fields in rows]
            model.objects.bulk_create(rows)
            rows.clear()

    def import_file(self, path: Path, report: ImportReport):
        shown = str(path)
        post = _read_and_parse(path)
        if isinstance(post, Problem):
            report.failed.append(post)
            return
        try:
            _digest, created, warnings = self.store(post, path.name)
        except ImportRefused as exc:
            report.failed.append(Problem(shown, exc.line, exc.reason))
            return
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
            log.exception("import of %s failed", shown)
            report.failed.append(_not_stored(shown, exc))
            return
        report.warnings.extend(Problem(shown, w.line, w.message) for w in warnings)
        (report.created if created else report.updated).append(shown)

    def store(self, post, name):
        """(digest, created, warnings) for one parsed post, stored in a savepoint of its own."""
        # The parser's warnings are English Messages: the report and the provenance get them translated.
        warnings = [jekyll.ParseWarning(w.filename, w.line, translated(w.message)) for w in post.warnings]

        def warn(message, line=1):
            warnings.append(jekyll.ParseWarning(name, line, message))

        marks = [len(rows) for rows in self._waiting()]
        try:
            return self._store(post, name, warnings, warn)
        except _ReadAgain as again:
            # An earlier file of the batch stored the same digest: what it left waiting goes first (out of
            # this file's savepoint, which wrote nothing), then this file reads the digest as it now is.
            self.flush()
            self._existing[again.key] = next(iter(_locked(Digest.objects.filter(series_id=again.key[0],
                                                                                  date=again.key[1]))), None)
            self._stored.discard(again.key)
            return self.store(post, name)
        except Exception:
            for rows, mark in zip(self._waiting(), marks):
                del rows[mark:]  # the file's savepoint is rolled back: so are its waiting rows
            raise

    def _store(self, post, name, warnings, warn):
        with self._file_savepoint():
            extra = dict(post.extra)
            # None: the file says nothing about tags, so a digest being updated keeps its own.
            file_tags = front_matter.tags(extra.pop("tags"), warn) if "tags" in extra else None
            for key in extra:
                warn(_("front matter key '%(key)s' is kept in the digest's provenance but not exported")
                     % {"key": key})
            series, category = self._series_for(post, name, warn)
            date, slug = front_matter.date_and_slug(post, name, series, warn)
            if post.layout != series.layout:
                warn(_("layout '%(layout)s' differs from the series' '%(series_layout)s'; the export writes "
                       "'%(series_layout)s'") % {"layout": post.layout, "series_layout": series.layout})
            front_matter.check_lengths(post, slug)

            if (series.pk, date) in self._stored:
                raise _ReadAgain((series.pk, date))
            if date in self._dates:
                digest = self._existing.get((series.pk, date))
            else:  # a file name without its date
                digest = next(iter(_locked(Digest.objects.filter(series=series, date=date))), None)
            created = digest is None
            if created:
                digest = Digest(series=series, date=date)
            else:
                digest.series = series  # the instance already read: no query when the post reads it
                digest.version += 1
            provenance = dict(digest.provenance or {})
            provenance["import"] = _json_safe({"file": name, "warnings": [str(w) for w in warnings],
                                               **({"front_matter": extra} if extra else {})})
            digest.slug, digest.title, digest.footer = slug, post.title, post.footer or ""
            digest.category = "" if category == series.jekyll_category else category
            digest.published_at, digest.provenance = post.date, provenance
            tags = file_tags if file_tags is not None else ([] if created else list(digest.stored_tags))
            stored = jekyll.Post(
                title=post.title, date=timezone.localtime(post.date, series.tzinfo), categories=category,
                layout=series.layout, items=post.items, footer=post.footer or None,
                extra={"tags": sorted(tags)} if tags else {},
            )
            self._store_items(digest, post.items, created)
            if file_tags is not None:
                self._set_tags(digest, file_tags, created)
            try:
                # The digest takes its status: published, it goes live through the workflow's check. Last:
                # an updated digest's save is then often the file's one write, which needs no savepoint.
                self.imports.record(digest, self.status, self.actor, stored,
                                    {"file": name, "created": created, "warnings": [str(w) for w in warnings]})
            except workflow.TransitionError as exc:
                raise ImportRefused(str(exc)) from None
        self._stored.add((series.pk, date))
        return digest, created, warnings

    def _store_items(self, digest, items, created):
        """Make the digest's items those of the post, writing only what changes: items stay by position
        (keeping their ids, so their tags and comments), surplus ones go, insights and sources are
        replaced for the items whose list differs. New rows wait for flush()."""
        old, old_insights, old_sources = {}, {}, {}
        if not created:
            # What _locked read with the digest.
            for position, pk, title, summary, attention, insights, sources in digest.stored_items:
                old[position] = (pk, (title, summary, attention))
                old_insights[pk], old_sources[pk] = insights, sources
            if any(position >= len(items) for position in old):
                self._writing()
                NewsItem.objects.filter(digest=digest, position__gte=len(items)).delete()
        replaced = []
        for position, item in enumerate(items):
            pk, values = old.get(position, (None, None))
            if pk is None:
                row = NewsItem(digest=digest, position=position, title=item.title, summary=item.summary)
                self._rows[NewsItem].append(row)
                replaced.append((row, item))
                continue
            if values != (item.title, item.summary, False):
                self._writing()
                NewsItem.objects.filter(pk=pk).update(title=item.title, summary=item.summary, needs_attention=False)
            if old_insights[pk] != item.insights or old_sources[pk] != item.sources:
                replaced.append((NewsItem(pk=pk), item))
        kept = [row.pk for row, _item in replaced if row.pk is not None]
        if kept:
            self._writing()
            Insight.objects.filter(news_item_id__in=kept).delete()
            ItemSource.objects.filter(news_item_id__in=kept).delete()
        # New items get their ids when flush() writes them, before their insights and sources.
        self._rows[Insight] += [(row, {"position": n, "label": insight.label, "text": insight.text})
                                for row, item in replaced for n, insight in enumerate(item.insights)]
        self._rows[ItemSource] += [(row, {"position": n, "url": source.url, "name": source.name})
                                   for row, item in replaced for n, source in enumerate(item.sources)]

    def _set_tags(self, digest, names, created):
        """The digest's tags become `names` (taggit's Tag rows, made when new); new links wait for flush()."""
        through = Digest.tags.through
        current = {} if created else digest.stored_tags
        gone = [pk for name, pk in current.items() if name not in names]
        missing = [name for name in names if name not in self._tags_by_name]
        if gone or missing:
            self._writing()
        if gone:
            through.objects.filter(content_type=self._content_type, object_id=digest.pk, tag_id__in=gone).delete()
        if missing:
            self._tags_by_name.update(Tag.objects.filter(name__in=missing).values_list("name", "pk"))
            for name in missing:
                if name not in self._tags_by_name:
                    self._tags_by_name[name] = Tag.objects.create(name=name).pk
        self._rows[through] += [(digest, {"content_type": self._content_type, "tag_id": self._tags_by_name[name]})
                                for name in names if name not in current]

    def _series_for(self, post, name, warn):
        """(series, category): the series whose category (or one of its older ones) the post names."""
        if self._series is None:
            self._series = {category: s for s in Series.objects.all() for category in s.categories}
        category = post.categories.strip()
        if not category:
            by_slug = [s for s in set(self._series.values()) if name.endswith(f"-{s.post_slug}.md")]
            if len(by_slug) != 1:
                raise ImportRefused(_("the front matter has no categories, so the series is unknown; "
                                      "add e.g. 'categories: tech'"))
            warn(_("no categories: series '%(series)s' chosen by the file name; the export adds "
                   "'categories: %(category)s'") % {"series": by_slug[0].slug,
                                                     "category": by_slug[0].jekyll_category})
            return by_slug[0], by_slug[0].jekyll_category
        series = self._series.get(category)
        if series is None:
            # Made by another import since we looked, or by an earlier file whose commit is still pending.
            series = Series.objects.filter(jekyll_category=category).first()
        if series is None:
            self._writing()
            series = front_matter.new_series(post, category, name, warn)
            # Remembered once committed: a rolled-back file must not leave a phantom series.
            transaction.on_commit(lambda: self._series.__setitem__(category, series))
        return series, category
