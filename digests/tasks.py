"""Celery tasks of the workflow and publishing: thin wrappers that load by id and call a service.

Generation's tasks live in digests.generation.tasks (same "digests.tasks.*" names), so publishing
never imports generation. Retries and limits live on the tasks.
"""
from celery import shared_task

from .models import Digest


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
