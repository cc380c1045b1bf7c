"""Celery tasks of the workflow and publishing: thin wrappers that load by id and call a service.

Generation's tasks live in digests.generation.tasks (same "digests.tasks.*" names), so publishing
never imports generation; services queue both by name (digests.queue), so neither imports a task module.
Retries and limits live on the tasks; the export's retries live in the database (BlogPost), where the
beat's reconcile finds them whatever happened to the broker.
"""

from celery import shared_task
from django.db import transaction

from . import publishing, readers, workflow
from .models import Digest


# Workflow ----------------------------------------------------------------------


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def publish_due():
    return [digest.pk for digest in workflow.publish_due()]


# Publishing ----------------------------------------------------------------------


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def reconcile_blog():
    """Bring the blog's working copy and remote to what the database says (every minute, and after each change)."""
    return publishing.reconcile().as_dict()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def export_digest(digest_id):
    """Export one digest again now ("export again" in the admin; also messages queued before reconcile existed)."""
    with transaction.atomic():
        digest = Digest.objects.select_for_update(of=("self",)).select_related("series").get(pk=digest_id)
        publishing.expect(digest)
    return publishing.reconcile().as_dict()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def unexport_digest(digest_id):
    """Queued by releases before reconcile existed: the database says what the blog must hold, so the same as above."""
    return export_digest(digest_id)


# Readers ----------------------------------------------------------------------


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def index_search(digest_ids=None):
    """Korean search index for these digests after a bulk import; without ids, the beat's sweep of every digest."""
    readers.reindex(digest_ids)
