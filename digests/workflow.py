"""The editorial workflow: the only code that changes a digest's status."""
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notifications, safety, signals
from .models import Digest, ReviewEvent, Status

log = logging.getLogger(__name__)

Action = ReviewEvent.Action

SUBMIT_PERM = "digests.submit_digest"
REVIEW_PERM = "digests.review_digest"
PUBLISH_PERM = "digests.publish_digest"
EDIT_PERM = "digests.change_digest"


class TransitionError(Exception):
    """A transition (or edit) this user may not make now; the message is meant for the editor."""


class StaleVersionError(TransitionError):
    """The digest changed since the acting user loaded it."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple
    target: str
    perm: str
    needs_comment: bool = False
    # Whether the acting user vouches for the content they saw (refused if it changed since).
    checks_version: bool = False


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", "Submit for review", (Status.DRAFT, Status.CHANGES_REQUESTED), Status.IN_REVIEW,
                   SUBMIT_PERM, checks_version=True),
        Transition("approve", "Approve", (Status.IN_REVIEW,), Status.APPROVED, REVIEW_PERM, checks_version=True),
        Transition("request_changes", "Request changes", (Status.IN_REVIEW,), Status.CHANGES_REQUESTED, REVIEW_PERM,
                   needs_comment=True),
        Transition("reject", "Reject", (Status.IN_REVIEW,), Status.REJECTED, REVIEW_PERM, needs_comment=True),
        Transition("publish", "Publish", (Status.APPROVED,), Status.PUBLISHED, PUBLISH_PERM, checks_version=True),
        # Whenever something is live, a reopened digest too; only a published one goes back to approved.
        Transition("unpublish", "Unpublish", tuple(Status.values), Status.APPROVED, PUBLISH_PERM, needs_comment=True),
        # Reopening a published post is a publisher's call: it starts a correction of what readers see.
        Transition("reopen", "Reopen for editing", (Status.APPROVED, Status.REJECTED, Status.PUBLISHED), Status.DRAFT,
                   REVIEW_PERM),
    ]
}


def _label(status):
    return Status(status).label.lower()


def _perm_for(transition, digest):
    if transition.name == "reopen" and digest.status == Status.PUBLISHED:
        return PUBLISH_PERM
    return transition.perm


def incomplete_reasons(digest):
    """Why the digest cannot go to review yet (empty when it is complete)."""
    from .posts import digest_to_post, with_content

    series = digest.series
    content = with_content(Digest.objects.filter(pk=digest.pk)).get()
    items = list(content.items.all())
    reasons = []
    if len(items) < series.item_count:
        reasons.append(f"it has {len(items)} of the {series.item_count} news items {series.name} needs")
    for number, item in enumerate(items, start=1):
        missing = [name for name, value in (("title", item.title), ("summary", item.summary)) if not value.strip()]
        if not any(source.url.strip() for source in item.sources.all()):
            missing.append("source URL")
        if missing:
            reasons.append(f"item {number} has no {', '.join(missing)}")
        insights = [i for i in item.insights.all() if i.text.strip()]
        if len(insights) < series.insight_count:
            reasons.append(f"item {number} has {len(insights)} of {series.insight_count} insights")
    # The one safety check, on the post the export would write (with the caller's title and footer).
    content.title, content.footer = digest.title, digest.footer
    return reasons + safety.post_problems(digest_to_post(content))


def blocked_reason(name, digest, user):
    """Why `user` may not take transition `name` on `digest` now, or None when they may."""
    transition = TRANSITIONS[name]
    if digest.status not in transition.sources:
        allowed = " or ".join(_label(s) for s in transition.sources)
        return f"Cannot {transition.label.lower()}: the digest is {_label(digest.status)}, it must be {allowed}."
    if name == "unpublish" and not digest.is_live:
        return _("Cannot unpublish: nothing of this digest is live.")
    perm = _perm_for(transition, digest)
    if user is None or not user.has_perm(perm):
        return f"You may not {transition.label.lower()} this digest: that needs the “{perm.split('.')[1]}” right."
    if name == "approve" and not settings.NEWSROOM_ALLOW_SELF_APPROVAL:
        if user.pk in (digest.submitted_by_id, digest.last_edited_by_id):
            return ("You cannot approve a digest you submitted or last edited: "
                    "another reviewer has to approve it (four-eyes rule).")
    return None


def available(digest, user):
    """The transitions `user` may take on `digest` now (the admin shows exactly these)."""
    result = []
    for name, transition in TRANSITIONS.items():
        if blocked_reason(name, digest, user) is None:
            if name == "submit" and incomplete_reasons(digest):
                continue
            result.append(transition)
    return result


def _lock(digest):
    return Digest.objects.select_for_update(of=("self",)).select_related("series").get(pk=digest.pk)


def _sync(target, source):
    """Copy the committed state onto the caller's instance so it sees what happened."""
    for field in ("status", "version", "submitted_by_id", "last_edited_by_id", "live_snapshot", "published_at",
                  "publish_at", "updated_at", *LIVE_FIELDS):
        setattr(target, field, getattr(source, field))
    return target


def _on_commit(func):
    transaction.on_commit(func)


def _queue_on_commit(task, *args):
    """Queue a follow-up task once committed; a broker outage is logged, never raised into the committed request.

    Nothing is lost: the beat's reconcile finds the work in the database a minute later.
    """
    from .tasks import send

    _on_commit(lambda: send(task, *args))


# The live version's address (models.Digest): set at publication, kept while the digest is reopened.
LIVE_FIELDS = ("live_series_id", "live_date", "live_slug", "live_category")


def _go_live(locked, snapshot, check=True):
    """Make `snapshot` the live version at the digest's current address; the fields to save.

    Refused when another live digest's post has that file name (the blog has one file per date and slug);
    unchecked, the database's unique_live_post_file constraint refuses it.
    """
    other = check and (Digest.objects.live().filter(live_date=locked.date, live_slug=locked.slug)
                       .exclude(pk=locked.pk).first())
    if other:
        raise TransitionError(_("Cannot publish: the live digest “%(other)s” is already at %(date)s/%(slug)s; "
                                "change this digest's date or slug, or unpublish the other one first.")
                              % {"other": other, "date": locked.date, "slug": locked.slug})
    locked.live_snapshot = snapshot
    locked.live_series_id, locked.live_date = locked.series_id, locked.date
    locked.live_slug, locked.live_category = locked.slug, locked.jekyll_category
    return ["live_snapshot", *LIVE_FIELDS]


def _withdraw(locked):
    locked.live_snapshot = None
    locked.live_series_id, locked.live_date, locked.live_slug, locked.live_category = None, None, "", ""
    return ["live_snapshot", *LIVE_FIELDS]


def _target(transition, from_status):
    # Unpublishing a reopened digest takes its live version away and leaves the draft where it is.
    if transition.name == "unpublish" and from_status != Status.PUBLISHED:
        return from_status
    return transition.target


def _transition(name, digest, user, comment="", *, system=False, apply=None, after=None):
    transition = TRANSITIONS[name]
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise TransitionError(f"{transition.label} needs a comment that tells the editor why.")
    with transaction.atomic():
        locked = _lock(digest)
        if system:
            if locked.status not in transition.sources:
                raise TransitionError(f"Cannot {transition.label.lower()}: the digest is {_label(locked.status)}.")
        else:
            reason = blocked_reason(name, locked, user)
            if reason:
                raise TransitionError(reason)
        if transition.checks_version and not system and digest.version != locked.version:
            raise StaleVersionError(
                f"Cannot {transition.label.lower()}: the digest was changed since you opened it "
                f"(you saw version {digest.version}, it is now {locked.version}). Reload it and look again."
            )
        from_status = locked.status
        locked.status = _target(transition, from_status)
        fields = ["status", "updated_at"]
        data = {}
        if apply:
            fields += apply(locked, data)
        locked.save(update_fields=fields)
        ReviewEvent.objects.create(
            digest=locked, actor=user if not system else None, action=name, from_status=from_status,
            to_status=locked.status, comment=comment, data=data,
        )
        if after:
            after(locked, from_status, comment)
    log.info("digest %s: %s by %s (%s -> %s)", locked.pk, name, user or "system", from_status, locked.status)
    return _sync(digest, locked)


def submit(digest, user):
    """draft/changes requested → in review; refused while the digest is incomplete."""
    reasons = incomplete_reasons(digest)
    if reasons:
        raise TransitionError("The digest is not complete yet: " + "; ".join(reasons) + ".")

    def apply(locked, data):
        locked.submitted_by = user
        return ["submitted_by"]

    return _transition("submit", digest, user, apply=apply,
                       after=lambda d, f, c: notifications.after_commit(notifications.submitted, d, user))


def approve(digest, user, comment="", override=False):
    """in review → approved; never by who submitted or last edited it, unless self-approval is allowed.

    Refused while a summary sentence is unsupported by its sources, unless the reviewer overrides
    that with a comment saying why (kept with the approval in the timeline).
    """
    def apply(locked, data):
        from . import evidence

        problems = evidence.unsupported(locked)
        if problems and not (override and (comment or "").strip()):
            raise TransitionError(_(
                "Cannot approve: %(count)s sentences are not supported by their sources (%(list)s). Correct them, "
                "or approve with “override” and a comment that says why.") % {
                    "count": len(problems), "list": evidence.describe_unsupported(problems)})
        if problems:
            data["override_unsupported"] = [{"item": n, "sentence": v["text"], "reasons": v["reasons"]}
                                            for n, v in problems]
        return []

    return _transition("approve", digest, user, comment, apply=apply,
                       after=lambda d, f, c: notifications.after_commit(notifications.reviewed, d, Action.APPROVE, user, c))


def request_changes(digest, user, comment):
    """in review → changes requested, with a comment for the editor."""
    return _transition("request_changes", digest, user, comment,
                       after=lambda d, f, c: notifications.after_commit(notifications.reviewed, d, Action.REQUEST_CHANGES, user, c))


def reject(digest, user, comment):
    """in review → rejected, with a comment saying why."""
    return _transition("reject", digest, user, comment,
                       after=lambda d, f, c: notifications.after_commit(notifications.reviewed, d, Action.REJECT, user, c))


def _publish(digest, user, comment="", system=False):
    from . import publishing
    from .posts import digest_to_post, post_to_snapshot, publication_time, with_content

    def apply(locked, data):
        fields = []
        # Republishing over a version readers already see is a correction.
        data["corrected"] = locked._corrected = locked.live_snapshot is not None
        previous = publishing.post_relpath(locked)
        # A new date moves the post: its front matter date (Jekyll's permalink) moves with it.
        moved_day = locked.live_date is not None and locked.live_date != locked.date
        if locked.published_at is None or moved_day:
            locked.published_at = publication_time(locked, timezone.now())
            fields.append("published_at")
        if locked.publish_at is not None:
            # The schedule is used up: a later re-approval must not publish by itself.
            data["scheduled_for"] = locked.publish_at.isoformat()
            locked.publish_at = None
            fields.append("publish_at")
        fresh = with_content(Digest.objects.filter(pk=locked.pk)).get()
        fresh.published_at = locked.published_at
        post = digest_to_post(fresh)
        problems = safety.post_problems(post)
        if problems:
            raise TransitionError("Cannot publish: " + "; ".join(problems) + ". Reopen the digest to fix it.")
        fields += _go_live(locked, post_to_snapshot(post))
        if previous and previous != publishing.post_relpath(locked):
            data["moved_from"] = previous
        # What the blog must hold, in this transaction: the beat's reconcile delivers it even if the broker is down.
        publishing.expect(locked, previous)
        return fields

    def after(locked, from_status, comment):
        from . import tasks

        _queue_on_commit(tasks.reconcile_blog)
        signal = signals.digest_corrected if locked._corrected else signals.digest_published
        _on_commit(lambda: signal.send(sender=Digest, digest=locked))

    return _transition("publish", digest, user, comment, system=system, apply=apply, after=after)


def record_import(digest, status, actor, post, data):
    """Save a digest stored from a blog post with the status the import states (inside the import's transaction).

    Published, it goes live with `post` (what the import stores) after the same safety check as
    publish, and with the same signals; otherwise readers keep whatever version was live.
    """
    from .posts import post_to_snapshot

    from_status = "" if data.get("created") else digest.status
    signal = None
    if status == Status.PUBLISHED:
        problems = safety.post_problems(post)
        if problems:
            raise TransitionError("Cannot publish: " + "; ".join(problems) + ".")
        snapshot = post_to_snapshot(post)
        if snapshot != digest.live_snapshot:
            signal = signals.digest_corrected if digest.live_snapshot is not None else signals.digest_published
        # The post came from the blog: nothing to export, but readers find it at the file's address.
        # (Two files of one folder cannot share a name: the constraint alone guards the rare clash.)
        _go_live(digest, snapshot, check=False)
    digest.status = status
    digest.save()
    ReviewEvent.objects.create(digest=digest, actor=actor, action=Action.IMPORT, from_status=from_status,
                               to_status=status, data=data)
    if signal is not None:
        _on_commit(lambda: signal.send(sender=Digest, digest=digest))
    return digest


def publish(digest, user):
    """approved → published: becomes the version readers see, and the export is queued."""
    return _publish(digest, user)


def unpublish(digest, user, comment):
    """Take the live version away (published → approved; a reopened digest keeps its status); the blog loses the post."""
    from . import publishing

    def apply(locked, data):
        previous = publishing.post_relpath(locked)
        fields = _withdraw(locked)
        data["removed"] = previous
        publishing.expect(locked, previous)
        return fields

    def after(locked, from_status, comment):
        from . import tasks

        _queue_on_commit(tasks.reconcile_blog)
        _on_commit(lambda: signals.digest_unpublished.send(sender=Digest, digest=locked))

    return _transition("unpublish", digest, user, comment, apply=apply, after=after)


def reopen(digest, user, comment=""):
    """approved/rejected/published → draft for corrections; readers keep the last published version."""
    return _transition("reopen", digest, user, comment)


def schedule(digest, user, publish_at):
    """Set (or clear, with None) when an approved digest publishes itself; a publisher's right."""
    if user is None or not user.has_perm(PUBLISH_PERM):
        raise TransitionError("You may not schedule this digest: that needs the “publish_digest” right.")
    with transaction.atomic():
        locked = _lock(digest)
        if locked.status in (Status.PUBLISHED, Status.REJECTED):
            raise TransitionError(f"Cannot schedule: the digest is {_label(locked.status)}.")
        if locked.publish_at == publish_at:
            return _sync(digest, locked)
        old = locked.publish_at
        locked.publish_at = publish_at
        locked.save(update_fields=["publish_at", "updated_at"])
        ReviewEvent.objects.create(
            digest=locked, actor=user, action=Action.SCHEDULE, from_status=locked.status, to_status=locked.status,
            comment="" if publish_at else "schedule cleared",
            data={"publish_at": publish_at.isoformat() if publish_at else None,
                  "was": old.isoformat() if old else None},
        )
    return _sync(digest, locked)


def publish_due(now=None):
    """Publish approved digests whose publish_at has come; the actor is the system (None), comment "scheduled"."""
    now = now or timezone.now()
    published = []
    due = Digest.objects.filter(status=Status.APPROVED, publish_at__lte=now).order_by("publish_at", "pk")
    for digest in due:
        try:
            published.append(_publish(digest, None, comment="scheduled", system=True))
        except TransitionError as exc:
            # Someone else acted on it in between (published, reopened): nothing to do.
            log.info("scheduled publish of digest %s skipped: %s", digest.pk, exc)
    return published


def check_editable(digest, user, version=None):
    """Lock the digest for a content change by `user`, refusing read-only digests and stale versions.

    Call inside a transaction; returns the locked row.
    """
    # user None is trusted server code (e.g. the generation service regenerating an item).
    if user is not None and not user.has_perm(EDIT_PERM):
        raise TransitionError("You may not edit digests.")
    locked = _lock(digest)
    if not locked.is_editable:
        raise TransitionError(
            f"This digest is {_label(locked.status)} and read-only: reopen it to make a correction."
        )
    if version is not None and int(version) != locked.version:
        raise StaleVersionError(
            f"Someone else saved this digest after you opened it (you started from version {version}, "
            f"it is now version {locked.version}). Nothing was overwritten."
        )
    return locked


def record_edit(digest, user, changes: dict):
    """Log a content change: bump the version, remember the editor, audit it; does nothing without changes."""
    if not changes:
        return digest
    with transaction.atomic():
        locked = check_editable(digest, user)
        locked.version += 1
        locked.last_edited_by = user
        locked.save(update_fields=["version", "last_edited_by", "updated_at"])
        ReviewEvent.objects.create(
            digest=locked, actor=user, action=Action.EDIT, from_status=locked.status, to_status=locked.status,
            data={"changes": changes, "version": locked.version},
        )
    return _sync(digest, locked)


def comment(digest, user, text, news_item=None):
    """A review comment on the digest or one of its items; changes nothing else."""
    text = (text or "").strip()
    if not text:
        raise TransitionError("The comment is empty.")
    if user is None or not user.has_perm(SUBMIT_PERM):
        raise TransitionError("You may not comment on digests.")
    if news_item is not None and news_item.digest_id != digest.pk:
        raise TransitionError("That item belongs to another digest.")
    return ReviewEvent.objects.create(
        digest=digest, news_item=news_item, actor=user, action=Action.COMMENT, from_status=digest.status,
        to_status=digest.status, comment=text,
    )
