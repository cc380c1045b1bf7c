"""Generation services: fetch a series' feeds, generate a day's draft, regenerate one item."""
import datetime as dt
import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from .. import evidence, notifications, queue
from ..models import Digest, GenerationRun, Insight, ItemSource, NewsItem, ReviewEvent, Series
from . import articles, fetch, ingest, merge, prompts
from .locks import SeriesLock
from .writers import chain
from .writers.base import WriteRequest

log = logging.getLogger(__name__)
RunStatus = GenerationRun.RunStatus


class GenerationError(Exception):
    """Generation cannot go on (too few candidates, an unknown candidate); the message says what to do."""


def _quiet(message):
    pass


@contextmanager
def _timed(timings, step):
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = round(time.perf_counter() - started, 3)


def fetch_sources(series, *, progress=_quiet):
    """Fetch all active sources of a series at once and store what they gave; one FetchResult per source."""
    sources = list(series.sources.filter(active=True).order_by("name"))
    progress(ngettext("fetching %(count)d %(series)s feed", "fetching %(count)d %(series)s feeds", len(sources))
             % {"count": len(sources), "series": series.slug})
    results = fetch.fetch_all(sources)
    for source, result in zip(sources, results):
        ingest.record(source, result)
        if result.status == "ok":
            line = ngettext("  %(source)s: %(status)s, %(new)d new of %(seen)d entry",
                            "  %(source)s: %(status)s, %(new)d new of %(seen)d entries", result.entries_seen)
        else:
            line = _("  %(source)s: %(status)s — %(error)s")
        progress(line % {"source": source.name, "status": result.status, "new": result.entries_new,
                         "seen": result.entries_seen, "error": result.error})
    return results


ABANDONED = "Abandoned: the worker stopped (killed or restarted) before finishing this run."
# A day whose generation died this often is left to a person (a draft that kills its worker every time).
MAX_ABANDONED = 3


def _close_abandoned_runs(series, now):
    """Close the series' runs still "running": call holding the series lock, which only a live generation holds."""
    return GenerationRun.objects.filter(series=series, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, finished_at=now, error=ABANDONED)


def recover_abandoned_runs(now=None):
    """Close the runs a dead worker left "running" and queue their day again; (series slug, date) queued.

    A series whose lock is held is generating right now: its run is alive and left alone.
    """
    now = now or timezone.now()
    queued = []
    for series in Series.objects.filter(generation_runs__status=RunStatus.RUNNING).distinct():
        lock = SeriesLock(series)
        if not lock.try_acquire():
            continue
        try:
            days = set(GenerationRun.objects.filter(series=series, status=RunStatus.RUNNING)
                       .values_list("date", flat=True))
            _close_abandoned_runs(series, now)
        finally:
            lock.release()
        for day in sorted(days):
            abandoned = GenerationRun.objects.filter(series=series, date=day, error=ABANDONED).count()
            if abandoned <= MAX_ABANDONED and not Digest.objects.filter(series=series, date=day).exists():
                if queue.send("digests.tasks.generate_draft", series_id=series.pk, date=day.isoformat()):
                    queued.append((series.slug, day.isoformat()))
    if queued:
        log.warning("generation runs abandoned by a dead worker, queued again: %s", queued)
    return queued


def _candidate_summary(candidate):
    return {"id": candidate.id, "title": candidate.title[:200], "url": candidate.url, "sources": candidate.sources,
            "score": candidate.score, "score_parts": candidate.score_parts}


def _source_warnings(results):
    return [f"{r.source_name}: {r.status} — {r.error}" for r in results if not r.ok]


def _existing(series, date, progress):
    existing = Digest.objects.filter(series=series, date=date).first()
    if existing is not None:
        progress(_("%(series)s %(date)s: the digest already exists (#%(pk)s, %(status)s); nothing was generated")
                 % {"series": series.slug, "date": date, "pk": existing.pk, "status": existing.get_status_display()})
    return existing


def generate_draft(series, date, writer_names=None, *, fetch=True, feeds_dir=None, progress=_quiet, now=None):
    """The series' draft for `date`: the existing digest if there is one, else ingest → select → write → save.

    Idempotent across processes: one process at a time generates a series (a lock that dies with
    its process, so a killed worker blocks nobody), the others wait and return its digest; and
    the (series, date) unique constraint settles anything that slips past the lock.
    """
    existing = _existing(series, date, progress)
    lock = SeriesLock(series)
    if existing is not None:
        # A redelivered task of a worker killed after saving: close the run it left, unless one is alive.
        if lock.try_acquire():
            try:
                _close_abandoned_runs(series, now or timezone.now())
            finally:
                lock.release()
        return existing
    deadline = time.monotonic() + getattr(settings, "NEWSROOM_GENERATION_LOCK_WAIT", 480)
    waiting = False
    while not lock.try_acquire():
        existing = _existing(series, date, progress)
        if existing is not None:
            return existing
        if time.monotonic() > deadline:
            raise GenerationError(_("Another generation of %(series)s is still running; try again when it ends.")
                                  % {"series": series.slug})
        if not waiting:
            progress(_("another process is generating %(series)s: waiting for it") % {"series": series.slug})
            waiting = True
        time.sleep(0.5)
    try:
        # The lock's previous holder may just have saved this very day.
        return _existing(series, date, progress) or _generate(series, date, writer_names, fetch, feeds_dir,
                                                              progress, now)
    finally:
        lock.release()


def _generate(series, date, writer_names, fetch, feeds_dir, progress, now):
    now = now or timezone.now()
    _close_abandoned_runs(series, now)
    run = GenerationRun.objects.create(series=series, date=date, started_at=now,
                                       writer=",".join(writer_names or chain.names_from_settings()))
    timings, details = {}, {}
    start, end = merge.window(series, date)
    try:
        with _timed(timings, "ingest"):
            if feeds_dir:
                progress(_("reading the sample feeds in %(folder)s") % {"folder": feeds_dir})
                anchor = min(now, end) - dt.timedelta(minutes=15)
                results = ingest.load_directory(series, feeds_dir, anchor)
            elif fetch and now < end + dt.timedelta(hours=merge.window_hours()):
                results = fetch_sources(series, progress=progress)
            else:
                progress(_("%(date)s is past: using the stored entries only") % {"date": date})
                results = []
        details["sources"] = [r.as_dict() for r in results]
        with _timed(timings, "select"):
            candidates = merge.candidates_for(series, date)
        details["candidates"] = len(candidates)
        window = {"count": len(candidates), "items": series.item_count, "start": f"{start:%Y-%m-%d %H:%M}",
                  "end": f"{end:%Y-%m-%d %H:%M %Z}"}
        progress(ngettext("%(count)d candidate story between %(start)s and %(end)s",
                          "%(count)d candidate stories between %(start)s and %(end)s", len(candidates)) % window)
        if len(candidates) < series.item_count:
            failed = _source_warnings(results)
            if failed:
                message = ngettext(
                    "Only %(count)d candidate story for %(items)d items between %(start)s and %(end)s. Failed "
                    "sources: %(failed)s. Check the sources' last status in the admin, or fetch again later.",
                    "Only %(count)d candidate stories for %(items)d items between %(start)s and %(end)s. Failed "
                    "sources: %(failed)s. Check the sources' last status in the admin, or fetch again later.",
                    len(candidates))
            else:
                message = ngettext(
                    "Only %(count)d candidate story for %(items)d items between %(start)s and %(end)s. Check the "
                    "sources' last status in the admin, or fetch again later.",
                    "Only %(count)d candidate stories for %(items)d items between %(start)s and %(end)s. Check the "
                    "sources' last status in the admin, or fetch again later.",
                    len(candidates))
            raise GenerationError(message % {**window, "failed": "; ".join(failed)})
        offered = candidates[: series.item_count * 3]
        if results and settings.NEWSROOM_FETCH_ARTICLES and not feeds_dir:
            with _timed(timings, "articles"):
                offered = _read_articles(series, date, offered, series.item_count * 3, details, progress)
        request = WriteRequest(series_name=series.name, date=date, candidates=offered, item_count=series.item_count,
                               insight_count=series.insight_count)
        with _timed(timings, "write"):
            try:
                result, attempts = chain.write(request, writer_names, progress=progress)
            except chain.ChainFailed as exc:
                details["attempts"] = exc.attempts
                raise
        details["attempts"] = attempts
        provenance = {
            "writer": result.writer, "model": result.model, "prompt_version": prompts.CURRENT,
            "prompt_sha256": prompts.fingerprint(), "candidate_ids": [c.id for c in offered],
            "chosen": [i.candidate.id for i in result.items], "candidates": [_candidate_summary(c) for c in offered],
            "tokens": result.tokens, "latency": result.latency, "attempts": attempts,
            "warnings": result.warnings + _source_warnings(results) + [
                f"{a['writer']}: {a['outcome']}" + (f" ({a['error'][:300]})" if a.get("error") else "")
                for a in attempts if a["outcome"] != "ok"
            ],
            "window": [start.isoformat(), end.isoformat()], "run": run.pk,
        }
        digest, created = _save(series, date, result, provenance, run, timings, details)
    except Exception as exc:
        _fail(run, exc, timings, details)
        raise
    saved = {"pk": digest.pk, "title": digest.title, "seconds": f"{sum(timings.values()):.1f}",
             "writer": result.writer + (":" + result.model if result.model else "")}
    progress((_("saved digest #%(pk)s “%(title)s” by %(writer)s in %(seconds)s s") if created else
              _("already saved by another run: digest #%(pk)s “%(title)s” by %(writer)s in %(seconds)s s")) % saved)
    return digest


def _read_articles(series, date, offered, count, details, progress):
    """Read the article pages of the offered stories, then merge again: page text and links can join stories.

    Two rounds at most: the second reads the pages of stories that the new merge brought among the offered.
    """
    pages = []
    for _round in range(2):
        missing = articles.missing([i for c in offered for i in c.entry_ids])
        if not missing:
            break
        pages += articles.fetch_pages(missing, progress=progress)
        offered = merge.candidates_for(series, date)[:count]
    details["articles"] = articles.summary(pages)
    return offered


def _create_items(digest, items):
    for position, written in enumerate(items):
        item = NewsItem.objects.create(
            digest=digest, position=position, title=written.title[:300], summary=written.summary,
            candidate_id=written.candidate.id, needs_attention=written.needs_attention or not any(text for _, text in written.insights),
        )
        _set_content(item, written)


def _set_content(item, written):
    """The written item's insights, tags and every source of its story (the representative's first)."""
    ItemSource.objects.bulk_create([
        ItemSource(news_item=item, position=n, url=a.url[:2000], name=a.name[:200], entry_id=a.entry_id)
        for n, a in enumerate(written.candidate.articles)
    ])
    Insight.objects.bulk_create([
        Insight(news_item=item, position=n, label=label[:200], text=text) for n, (label, text) in enumerate(written.insights)
    ])
    if written.tags:
        item.tags.set(written.tags)
    # Each sentence checked against the sources just saved; a returning story says which item it follows.
    checked = evidence.with_sources(NewsItem.objects.filter(pk=item.pk)).get()
    checked.provenance = {"follow_up": written.candidate.follow_up} if written.candidate.follow_up else {}
    item.provenance = checked.provenance
    evidence.check(checked, written.sentences)


def _save(series, date, result, provenance, run, timings, details):
    """Write the digest, its items and the run's outcome in one transaction; (digest, created)."""
    from ..posts import digest_snapshot, with_content

    started = time.perf_counter()
    try:
        with transaction.atomic():
            existing = Digest.objects.filter(series=series, date=date).first()
            if existing is None:
                digest = Digest.objects.create(series=series, date=date, slug=series.post_slug,
                                               title=series.title_for(date),
                                               footer=series.footer_for(result.writer))
                _create_items(digest, result.items)
                digest.provenance = provenance
                digest.generated_snapshot = digest_snapshot(with_content(Digest.objects.filter(pk=digest.pk)).get())
                digest.save(update_fields=["provenance", "generated_snapshot"])
                ReviewEvent.objects.create(digest=digest, action=ReviewEvent.Action.CREATE, to_status=digest.status,
                                           data={"generation_run": run.pk, "writer": result.writer, "model": result.model})
                timings["save"] = round(time.perf_counter() - started, 3)
                finished = timezone.now()
                GenerationRun.objects.filter(pk=run.pk).update(
                    status=RunStatus.SUCCEEDED, digest=digest, writer=f"{result.writer}:{result.model}".rstrip(":"),
                    timings=timings, details=details, finished_at=finished)
                notifications.after_commit(notifications.draft_ready, digest)
                return digest, True
    except IntegrityError:
        # Another process saved the same day between our check and our insert: theirs stands.
        existing = Digest.objects.get(series=series, date=date)
    finished = timezone.now()
    GenerationRun.objects.filter(pk=run.pk).update(status=RunStatus.EXISTING, digest=existing, timings=timings,
                                                   details=details, finished_at=finished)
    return existing, False


def _fail(run, exc, timings, details):
    message = f"{type(exc).__name__}: {exc}"
    log.error("generation of %s %s failed: %s", run.series.slug, run.date, message)
    with transaction.atomic():
        GenerationRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=message, timings=timings,
                                                       details=details, finished_at=timezone.now())
        run.refresh_from_db()
        notifications.after_commit(notifications.generation_failed, run)


def regenerate_item(news_item, candidate_id=None, user=None, writer_names=None):
    """Rewrite one item of an editable digest from another candidate of its day (or the one chosen)."""
    from .. import workflow

    digest = news_item.digest
    series = digest.series
    with transaction.atomic():
        workflow.check_editable(digest, user)  # refuse before spending a model call
    used = dict(digest.items.exclude(pk=news_item.pk).values_list("candidate_id", "position"))
    candidates = merge.candidates_for(series, digest.date)
    if candidate_id:
        if candidate_id in used:
            raise GenerationError(_("Candidate %(candidate)s is already item %(number)s of this digest.")
                                  % {"candidate": candidate_id, "number": used[candidate_id] + 1})
        chosen = next((c for c in candidates if c.id == candidate_id), None)
        if chosen is None:
            raise GenerationError(_("Candidate %(candidate)s is not among the stories of %(date)s's window.")
                                  % {"candidate": candidate_id, "date": digest.date})
    else:
        chosen = next((c for c in candidates if c.id not in used and c.id != news_item.candidate_id), None)
        if chosen is None:
            raise GenerationError(_("No unused candidate is left for %(date)s: pick one or edit the item by hand.")
                                  % {"date": digest.date})
    request = WriteRequest(series_name=series.name, date=digest.date, candidates=[chosen], item_count=1,
                           insight_count=series.insight_count)
    result, attempts = chain.write(request, writer_names)
    written = result.items[0]
    with transaction.atomic():
        workflow.check_editable(digest, user)
        item = NewsItem.objects.select_for_update().get(pk=news_item.pk)
        before = {"title": item.title, "candidate_id": item.candidate_id,
                  "sources": list(item.sources.values_list("url", flat=True))}
        item.title, item.summary = written.title[:300], written.summary
        item.candidate_id = written.candidate.id
        item.needs_attention = written.needs_attention or not any(text for _, text in written.insights)
        item.save()
        item.insights.all().delete()
        item.sources.all().delete()
        item.tags.clear()
        _set_content(item, written)
        workflow.record_edit(digest, user, {
            "regenerated_item": item.pk, "position": item.position, "before": before,
            "candidate_id": chosen.id, "writer": f"{result.writer}:{result.model}".rstrip(":"), "attempts": attempts,
        })
    return item
