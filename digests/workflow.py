"""The editorial workflow: the only code that changes a digest's status."""
import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from . import notifications, queue, safety, signals
from .models import Digest, NewsItem, ReviewEvent, Status

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


class IncompleteError(TransitionError):
    """The digest fails the content gate (completeness, safety, flags); `reasons` names each item and field."""

    def __init__(self, message, reasons):
        super().__init__(message)
        self.reasons = reasons


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
    # Whether the content must pass the gate: complete and safe (and, to approve, no open flag).
    checks_content: bool = False


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", gettext_lazy("Submit for review"), (Status.DRAFT, Status.CHANGES_REQUESTED),
                   Status.IN_REVIEW, SUBMIT_PERM, checks_version=True, checks_content=True),
        Transition("approve", gettext_lazy("Approve"), (Status.IN_REVIEW,), Status.APPROVED, REVIEW_PERM,
                   checks_version=True, checks_content=True),
        Transition("request_changes", gettext_lazy("Request changes"), (Status.IN_REVIEW,), Status.CHANGES_REQUESTED,
                   REVIEW_PERM, needs_comment=True),
        Transition("reject", gettext_lazy("Reject"), (Status.IN_REVIEW,), Status.REJECTED, REVIEW_PERM,
                   needs_comment=True),
        Transition("publish", gettext_lazy("Publish"), (Status.APPROVED,), Status.PUBLISHED, PUBLISH_PERM,
                   checks_version=True, checks_content=True),
        # Whenever something is live, a reopened digest too; only a published one goes back to approved.
        Transition("unpublish", gettext_lazy("Unpublish"), tuple(Status.values), Status.APPROVED, PUBLISH_PERM,
                   needs_comment=True),
        # Reopening a published post is a publisher's call: it starts a correction of what readers see.
        Transition("reopen", gettext_lazy("Reopen for editing"), (Status.APPROVED, Status.REJECTED, Status.PUBLISHED),
                   Status.DRAFT, REVIEW_PERM),
    ]
}


def _label(status):
    return Status(status).label


def _perm_for(transition, digest):
    if transition.name == "reopen" and digest.status == Status.PUBLISHED:
        return PUBLISH_PERM
    return transition.perm


def item_name(number, item):
    """“item 2 (“Title”)”: how every refusal names an item."""
    if item.title.strip():
        return _("item %(number)s (“%(title)s”)") % {"number": number, "title": item.title.strip()[:60]}
    return _("item %(number)s") % {"number": number}


def _content(digest):
    from .posts import with_content

    return with_content(Digest.objects.filter(pk=digest.pk)).get()


def incomplete_reasons(digest, content=None):
    """Why the digest may not pass a gate (submit, a save in review, approve, publish); empty when it may.

    `content` is the digest with its items, insights, sources and tags prefetched (loaded when not given).
    """
    from .posts import digest_to_post

    series = digest.series
    content = _content(digest) if content is None else content
    items = list(content.items.all())
    reasons = []
    if len(items) < series.item_count:
        reasons.append(_("the digest has %(count)s of the %(needed)s news items %(series)s needs")
                       % {"count": len(items), "needed": series.item_count, "series": series.name})
    if not digest.title.strip():
        reasons.append(_("the digest's title is empty"))
    for number, item in enumerate(items, start=1):
        name = item_name(number, item)
        for field, value in ((_("title"), item.title), (_("summary"), item.summary)):
            if not value.strip():
                reasons.append(_("%(item)s: the %(field)s is empty") % {"item": name, "field": field})
        if not any(source.url.strip() for source in item.sources.all()):
            reasons.append(_("%(item)s: no source URL") % {"item": name})
        insights = [i for i in item.insights.all() if i.text.strip()]
        if len(insights) < series.insight_count:
            reasons.append(_("%(item)s: %(count)s of %(needed)s insights are written")
                           % {"item": name, "count": len(insights), "needed": series.insight_count})
    # The one safety check, on the post the export would write (with the caller's title and footer).
    content.title, content.footer = digest.title, digest.footer
    return reasons + safety.post_problems(digest_to_post(content))


def flag_reasons(items):
    """Items still flagged "needs attention": an editor clears the flag or a reviewer overrides it with a comment."""
    return [_("%(item)s needs attention: an editor has to clear the flag, or a reviewer to override it with a "
              "comment") % {"item": item_name(number, item)}
            for number, item in enumerate(items, start=1) if item.is_flagged]


def gate_reasons(digest, name):
    """Everything that holds `digest` back at gate `name` ("submit", "save", "approve", "publish")."""
    content = _content(digest)
    reasons = incomplete_reasons(digest, content)
    if name == "approve":
        reasons += flag_reasons(list(content.items.all()))
    return reasons


def _refuse(action, reasons):
    message = _("Cannot %(action)s: %(reasons)s.") % {"action": action, "reasons": "; ".join(reasons)}
    return IncompleteError(message, reasons)


def editors_since_submission(digest):
    """Who changed the digest's content since it was last submitted (they may not approve it)."""
    last_submit = (ReviewEvent.objects.filter(digest=digest, action=Action.SUBMIT).order_by("-pk").values("pk")[:1])
    return set(
        ReviewEvent.objects.filter(digest=digest, action=Action.EDIT, pk__gt=Subquery(last_submit))
        .exclude(actor=None).values_list("actor_id", flat=True)
    )


def changed_since_submission(user_ref):
    """A queryset condition: `user_ref` edited the digest since its last submission (for the review queue)."""
    last_submit = (ReviewEvent.objects.filter(digest=OuterRef(OuterRef("pk")), action=Action.SUBMIT)
                   .order_by("-pk").values("pk")[:1])
    return Exists(ReviewEvent.objects.filter(digest=OuterRef("pk"), action=Action.EDIT, actor=user_ref,
                                             pk__gt=Subquery(last_submit)))


def blocked_reason(name, digest, user):
    """Why `user` may not take transition `name` on `digest` now, or None when they may."""
    transition = TRANSITIONS[name]
    if digest.status not in transition.sources:
        allowed = _(" or ").join(str(_label(s)) for s in transition.sources)
        return _("Cannot %(action)s: the digest is %(status)s, it must be %(allowed)s.") % {
            "action": transition.label, "status": _label(digest.status), "allowed": allowed}
    if name == "unpublish" and not digest.is_live:
        return _("Cannot unpublish: nothing of this digest is live.")
    perm = _perm_for(transition, digest)
    if user is None or not user.has_perm(perm):
        return _("You may not %(action)s this digest: that needs the “%(right)s” right.") % {
            "action": transition.label, "right": perm.split(".")[1]}
    if name == "approve" and not settings.NEWSROOM_ALLOW_SELF_APPROVAL:
        if user.pk in (digest.submitted_by_id, digest.last_edited_by_id) or user.pk in editors_since_submission(digest):
            return _("You cannot approve a digest you submitted or changed since it was submitted: "
                     "another reviewer has to approve it (four-eyes rule).")
    return None


def available(digest, user):
    """The transitions `user` may take on `digest` now (the admin shows exactly these).

    Submit is offered even while the digest is incomplete: pressing it says what is missing.
    """
    return [transition for name, transition in TRANSITIONS.items() if blocked_reason(name, digest, user) is None]


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


def _queue_on_commit(task_name, *args):
    """Queue a follow-up task once committed; a broker outage is logged, never raised into the committed request.

    Nothing is lost: the beat's reconcile finds the work in the database a minute later.
    """
    _on_commit(lambda: queue.send(task_name, *args))


# The live version's address (models.Digest): set at publication, kept while the digest is reopened.
LIVE_FIELDS = ("live_series_id", "live_date", "live_slug", "live_category", "live_changed_at")


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
    locked.live_changed_at = timezone.now()
    return ["live_snapshot", *LIVE_FIELDS]


def _withdraw(locked):
    locked.live_snapshot = None
    locked.live_series_id, locked.live_date, locked.live_slug, locked.live_category = None, None, "", ""
    locked.live_changed_at = None
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
        raise TransitionError(_("%(action)s needs a comment that tells the editor why.") % {"action": transition.label})
    with transaction.atomic():
        locked = _lock(digest)
        if system:
            if locked.status not in transition.sources:
                raise TransitionError(_("Cannot %(action)s: the digest is %(status)s.") % {
                    "action": transition.label, "status": _label(locked.status)})
        else:
            reason = blocked_reason(name, locked, user)
            if reason:
                raise TransitionError(reason)
        if transition.checks_version and not system and digest.version != locked.version:
            raise StaleVersionError(
                _("Cannot %(action)s: the digest was changed since you opened it (you saw version %(seen)s, it is "
                  "now %(current)s). Reload it and look again.")
                % {"action": transition.label, "seen": digest.version, "current": locked.version}
            )
        if transition.checks_content:
            reasons = gate_reasons(locked, name)
            if reasons:
                raise _refuse(transition.label, reasons)
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

    def apply(locked, data):
        locked.submitted_by = user
        return ["submitted_by"]

    return _transition("submit", digest, user, apply=apply,
                       after=lambda d, f, c: notifications.after_commit(notifications.submitted, d, user))


def approve(digest, user, comment="", override=False):
    """in review → approved: complete, no open flag, and never by who submitted it or changed it since.

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
            raise TransitionError(_("Cannot publish: %(reasons)s. Reopen the digest to fix it.")
                                  % {"reasons": "; ".join(problems)})
        fields += _go_live(locked, post_to_snapshot(post))
        if previous and previous != publishing.post_relpath(locked):
            data["moved_from"] = previous
        # What the blog must hold, in this transaction: the beat's reconcile delivers it even if the broker is down.
        publishing.expect(locked, previous)
        return fields

    def after(locked, from_status, comment):
        _queue_on_commit("digests.tasks.reconcile_blog")
        signal = signals.digest_corrected if locked._corrected else signals.digest_published
        _on_commit(lambda: signal.send(sender=Digest, digest=locked))

    return _transition("publish", digest, user, comment, system=system, apply=apply, after=after)


class ImportRecorder:
    """Digests stored from blog posts, saved with the status the import states inside the import's transaction.

    record() is the import's one state change. Updated digests save at once; new digests and every audit
    row wait in `digests` and `events` until write() inserts each list in one statement (saved a row at a
    time they were a third of an import), and the publish signals in `signals` until write() queues them
    for the commit. What a caller drops from the lists before write() is neither written nor signalled.
    """

    def __init__(self):
        self.digests, self.events, self.signals = [], [], []

    def record(self, digest, status, actor, post, data):
        """Published, the digest goes live with `post` (what the import stores) after the same safety check as
        publish, and with the same signals; otherwise readers keep whatever version was live."""
        from .posts import post_to_snapshot

        from_status = "" if data.get("created") else digest.status
        signal = None
        if status == Status.PUBLISHED:
            problems = safety.post_problems(post)
            if problems:
                raise TransitionError(_("Cannot publish: %(reasons)s.") % {"reasons": "; ".join(problems)})
            snapshot = post_to_snapshot(post)
            if snapshot != digest.live_snapshot:
                signal = signals.digest_corrected if digest.live_snapshot is not None else signals.digest_published
            # The post came from the blog: nothing to export, but readers find it at the file's address.
            # (Two files of one folder cannot share a name: the constraint alone guards the rare clash.)
            _go_live(digest, snapshot, check=False)
        digest.status = status
        if digest.pk is None:
            self.digests.append(digest)
        else:
            digest.save()
        self.events.append(ReviewEvent(digest=digest, actor=actor, action=Action.IMPORT, from_status=from_status,
                                       to_status=status, data=data))
        if signal is not None:
            self.signals.append((signal, digest))
        return digest

    def write(self):
        """Insert the waiting digests, then the audit rows (which take the digests' new ids)."""
        from . import readers

        Digest.objects.bulk_create(self.digests)
        # A bulk insert sends no post_save: tell readers of the new live versions as a save would have.
        live = [d.pk for d in self.digests if d.live_snapshot is not None]
        if live:
            readers.live_changed(live)
        ReviewEvent.objects.bulk_create(self.events)
        for signal, digest in self.signals:
            _on_commit(functools.partial(signal.send, sender=Digest, digest=digest))
        self.digests.clear()
        self.events.clear()
        self.signals.clear()


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
        _queue_on_commit("digests.tasks.reconcile_blog")
        _on_commit(lambda: signals.digest_unpublished.send(sender=Digest, digest=locked))

    return _transition("unpublish", digest, user, comment, apply=apply, after=after)


def reopen(digest, user, comment=""):
    """approved/rejected/published → draft for corrections; readers keep the last published version."""
    return _transition("reopen", digest, user, comment)


def schedule(digest, user, publish_at):
    """Set (or clear, with None) when an approved digest publishes itself; a publisher's right."""
    if user is None or not user.has_perm(PUBLISH_PERM):
        raise TransitionError(_("You may not schedule this digest: that needs the “publish_digest” right."))
    with transaction.atomic():
        locked = _lock(digest)
        if locked.status in (Status.PUBLISHED, Status.REJECTED):
            raise TransitionError(_("Cannot schedule: the digest is %(status)s.") % {"status": _label(locked.status)})
        if locked.publish_at == publish_at:
            return _sync(digest, locked)
        old = locked.publish_at
        locked.publish_at = publish_at
        locked.save(update_fields=["publish_at", "updated_at"])
        ReviewEvent.objects.create(
            digest=locked, actor=user, action=Action.SCHEDULE, from_status=locked.status, to_status=locked.status,
            comment="" if publish_at else _("schedule cleared"),
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
        except IncompleteError as exc:
            _refuse_scheduled(digest, exc.reasons)
        except TransitionError as exc:
            # Someone else acted on it in between (published, reopened): nothing to do.
            log.info("scheduled publish of digest %s skipped: %s", digest.pk, exc)
    return published


def _refuse_scheduled(digest, reasons):
    """A due publication that fails the gate: not published, the schedule used up, recorded, the publishers told."""
    with transaction.atomic():
        locked = _lock(digest)
        if locked.publish_at is None:
            return
        ReviewEvent.objects.create(
            digest=locked, action=Action.PUBLISH_REFUSED, from_status=locked.status, to_status=locked.status,
            comment="; ".join(reasons), data={"scheduled_for": locked.publish_at.isoformat(), "reasons": reasons},
        )
        # Retrying every minute would only repeat the refusal (and the mail): a publisher reschedules.
        locked.publish_at = None
        locked.save(update_fields=["publish_at", "updated_at"])
        notifications.after_commit(notifications.scheduled_publication_refused, locked, reasons)
    log.warning("scheduled publish of digest %s refused: %s", digest.pk, "; ".join(reasons))


def check_editable(digest, user, version=None):
    """Lock the digest for a content change by `user`, refusing read-only digests and stale versions.

    Call inside a transaction; returns the locked row.
    """
    # user None is trusted server code (e.g. the generation service regenerating an item).
    if user is not None and not user.has_perm(EDIT_PERM):
        raise TransitionError(_("You may not edit digests."))
    locked = _lock(digest)
    if not locked.is_editable:
        raise TransitionError(
            _("This digest is %(status)s and read-only: reopen it to make a correction.") % {
                "status": _label(locked.status)}
        )
    if version is not None and int(version) != locked.version:
        raise StaleVersionError(
            _("Someone else saved this digest after you opened it (you started from version %(seen)s, it is now "
              "version %(current)s). Nothing was overwritten.") % {"seen": version, "current": locked.version}
        )
    return locked


def record_edit(digest, user, changes: dict):
    """Log a content change: bump the version, remember the editor, audit it; does nothing without changes.

    Call it after writing the change, in the same transaction: a digest in review must still pass the
    gate afterwards, or the change is refused (IncompleteError) and rolled back with the caller's.
    """
    if not changes:
        return digest
    with transaction.atomic():
        locked = check_editable(digest, user)
        if locked.status == Status.IN_REVIEW:
            reasons = gate_reasons(locked, "save")
            if reasons:
                raise _refuse(_("save"), reasons)
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
        raise TransitionError(_("The comment is empty."))
    if user is None or not user.has_perm(SUBMIT_PERM):
        raise TransitionError(_("You may not comment on digests."))
    if news_item is not None and news_item.digest_id != digest.pk:
        raise TransitionError(_("That item belongs to another digest."))
    return ReviewEvent.objects.create(
        digest=digest, news_item=news_item, actor=user, action=Action.COMMENT, from_status=digest.status,
        to_status=digest.status, comment=text,
    )


def override_attention(news_item, user, text):
    """A reviewer lets a flagged item go out as it is, saying why; the content is unchanged (four-eyes holds)."""
    text = (text or "").strip()
    if user is None or not user.has_perm(REVIEW_PERM):
        raise TransitionError(_("Only a reviewer may override a flag."))
    if not text:
        raise TransitionError(_("Overriding a flag needs a comment that says why the item may go out as it is."))
    with transaction.atomic():
        locked = _lock(news_item.digest)
        if locked.status != Status.IN_REVIEW:
            raise TransitionError(_("Flags are overridden during review; the digest is %(status)s.")
                                  % {"status": _label(locked.status)})
        item = NewsItem.objects.select_for_update().get(pk=news_item.pk, digest=locked)
        if not item.needs_attention:
            raise TransitionError(_("This item is not flagged."))
        item.attention_override, item.attention_override_by = text, user
        item.save(update_fields=["attention_override", "attention_override_by"])
        ReviewEvent.objects.create(digest=locked, news_item=item, actor=user, action=Action.OVERRIDE,
                                   from_status=locked.status, to_status=locked.status, comment=text)
    return item
