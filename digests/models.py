"""The newsroom's data: series, digests with their items and insights, and what feeds them."""
import datetime as dt
import json
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


class UnicodeJSONEncoder(json.JSONEncoder):
    """Korean stays Korean in the JSON of digests, items and audit rows: 40 % fewer bytes than \\uXXXX escapes,
    and on PostgreSQL no backslash for the bulk insert's array literal to escape (1,000 imported posts spent
    0.5 s there)."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


def validate_timezone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone %(zone)r"), params={"zone": value}) from exc


def validate_title_template(value):
    if "{date}" not in value:
        raise ValidationError(_("The title template must contain {date}, e.g. “[{date}] 글로벌 IT 뉴스 Top 5”."))


DEFAULT_FOOTER = "이 포스팅은 Gemini AI가 제공한 뉴스 데이터를 기반으로 작성되었습니다."
DEFAULT_OPENAI_FOOTER = "이 포스팅은 AI가 제공한 뉴스 데이터를 기반으로 작성되었습니다."
# The offline writer only copies the feeds' first sentences: the editor wrote the rest.
DEFAULT_EXTRACTIVE_FOOTER = "이 포스팅은 각 언론사의 기사를 바탕으로 편집자가 작성했습니다."


class Series(models.Model):
    """A daily digest line of the blog: one post per day under one category."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    jekyll_category = models.CharField(_("Jekyll category"), max_length=100, unique=True)
    # The blog's first posts used "news" for what is now "tech": imported, they join this series
    # and keep their own category (and so their /news/... permalink).
    other_categories = models.CharField(
        _("other categories"), max_length=200, blank=True,
        help_text=_("Space-separated categories of the series' older posts, e.g. “news”; they keep their URLs"))
    post_slug = models.SlugField(_("post slug"), max_length=100,
                                 help_text=_("File name slug: _posts/<date>-<post slug>.md"))
    title_template = models.CharField(_("title template"), max_length=200, validators=[validate_title_template])
    item_count = models.PositiveSmallIntegerField(_("number of items"), default=5)
    insight_count = models.PositiveSmallIntegerField(_("insights per item"), default=2)
    layout = models.CharField(_("layout"), max_length=50, default="default")
    # Each writer's drafts end with their own footer: the blog's Gemini sentence only under Gemini's drafts.
    footer = models.TextField(_("footer (Gemini)"), blank=True, default=DEFAULT_FOOTER,
                              help_text=_("The footer of drafts written by Gemini"))
    footer_openai = models.TextField(_("footer (OpenAI-compatible)"), blank=True, default=DEFAULT_OPENAI_FOOTER,
                                     help_text=_("The footer of drafts written by an OpenAI-compatible model"))
    footer_extractive = models.TextField(
        _("footer (offline writer)"), blank=True, default=DEFAULT_EXTRACTIVE_FOOTER,
        help_text=_("The footer of drafts of the offline extractive writer, which an editor completes"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Seoul", validators=[validate_timezone])
    # The daily generation runs at this local time; candidates come from before it.
    schedule_time = models.TimeField(_("generation time"), default=dt.time(12, 0))

    class Meta:
        ordering = ["slug"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

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

    def footer_for(self, writer):
        """The footer of a draft by `writer` ("gemini", "openai", "extractive"); other writers get none."""
        return {"gemini": self.footer, "openai": self.footer_openai, "extractive": self.footer_extractive}.get(
            (writer or "").split(":")[0], "")

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
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


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

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="digests", verbose_name=_("series"))
    date = models.DateField(_("date"))
    slug = models.SlugField(_("slug"), max_length=100, help_text=_("The post slug of the file name"))
    # Blank: the series' category. Set for posts of one of the series' other (older) categories.
    category = models.CharField(_("category"), max_length=100, blank=True, help_text=_("Empty: the series' category"))
    title = models.CharField(_("title"), max_length=300)
    published_at = models.DateTimeField(_("post date"), null=True, blank=True, help_text=_("The front matter date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    tags = TaggableManager(_("tags"), blank=True, help_text=_("A comma-separated list of tags."))
    footer = models.TextField(_("footer"), blank=True, default="", help_text=_("Empty: the post has no footer"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Workflow state.
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True,
                                      help_text=_("Publish automatically at this time once approved"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_digests",
        verbose_name=_("assignee"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        verbose_name=_("submitted by"),
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        verbose_name=_("last edited by"),
    )
    # Bumped on every content change (items and insights included): a save based on
    # an older version is refused rather than overwriting someone else's edit.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # The version readers see (a jekyll.Post as JSON); kept while a published digest is reopened.
    live_snapshot = models.JSONField(_("live version"), null=True, blank=True, editable=False,
                                     encoder=UnicodeJSONEncoder)
    # The live version's address, set at publication and kept while the digest is reopened: a new
    # series, date or slug in the draft moves the public URL and the blog's file at republication.
    live_series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    editable=False, verbose_name=_("live series"))
    live_date = models.DateField(_("live date"), null=True, blank=True, editable=False)
    live_slug = models.SlugField(_("live slug"), max_length=100, blank=True, editable=False)
    live_category = models.CharField(_("live category"), max_length=100, blank=True, editable=False)
    # When readers last got a new live version (publication, correction, import): the feed's <updated>, the
    # sitemap's lastmod. Stored rather than read from the timeline: that subquery was a fifth of a page.
    live_changed_at = models.DateTimeField(_("live version since"), null=True, blank=True, editable=False)
    # The draft as the writer produced it, for the review diff.
    generated_snapshot = models.JSONField(_("generated draft"), null=True, blank=True, editable=False,
                                          encoder=UnicodeJSONEncoder)
    # Writer, model, prompt version, candidate ids, tokens, latency, warnings.
    provenance = models.JSONField(_("provenance"), default=dict, blank=True, editable=False, encoder=UnicodeJSONEncoder)

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
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        permissions = [
            ("submit_digest", _("Can submit a digest for review")),
            ("review_digest", _("Can approve, request changes or reject a digest")),
            ("publish_digest", _("Can publish, unpublish and schedule a digest")),
        ]

    def __str__(self):
        return self.title or f"{self.series} {self.date}"

    @property
    def writer(self):
        """Which writer drafted it ("gemini", "openai", "extractive"), or "" for imported and hand-made digests."""
        return (self.provenance or {}).get("writer", "")

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

    @property
    def live_modified_at(self):
        """The live version's last change: its last publication, correction or import, else its first publication."""
        return self.live_changed_at or self.published_at

    def get_absolute_url(self):
        """The reader's URL: the live version's while one is live, else where the draft would be published."""
        if self.live_date is not None:
            return jekyll.permalink(self.live_category, self.live_date, self.live_slug)
        return jekyll.permalink(self.jekyll_category, self.date, self.slug)


class NewsItem(models.Model):
    """One story of a digest."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items", verbose_name=_("digest"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300, blank=True)
    summary = MarkdownxField(_("summary"), blank=True)
    tags = PrefetchedTaggableManager(_("tags"), blank=True, help_text=_("A comma-separated list of tags."))
    # Set when the writer could not do its job (the extractive fallback leaves no insights).
    needs_attention = models.BooleanField(
        _("needs attention"), default=False,
        help_text=_("Clear it once the item is checked; a reviewer may instead override it with a comment"))
    # A reviewer's word that the flagged item may go out as it is (not a content change: four-eyes holds).
    attention_override = models.TextField(_("override comment"), blank=True, editable=False)
    attention_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        verbose_name=_("overridden by"))
    candidate_id = models.CharField(_("candidate"), max_length=100, blank=True,
                                    help_text=_("The merged story this item was written from"))
    # Each summary sentence's cited source, quote and verdict (digests.verify), and whether the story is a follow-up.
    provenance = models.JSONField(_("provenance"), default=dict, blank=True, editable=False, encoder=UnicodeJSONEncoder)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["digest", "position"], name="unique_item_position")]
        verbose_name = _("news item")
        verbose_name_plural = _("news items")

    def __str__(self):
        return self.title or _("Item %(number)s") % {"number": self.position + 1}

    @property
    def is_flagged(self):
        """Flagged and not overridden: it holds back the approval."""
        return self.needs_attention and not self.attention_override


class ItemSource(models.Model):
    """One article a news item rests on; a story told by several outlets has several, in order."""

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="sources", verbose_name=_("news item"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    url = models.URLField(_("URL"), max_length=2000)
    name = models.CharField(_("outlet"), max_length=200, blank=True, help_text=_("The outlet, e.g. TechCrunch"))
    # The feed entry it came from (title, the feed's text), when generation found it.
    entry = models.ForeignKey("FeedEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("feed entry"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("source article")
        verbose_name_plural = _("source articles")

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

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="insights", verbose_name=_("news item"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=200, blank=True)
    # Blank: the offline writer leaves the series' number of insights empty for the editor to fill.
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("insight")
        verbose_name_plural = _("insights")

    def __str__(self):
        return self.label or self.text[:50]


class ReviewEvent(models.Model):
    """The audit trail: every transition and every content change during review."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        IMPORT = "import", _("Imported")
        EDIT = "edit", _("Edited")
        COMMENT = "comment", _("Commented")
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        REQUEST_CHANGES = "request_changes", _("Requested changes")
        REJECT = "reject", _("Rejected")
        PUBLISH = "publish", _("Published")
        UNPUBLISH = "unpublish", _("Unpublished")
        REOPEN = "reopen", _("Reopened")
        SCHEDULE = "schedule", _("Scheduled")
        EXPORT = "export", _("Exported")
        OVERRIDE = "override", _("Overrode a flag")
        PUBLISH_REFUSED = "publish_refused", _("Scheduled publication refused")

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="events", verbose_name=_("digest"))
    news_item = models.ForeignKey(NewsItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments",
                                  verbose_name=_("news item"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              verbose_name=_("actor"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from status"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=UnicodeJSONEncoder)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")

    def __str__(self):
        return _("%(action)s by %(actor)s") % {"action": self.get_action_display(), "actor": self.actor or _("system")}


class Source(models.Model):
    """A news feed read for a series, with its conditional-GET state."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="sources", verbose_name=_("series"))
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("feed URL"), max_length=1000)
    weight = models.FloatField(_("weight"), default=1.0)
    active = models.BooleanField(_("active"), default=True)
    etag = models.CharField(_("ETag"), max_length=500, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    last_status = models.CharField(_("last status"), max_length=100, blank=True,
                                   help_text=_("ok, not_modified or the failure kind"))
    last_error = models.TextField(_("last error"), blank=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)

    class Meta:
        ordering = ["series__slug", "name"]
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        constraints = [models.UniqueConstraint(fields=["series", "url"], name="unique_source_url_per_series")]

    def __str__(self):
        return f"{self.name} ({self.series.slug})"


class FeedEntry(models.Model):
    """One entry read from a source's feed."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="entries", verbose_name=_("feed"))
    guid = models.CharField(_("GUID"), max_length=1000)
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    canonical_url = models.URLField(_("canonical URL"), max_length=2000, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=1000)
    summary = models.TextField(_("feed text"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    fetched_at = models.DateTimeField(_("fetched"), default=timezone.now, db_index=True)
    # Canonical URLs the entry's text links to (a GeekNews entry links to the article Hacker News carries).
    links = models.JSONField(_("links"), default=list, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "guid"], name="unique_entry_guid_per_source")]
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")

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
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        EXISTING = "existing", _("Already existed")
        FAILED = "failed", _("Failed")

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="generation_runs",
                               verbose_name=_("series"))
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    digest = models.ForeignKey(Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="generation_runs",
                               verbose_name=_("digest"))
    writer = models.CharField(_("writer"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    timings = models.JSONField(_("timings"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("generation run")
        verbose_name_plural = _("generation runs")

    def __str__(self):
        return f"{self.series.slug} {self.date} {self.get_status_display()}"


class ExportRecord(models.Model):
    """One write (or removal) of a digest's Jekyll post into the blog's working copy."""

    class ExportStatus(models.TextChoices):
        WRITTEN = "written", _("Written")
        UNCHANGED = "unchanged", _("Unchanged")
        REMOVED = "removed", _("Removed")
        PUSHED = "pushed", _("Pushed")
        FAILED = "failed", _("Failed")
        # JEKYLL_SITE_DIR is not set: the digest is live on our site only.
        SKIPPED = "skipped", _("Skipped")

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="exports", verbose_name=_("digest"))
    path = models.CharField(_("path"), max_length=500)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    commit = models.CharField(_("commit"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ExportStatus.choices)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.path} {self.get_status_display()}"


class SiteVersion(models.Model):
    """One row: bumped in the same transaction as any change to what readers see (the page cache's generation)."""

    generation = models.PositiveBigIntegerField(_("generation"), default=0)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    def __str__(self):
        return f"generation {self.generation} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class SearchDocument(models.Model):
    """A live digest's searchable text: titles, summaries, insights and tags (not the footer, not URLs).

    `terms` holds the text's stems (Korean morphological analysis), which the database indexes:
    on PostgreSQL a stored tsvector column with a GIN index, on SQLite an FTS5 table (migration 0012).
    """

    digest = models.OneToOneField(Digest, on_delete=models.CASCADE, primary_key=True, related_name="search",
                                  verbose_name=_("digest"))
    text = models.TextField(_("text"), help_text=_("Plain text the snippets are cut from"))
    terms = models.TextField(_("terms"))

    def __str__(self):
        return f"search text of digest {self.digest_id}"


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
    revision = models.PositiveIntegerField(_("revision"), default=1)
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
