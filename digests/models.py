"""The newsroom's data: series, digests with their items and insights, and what feeds them."""
import datetime as dt
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager

from . import jekyll


def validate_timezone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"Unknown time zone {value!r}") from exc


def validate_title_template(value):
    if "{date}" not in value:
        raise ValidationError("The title template must contain {date}, e.g. “[{date}] 글로벌 IT 뉴스 Top 5”.")


DEFAULT_FOOTER = "이 포스팅은 Gemini AI가 제공한 뉴스 데이터를 기반으로 작성되었습니다."


class Series(models.Model):
    """A daily digest line of the blog: one post per day under one category."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    jekyll_category = models.CharField(max_length=100, unique=True)
    # The blog's first posts used "news" for what is now "tech": imported, they join this series
    # and keep their own category (and so their /news/... permalink).
    other_categories = models.CharField(
        max_length=200, blank=True,
        help_text="Space-separated categories of the series' older posts, e.g. “news”; they keep their URLs")
    post_slug = models.SlugField(max_length=100, help_text="File name slug: _posts/<date>-<post slug>.md")
    title_template = models.CharField(max_length=200, validators=[validate_title_template])
    item_count = models.PositiveSmallIntegerField(default=5)
    insight_count = models.PositiveSmallIntegerField(default=2)
    layout = models.CharField(max_length=50, default="default")
    footer = models.TextField(blank=True, default=DEFAULT_FOOTER)
    timezone = models.CharField(max_length=64, default="Asia/Seoul", validators=[validate_timezone])
    # The daily generation runs at this local time; candidates come from before it.
    schedule_time = models.TimeField(default=dt.time(12, 0))

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.name

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def categories(self):
        return [self.jekyll_category, *self.other_categories.split()]

    def title_for(self, date):
        return self.title_template.format(date=date.isoformat())

    def scheduled_at(self, date):
        return dt.datetime.combine(date, self.schedule_time, tzinfo=self.tzinfo)


class PrefetchedTaggableManager(TaggableManager):
    """A TaggableManager whose form value comes from prefetch_related("tags") when the instance has it.

    taggit reads an instance's tags for its form with a query of its own, prefetched or not: on the
    digest change form that was one query per item.
    """

    def value_from_object(self, obj):
        cached = getattr(obj, "_prefetched_objects_cache", {}).get(self.name)
        if cached is not None:
            return list(cached)
        return super().value_from_object(obj)


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


class DigestQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def live(self):
        """Digests readers may see: those with a published version (even if reopened since)."""
        return self.filter(live_snapshot__isnull=False)

    def at_live_url(self, category, date, slug):
        """The live digest at /<category>/<yyyy>/<mm>/<dd>/<slug>.html: its live version's address, not its draft's."""
        return self.live().filter(live_category=category, live_date=date, live_slug=slug)

    def in_live_series(self, series):
        """Live digests whose published version belongs to `series` (a reopened draft may name another)."""
        return self.live().filter(live_series=series)

    def editable(self):
        return self.filter(status__in=[Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED])


class Digest(models.Model):
    """One day's Top-N post of a series."""

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="digests")
    date = models.DateField()
    slug = models.SlugField(max_length=100, help_text="The post slug of the file name")
    # Blank: the series' category. Set for posts of one of the series' other (older) categories.
    category = models.CharField(max_length=100, blank=True, help_text="Empty: the series' category")
    title = models.CharField(max_length=300)
    published_at = models.DateTimeField(null=True, blank=True, help_text="The front matter date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    tags = TaggableManager(blank=True)
    footer = models.TextField(blank=True, default="", help_text="Empty: the post has no footer")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Workflow state.
    publish_at = models.DateTimeField(null=True, blank=True, help_text="Publish automatically at this time once approved")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_digests"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # Bumped on every content change (items and insights included): a save based on
    # an older version is refused rather than overwriting someone else's edit.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The version readers see (a jekyll.Post as JSON); kept while a published digest is reopened.
    live_snapshot = models.JSONField(null=True, blank=True, editable=False)
    # The live version's address, set at publication and kept while the digest is reopened: a new
    # series, date or slug in the draft moves the public URL and the blog's file at republication.
    live_series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    editable=False)
    live_date = models.DateField(null=True, blank=True, editable=False)
    live_slug = models.SlugField(max_length=100, blank=True, editable=False)
    live_category = models.CharField(max_length=100, blank=True, editable=False)
    # The draft as the writer produced it, for the review diff.
    generated_snapshot = models.JSONField(null=True, blank=True, editable=False)
    # Writer, model, prompt version, candidate ids, tokens, latency, warnings.
    provenance = models.JSONField(default=dict, blank=True, editable=False)

    objects = DigestQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "series__slug"]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="unique_digest_per_series_date"),
            # The blog names a post's file by date and slug only: two live digests cannot share one.
            models.UniqueConstraint(fields=["live_date", "live_slug"], condition=models.Q(live_date__isnull=False),
                                    name="unique_live_post_file"),
        ]
        indexes = [models.Index(fields=["status", "-date"]), models.Index(fields=["-date"]),
                   models.Index(fields=["-live_date"], name="digest_live_date_idx")]
        permissions = [
            ("submit_digest", "Can submit a digest for review"),
            ("review_digest", "Can approve, request changes or reject a digest"),
            ("publish_digest", "Can publish, unpublish and schedule a digest"),
        ]

    def __str__(self):
        return self.title or f"{self.series} {self.date}"

    @property
    def is_editable(self):
        return self.status in (Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED)

    @property
    def is_live(self):
        return self.live_snapshot is not None

    @property
    def jekyll_category(self):
        """The post's category: the series' unless the digest has one of its own."""
        return self.category or self.series.jekyll_category

    def get_absolute_url(self):
        """The reader's URL: the live version's while one is live, else where the draft would be published."""
        if self.live_date is not None:
            return jekyll.permalink(self.live_category, self.live_date, self.live_slug)
        return jekyll.permalink(self.jekyll_category, self.date, self.slug)


class NewsItem(models.Model):
    """One story of a digest."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300, blank=True)
    summary = MarkdownxField(blank=True)
    tags = PrefetchedTaggableManager(blank=True)
    # Set when the writer could not do its job (the extractive fallback leaves no insights).
    needs_attention = models.BooleanField(default=False)
    candidate_id = models.CharField(max_length=100, blank=True, help_text="The merged story this item was written from")
    # Each summary sentence's cited source, quote and verdict (digests.verify), and whether the story is a follow-up.
    provenance = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["digest", "position"], name="unique_item_position")]

    def __str__(self):
        return self.title or f"Item {self.position}"


class ItemSource(models.Model):
    """One article a news item rests on; a story told by several outlets has several, in order."""

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveSmallIntegerField(default=0)
    url = models.URLField(max_length=2000)
    name = models.CharField(max_length=200, blank=True, help_text="The outlet, e.g. TechCrunch")
    # The feed entry it came from (title, the feed's text), when generation found it.
    entry = models.ForeignKey("FeedEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name or self.url

    @property
    def domain(self):
        return outlet_domain(self.url)


def outlet_domain(url):
    """`techcrunch.com` for https://www.techcrunch.com/...: what readers see beside a source."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


class Insight(models.Model):
    """One implication (💡 시사점) of a news item."""

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="insights")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=200, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.label or self.text[:50]


class ReviewEvent(models.Model):
    """The audit trail: every transition and every content change during review."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        IMPORT = "import", "Imported"
        EDIT = "edit", "Edited"
        COMMENT = "comment", "Commented"
        SUBMIT = "submit", "Submitted"
        APPROVE = "approve", "Approved"
        REQUEST_CHANGES = "request_changes", "Requested changes"
        REJECT = "reject", "Rejected"
        PUBLISH = "publish", "Published"
        UNPUBLISH = "unpublish", "Unpublished"
        REOPEN = "reopen", "Reopened"
        SCHEDULE = "schedule", "Scheduled"
        EXPORT = "export", "Exported"

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="events")
    news_item = models.ForeignKey(NewsItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor or 'system'}"


class Source(models.Model):
    """A news feed read for a series, with its conditional-GET state."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=1000)
    weight = models.FloatField(default=1.0)
    active = models.BooleanField(default=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_status = models.CharField(max_length=100, blank=True, help_text="ok, not_modified or the failure kind")
    last_error = models.TextField(blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["series__slug", "name"]
        constraints = [models.UniqueConstraint(fields=["series", "url"], name="unique_source_url_per_series")]

    def __str__(self):
        return f"{self.name} ({self.series.slug})"


class FeedEntry(models.Model):
    """One entry read from a source's feed."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="entries")
    guid = models.CharField(max_length=1000)
    url = models.URLField(max_length=2000, blank=True)
    canonical_url = models.URLField(max_length=2000, blank=True, db_index=True)
    title = models.CharField(max_length=1000)
    summary = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    fetched_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Canonical URLs the entry's text links to (a GeekNews entry links to the article Hacker News carries).
    links = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "guid"], name="unique_entry_guid_per_source")]
        verbose_name_plural = "feed entries"

    def __str__(self):
        return self.title


class ArticlePage(models.Model):
    """The page a feed entry links to: its main text and metadata, or why it could not be read."""

    entry = models.OneToOneField(FeedEntry, on_delete=models.CASCADE, related_name="article")
    url = models.URLField(max_length=2000, help_text="Where the page was read, after redirects")
    status = models.CharField(max_length=30, help_text="ok, or why not: timeout, too_large, not_html, bad_encoding, ...")
    error = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=1000, blank=True)
    author = models.CharField(max_length=300, blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    published = models.CharField(max_length=40, blank=True, help_text="The date the page states, as YYYY-MM-DD")
    language = models.CharField(max_length=16, blank=True)
    text = models.TextField(blank=True)
    truncated = models.BooleanField(default=False)
    links = models.JSONField(default=list, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    elapsed = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-fetched_at"]

    def __str__(self):
        return f"{self.url} ({self.status})"

    @property
    def ok(self):
        return self.status == "ok"


class GenerationRun(models.Model):
    """One attempt to generate a series' draft for a date: what happened and how long it took."""

    class RunStatus(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        EXISTING = "existing", "Already existed"
        FAILED = "failed", "Failed"

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="generation_runs")
    date = models.DateField()
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    digest = models.ForeignKey(Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="generation_runs")
    writer = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    timings = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.series.slug} {self.date} {self.status}"


class ExportRecord(models.Model):
    """One write (or removal) of a digest's Jekyll post into the blog's working copy."""

    class ExportStatus(models.TextChoices):
        WRITTEN = "written", "Written"
        UNCHANGED = "unchanged", "Unchanged"
        REMOVED = "removed", "Removed"
        PUSHED = "pushed", "Pushed"
        FAILED = "failed", "Failed"
        # JEKYLL_SITE_DIR is not set: the digest is live on our site only.
        SKIPPED = "skipped", "Skipped"

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="exports")
    path = models.CharField(max_length=500)
    content_hash = models.CharField(max_length=64, blank=True)
    commit = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, choices=ExportStatus.choices)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.path} {self.status}"


class BlogPost(models.Model):
    """What the blog's working copy must hold for one digest, and how far the export got (publishing.reconcile).

    Written in the transaction that publishes or unpublishes the digest, so the database, not the
    broker, knows what the blog should hold; deleted once the blog holds nothing of the digest.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMMITTED = "committed", _("Committed, not pushed yet")
        SYNCED = "synced", _("On the blog")
        SKIPPED = "skipped", _("Not exported: JEKYLL_SITE_DIR is not set")

    # PROTECT: a digest cannot be deleted while the blog may still hold its post.
    digest = models.OneToOneField(Digest, on_delete=models.PROTECT, related_name="blog_post",
                                  verbose_name=_("digest"))
    path = models.CharField(_("expected file"), max_length=500, blank=True,
                            help_text=_("Empty: the blog must not hold this digest's post"))
    content_hash = models.CharField(_("expected SHA-256"), max_length=64, blank=True)
    # Files the working copy may still hold for this digest (an earlier live version's, after a slug
    # or date change): removed unless another live digest's file is now there.
    held_paths = models.JSONField(_("files it may hold"), default=list, blank=True)
    # Bumped by every publish or unpublish: an export finishing an older one leaves the newer pending.
    revision = models.PositiveIntegerField(default=1)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    commit = models.CharField(_("last commit"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    changed_at = models.DateTimeField(_("asked for"), default=timezone.now)
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    synced_at = models.DateTimeField(_("on the blog since"), null=True, blank=True)

    class Meta:
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["state", "retry_at"], name="blogpost_due_idx")]
        verbose_name = _("blog post")
        verbose_name_plural = _("blog posts")

    def __str__(self):
        return self.path or (self.held_paths[0] if self.held_paths else f"digest {self.digest_id}")
