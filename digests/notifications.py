"""Tells people about the workflow: email through Django's backend, and Slack when SLACK_WEBHOOK_URL is set."""
import logging

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .models import ReviewEvent

log = logging.getLogger(__name__)

Action = ReviewEvent.Action


def after_commit(func, *args):
    """Send a notification once the change it tells of is committed; a mail or Slack failure never undoes it."""
    transaction.on_commit(lambda: func(*args), robust=True)


def users_with_perm(codename):
    """Active users holding digests.<codename> through a group, directly, or as superusers, with an email."""
    groups = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="digests")
    direct = Q(user_permissions__codename=codename, user_permissions__content_type__app_label="digests")
    return (
        get_user_model().objects.filter(is_active=True).exclude(email="")
        .filter(groups | direct | Q(is_superuser=True)).distinct().order_by("pk")
    )


def admin_url(digest):
    return settings.SITE_URL + reverse("admin:digests_digest_change", args=[digest.pk])


def _send(subject, body, recipients):
    recipients = sorted({r for r in recipients if r})
    if recipients:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:  # a mail server down must not undo a review decision that is already committed
            log.exception("could not send %r to %s", subject, recipients)
    slack(f"*{subject}*\n{body}")
    return recipients


def slack(text):
    """Post to the Slack incoming webhook, if one is configured; failures are logged, never raised."""
    url = settings.SLACK_WEBHOOK_URL
    if not url:
        return False
    try:
        response = httpx.post(url, json={"text": text}, timeout=5)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("Slack webhook failed (%s): check SLACK_WEBHOOK_URL", exc)
        return False
    return True


def _emails(users, exclude=None):
    return [u.email for u in users if u.email and (exclude is None or u.pk != exclude.pk)]


def submitted(digest, actor):
    """To reviewers (other than the submitter): a digest waits for review."""
    body = f"{actor} submitted “{digest.title}” for review.\n\nReview it: {admin_url(digest)}"
    return _send(f"[review] {digest.title}", body, _emails(users_with_perm("review_digest"), exclude=actor))


REVIEW_WORDS = {
    Action.APPROVE: "approved",
    Action.REQUEST_CHANGES: "asked for changes to",
    Action.REJECT: "rejected",
}


def reviewed(digest, action, actor, comment=""):
    """To the submitter: the reviewer's decision, with their comment."""
    submitter = digest.submitted_by
    if submitter is None or submitter.pk == getattr(actor, "pk", None):
        return []
    body = f"{actor} {REVIEW_WORDS[action]} “{digest.title}”."
    if comment:
        body += f"\n\nComment:\n{comment}"
    body += f"\n\n{admin_url(digest)}"
    return _send(f"[{ReviewEvent.Action(action).label.lower()}] {digest.title}", body, [submitter.email])


def draft_ready(digest):
    """To editors and reviewers: the model's draft waits for them."""
    warnings = (digest.provenance or {}).get("warnings") or []
    body = f"The draft “{digest.title}” is ready for editing.\n\n{admin_url(digest)}"
    if warnings:
        body += "\n\nWarnings:\n" + "\n".join(f"- {w}" for w in warnings)
    return _send(f"[draft] {digest.title}", body, _emails(users_with_perm("submit_digest")))


def generation_failed(run):
    """To editors and reviewers: no draft today, and why."""
    subject = f"[generation failed] {run.series} {run.date}"
    body = (f"Generating the {run.series} digest for {run.date} failed:\n\n{run.error or 'no error recorded'}\n\n"
            f"{settings.SITE_URL}{reverse('admin:digests_generationrun_change', args=[run.pk])}")
    return _send(subject, body, _emails(users_with_perm("submit_digest")))


def published(digest):
    """To the submitter and publishers: the post is live (skipped at weekends with NEWSROOM_NOTIFY_WEEKDAYS_ONLY)."""
    if getattr(settings, "NEWSROOM_NOTIFY_WEEKDAYS_ONLY", False) and timezone.localdate().weekday() >= 5:
        return []
    url = settings.SITE_URL + digest.get_absolute_url()
    recipients = _emails(users_with_perm("publish_digest"))
    if digest.submitted_by_id and digest.submitted_by.email:
        recipients.append(digest.submitted_by.email)
    # The title readers see: the digest may have been reopened and retitled since it went live.
    title = (digest.live_snapshot or {}).get("title") or digest.title
    return _send(f"[published] {title}", f"“{title}” is live: {url}", recipients)
