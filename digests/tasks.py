"""Celery tasks: thin wrappers that load by id and call a service; retries and limits live here."""
import datetime as dt

from celery import shared_task
from django.utils import timezone

from .models import Digest, NewsItem, Series


def _series(series_slug=None, series_id=None):
    if series_id is not None:
        return Series.objects.get(pk=series_id)
    return Series.objects.get(slug=series_slug)


def _date(value):
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# Generation -------------------------------------------------------------------


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def fetch_sources(series_slug=None, series_id=None):
    from .generation.service import fetch_sources as fetch

    results = fetch(_series(series_slug, series_id))
    return [r.as_dict() if hasattr(r, "as_dict") else str(r) for r in results]


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600, max_retries=2)
def generate_draft(series_slug=None, series_id=None, date=None, writer=None):
    from .generation.service import generate_draft as generate

    series = _series(series_slug, series_id)
    day = _date(date) or timezone.localdate(timezone=series.tzinfo)
    digest = generate(series, day, writer_names=[writer] if writer else None)
    return digest.pk


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300, max_retries=2)
def regenerate_item(item_id, candidate_id=None, user_id=None):
    from django.contrib.auth import get_user_model

    from .generation.service import regenerate_item as regenerate

    item = NewsItem.objects.select_related("digest__series").get(pk=item_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return regenerate(item, candidate_id=candidate_id, user=user).pk


# Workflow ----------------------------------------------------------------------


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def publish_due():
    from .workflow import publish_due as publish

    return [digest.pk for digest in publish()]


# Publishing ----------------------------------------------------------------------


@shared_task(bind=True, acks_late=True, soft_time_limit=120, time_limit=150, max_retries=5, default_retry_delay=30)
def export_digest(self, digest_id):
    from .publishing import ExportError, export_digest as export

    digest = Digest.objects.select_related("series").get(pk=digest_id)
    try:
        return export(digest).pk
    except ExportError as exc:
        if exc.retryable:
            raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 600))
        raise


@shared_task(bind=True, acks_late=True, soft_time_limit=120, time_limit=150, max_retries=5, default_retry_delay=30)
def unexport_digest(self, digest_id):
    from .publishing import ExportError, remove_export

    digest = Digest.objects.select_related("series").get(pk=digest_id)
    try:
        record = remove_export(digest)
        return record.pk if record else None
    except ExportError as exc:
        if exc.retryable:
            raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 600))
        raise
