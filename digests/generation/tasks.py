"""Celery tasks of generation: fetch a series' feeds, draft a day's digest, rewrite one item.

Named "digests.tasks.*" as before they moved here, so beat schedules and queued messages still find them.
"""
import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import NewsItem, ReviewEvent, Series
from . import service


def _series(series_slug=None, series_id=None):
    if series_id is not None:
        return Series.objects.get(pk=series_id)
    return Series.objects.get(slug=series_slug)


def _date(value):
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


@shared_task(name="digests.tasks.fetch_sources", acks_late=True, soft_time_limit=120, time_limit=150,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def fetch_sources(series_slug=None, series_id=None):
    results = service.fetch_sources(_series(series_slug, series_id))
    return [r.as_dict() if hasattr(r, "as_dict") else str(r) for r in results]


@shared_task(name="digests.tasks.generate_draft", acks_late=True, soft_time_limit=540, time_limit=600, max_retries=2)
def generate_draft(series_slug=None, series_id=None, date=None, writer=None):
    series = _series(series_slug, series_id)
    day = _date(date) or timezone.localdate(timezone=series.tzinfo)
    digest = service.generate_draft(series, day, writer_names=[writer] if writer else None)
    return digest.pk


@shared_task(name="digests.tasks.regenerate_item", acks_late=True, soft_time_limit=240, time_limit=300,
             max_retries=2)
def regenerate_item(item_id, candidate_id=None, user_id=None):
    item = NewsItem.objects.select_related("digest__series").get(pk=item_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        return service.regenerate_item(item, candidate_id=candidate_id, user=user).pk
    except Exception as exc:
        # The editor who asked is not watching the worker: the digest's timeline tells them.
        digest = item.digest
        ReviewEvent.objects.create(
            digest=digest, news_item=item, action=ReviewEvent.Action.COMMENT, from_status=digest.status,
            to_status=digest.status, comment=_("Rewriting item %(number)d failed: %(reason)s")
            % {"number": item.position + 1, "reason": exc})
        raise


@shared_task(name="digests.tasks.recover_generation", acks_late=True, soft_time_limit=50, time_limit=60)
def recover_generation():
    """Every few minutes: runs a dead worker left "running" are closed and their day generated again."""
    return service.recover_abandoned_runs()
