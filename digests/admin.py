"""The editors' admin: digests with nested items and insights, workflow buttons, timeline, previews and review queue."""
import datetime as dt

import nested_admin
from nested_admin.formsets import NestedInlineFormSet
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Prefetch, Q, URLField
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from . import evidence, preview, workflow
from .forms import DigestActionForm, DigestAdminForm
from .models import Digest, Insight, ItemSource, NewsItem, ReviewEvent, Series, Status
from .posts import with_content

# Item positions are moved out of the way first, so a reorder never meets the (digest, position) constraint.
POSITION_OFFSET = 10000


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "jekyll_category", "post_slug", "item_count", "insight_count", "timezone"]
    prepopulated_fields = {"slug": ["name"]}


def _digest_of(obj):
    return obj.digest if isinstance(obj, NewsItem) else obj


class ReadOnlyUnlessEditable:
    """Inline rights follow the digest: approved and published digests are read-only until reopened."""

    def _editable(self, obj):
        digest = _digest_of(obj)
        return digest is None or digest.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class InsightFormSet(NestedInlineFormSet):
    def get_queryset(self):
        # Showing the form: the item's insights were prefetched with it, one query for all items.
        prefetched = getattr(self.instance, "_prefetched_objects_cache", {}).get("insights")
        if prefetched is not None and not self.is_bound:
            return prefetched
        return super().get_queryset()


class InsightInline(ReadOnlyUnlessEditable, nested_admin.NestedTabularInline):
    model = Insight
    formset = InsightFormSet
    extra = 0
    fields = ["label", "text", "position"]
    sortable_field_name = "position"
    formfield_overrides = {Insight._meta.get_field("text").__class__: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


class ItemSourceFormSet(NestedInlineFormSet):
    def get_queryset(self):
        # As InsightFormSet: the sources came with the items, one query for all of them.
        prefetched = getattr(self.instance, "_prefetched_objects_cache", {}).get("sources")
        if prefetched is not None and not self.is_bound:
            return prefetched
        return super().get_queryset()


class ItemSourceInline(ReadOnlyUnlessEditable, nested_admin.NestedTabularInline):
    """The articles an item rests on, in the order the post lists them (one link line each)."""

    model = ItemSource
    formset = ItemSourceFormSet
    extra = 0
    min_num = 1
    fields = ["url", "name", "position"]
    sortable_field_name = "position"
    formfield_overrides = {URLField: {"assume_scheme": "https"}}


class NewsItemInline(ReadOnlyUnlessEditable, nested_admin.NestedStackedInline):
    model = NewsItem
    extra = 0
    fields = ["title", "summary", "tags", "needs_attention", "rewrite", "position"]
    readonly_fields = ["rewrite"]
    sortable_field_name = "position"
    inlines = [ItemSourceInline, InsightInline]

    @admin.display(description="Rewrite")
    def rewrite(self, item):
        # The generation admin's page lists the day's unused candidates for this item.
        if not item.pk or not item.digest.is_editable:
            return "—"
        url = reverse("admin:digests_generationrun_regenerate_item", args=[item.pk])
        return format_html('<a href="{}">Rewrite from another candidate…</a>', url)
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}, URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        # The digest rides along: each item's nested insight inline asks it whether it is editable.
        return super().get_queryset(request).select_related("digest").prefetch_related(
            "tags", Prefetch("insights", queryset=Insight.objects.order_by("position", "id")),
            Prefetch("sources", queryset=ItemSource.objects.order_by("position", "id")))


class ReviewQueueFilter(admin.SimpleListFilter):
    """“Waiting for my review”: in review, assigned to me or nobody, and not mine to approve under four-eyes."""

    title = "review queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("mine", "Waiting for my review"), ("assigned", "Assigned to me")]

    def queryset(self, request, queryset):
        user = request.user
        if self.value() == "mine":
            queryset = queryset.filter(status=Status.IN_REVIEW).filter(Q(assignee=user) | Q(assignee__isnull=True))
            if not settings.NEWSROOM_ALLOW_SELF_APPROVAL:
                queryset = queryset.exclude(submitted_by=user).exclude(last_edited_by=user)
            return queryset
        if self.value() == "assigned":
            return queryset.filter(assignee=user)
        return queryset


def _plain(value):
    if isinstance(value, (list, tuple, set)) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return sorted(str(v) for v in items)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _form_changes(form, prefix):
    changes = {}
    for name in form.changed_data:
        if name in ("id", "DELETE", "digest", "news_item", "base_version"):
            continue
        changes[f"{prefix}{name}"] = [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
    return changes


def collect_changes(form, formsets):
    """What the editor changed on the page, as {field: [old, new]} with items named by their place."""
    changes = _form_changes(form, "") if form.instance.pk else {}
    for formset in formsets:
        if not hasattr(formset, "cleaned_data"):
            continue
        parent = getattr(formset, "parent_form", None)
        owner = f"item “{parent.instance.title or parent.instance.pk}” " if parent is not None else ""
        noun = {Insight: "insight", ItemSource: "source"}.get(formset.model, "item")
        for index, sub in enumerate(formset.forms, start=1):
            if not sub.has_changed() and not formset._should_delete_form(sub):
                continue
            label = sub.instance.title if isinstance(sub.instance, NewsItem) and sub.instance.pk else index
            where = f"{owner}{noun} {label}"
            if formset._should_delete_form(sub):
                if sub.instance.pk:
                    changes[f"{where} deleted"] = [str(sub.instance), None]
            elif not sub.instance.pk:
                changes[f"{where} added"] = [None, {k: _plain(v) for k, v in sub.cleaned_data.items()
                                                    if k not in ("id", "DELETE", "digest", "news_item")}]
            else:
                changes.update(_form_changes(sub, f"{where}: "))
    return changes


@admin.register(Digest)
class DigestAdmin(nested_admin.NestedModelAdmin):
    form = DigestAdminForm
    action_form = DigestActionForm
    inlines = [NewsItemInline]
    change_form_template = "admin/digests/digest/change_form.html"
    list_display = ["title", "series", "date", "status_badge", "assignee", "submitted_by", "updated_at"]
    list_filter = ["status", "series", ("date", admin.DateFieldListFilter), ("assignee", admin.RelatedOnlyFieldListFilter),
                   ReviewQueueFilter]
    search_fields = ["title", "items__title", "slug"]
    list_select_related = ["series", "assignee", "submitted_by"]
    date_hierarchy = "date"
    list_per_page = 50
    readonly_fields = ["status_badge", "workflow_info"]
    actions = ["bulk_approve", "bulk_request_changes"]

    def get_fieldsets(self, request, obj=None):
        main = ["title", "series", "date", "slug", "tags", "footer", "published_at", "assignee"]
        if obj is not None and self.has_change_permission(request, obj):
            main.append("base_version")
        return [
            (None, {"fields": main}),
            ("Workflow", {"fields": ["status_badge", "workflow_info"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST" and request.resolver_match.url_name == "digests_digest_change":
            # Lock the row for the rest of the save: the version check and the write are one step.
            try:
                return Digest.objects.select_for_update(of=("self",)).select_related("series").get(pk=int(object_id))
            except (Digest.DoesNotExist, ValueError):
                return None
        return super().get_object(request, object_id, from_field)

    # Rights -------------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request, obj=None):
        # Not while live (a reopened digest too): unpublish first, so the blog loses the post as well.
        return super().has_delete_permission(request, obj) and (obj is None or (obj.is_editable and not obj.is_live))

    # Display ------------------------------------------------------------------------

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="digest-status digest-status--{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description="workflow")
    def workflow_info(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        parts = [f"version {obj.version}"]
        if obj.publish_at:
            parts.append(f"publishes at {timezone.localtime(obj.publish_at):%Y-%m-%d %H:%M}")
        if obj.is_live:
            parts.append("live for readers")
        return " · ".join(parts)

    # Saving -------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        # An unchanged form writes nothing (updated_at included).
        if not change or form.has_changed():
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is NewsItem and formset.has_changed() and form.instance.pk:
            NewsItem.objects.filter(digest=form.instance, position__lt=POSITION_OFFSET).update(
                position=F("position") + POSITION_OFFSET
            )
            formset.save()
            NewsItem.objects.filter(digest=form.instance, position__gte=POSITION_OFFSET).update(
                position=F("position") - POSITION_OFFSET
            )
        else:
            formset.save()

    def save_related(self, request, form, formsets, change):
        changes = collect_changes(form, formsets) if change else {}
        super().save_related(request, form, formsets, change)
        if change:
            # An edited summary is checked against its sources again, in the same transaction as the edit.
            evidence.refresh(evidence.with_sources(form.instance.items.all()))
            try:
                workflow.record_edit(form.instance, request.user, changes)
            except workflow.TransitionError as exc:
                transaction.set_rollback(True)
                raise PermissionDenied(str(exc)) from exc
        else:
            ReviewEvent.objects.create(digest=form.instance, actor=request.user, action=ReviewEvent.Action.CREATE,
                                       to_status=form.instance.status)

    def log_change(self, request, obj, message):
        if message:
            return super().log_change(request, obj, message)

    # Pages --------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **self._workflow_context(request, object_id)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _workflow_context(self, request, object_id):
        digest = Digest.objects.filter(pk=object_id).select_related("series").first() if str(object_id).isdigit() else None
        if digest is None:
            return {}
        user = request.user
        transitions = workflow.available(digest, user)
        notes = []
        if digest.status in (Status.DRAFT, Status.CHANGES_REQUESTED) and user.has_perm(workflow.SUBMIT_PERM):
            reasons = workflow.incomplete_reasons(digest)
            if reasons:
                notes.append("Not ready to submit: " + "; ".join(reasons) + ".")
        if digest.status == Status.IN_REVIEW and user.has_perm(workflow.REVIEW_PERM):
            reason = workflow.blocked_reason("approve", digest, user)
            if reason:
                notes.append(reason)
        if not digest.is_editable:
            notes.append(f"This digest is {digest.get_status_display().lower()} and read-only: reopen it to edit.")
        events = list(digest.events.select_related("actor", "news_item").order_by("-created_at", "-id")[:200])
        return {
            "digest": digest,
            "transitions": transitions,
            "workflow_notes": notes,
            "events": events,
            "can_schedule": user.has_perm(workflow.PUBLISH_PERM) and digest.status not in (Status.PUBLISHED, Status.REJECTED),
            "can_comment": user.has_perm(workflow.SUBMIT_PERM),
            "comment_items": list(digest.items.order_by("position").values_list("pk", "title")),
            "publish_at_value": timezone.localtime(digest.publish_at).strftime("%Y-%m-%dT%H:%M") if digest.publish_at else "",
        }

    def get_urls(self):
        own = [
            path("<int:object_id>/transition/<str:name>/", self.admin_site.admin_view(self.transition_view),
                 name="digests_digest_transition"),
            path("<int:object_id>/comment/", self.admin_site.admin_view(self.comment_view), name="digests_digest_comment"),
            path("<int:object_id>/schedule/", self.admin_site.admin_view(self.schedule_view),
                 name="digests_digest_schedule"),
            path("<int:object_id>/preview/", self.admin_site.admin_view(self.preview_view), name="digests_digest_preview"),
            path("<int:object_id>/markdown/", self.admin_site.admin_view(self.markdown_view),
                 name="digests_digest_markdown"),
            path("<int:object_id>/diff/", self.admin_site.admin_view(self.diff_view), name="digests_digest_diff"),
            path("<int:object_id>/share/", self.admin_site.admin_view(self.share_view), name="digests_digest_share"),
            # Deliberately not wrapped in admin_view: the signed link is the credential.
            path("shared/<str:token>/", self.shared_view, name="digests_digest_shared"),
        ]
        return own + super().get_urls()

    def _load(self, request, object_id, content=False):
        queryset = with_content(Digest.objects.all()) if content else Digest.objects.select_related("series")
        digest = queryset.filter(pk=object_id).first()
        if digest is None:
            raise Http404("No such digest.")
        if not self.has_view_permission(request, digest):
            raise PermissionDenied
        return digest

    def _back(self, digest):
        return HttpResponseRedirect(reverse("admin:digests_digest_change", args=[digest.pk]))

    def transition_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if name not in workflow.TRANSITIONS:
            raise Http404("No such transition.")
        digest = self._load(request, object_id)
        version = request.POST.get("version", "")
        if version.isdigit():
            digest.version = int(version)  # what the user saw when they pressed the button
        comment = request.POST.get("comment", "")
        func = getattr(workflow, name)
        try:
            if name in ("submit", "publish"):
                func(digest, request.user)
            elif name == "approve":
                func(digest, request.user, comment, override=request.POST.get("override_unsupported") == "1")
            else:
                func(digest, request.user, comment)
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{workflow.TRANSITIONS[name].label}: done. The digest is now "
                                      f"{digest.get_status_display().lower()}.")
        return self._back(digest)

    def comment_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        digest = self._load(request, object_id)
        item = None
        raw = request.POST.get("news_item", "")
        if raw:
            # A crafted form: say what was wrong instead of failing on the database.
            item = NewsItem.objects.filter(pk=raw, digest=digest).first() if raw.isdigit() else None
            if item is None:
                return HttpResponseBadRequest(_("news_item=%(value)s is not the id of an item of this digest.")
                                              % {"value": raw[:40]}, content_type="text/plain; charset=utf-8")
        if "\x00" in request.POST.get("comment", ""):
            return HttpResponseBadRequest(_("The comment contains a NUL character (\\0); remove it and try again."),
                                          content_type="text/plain; charset=utf-8")
        try:
            workflow.comment(digest, request.user, request.POST.get("comment", ""), news_item=item)
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Comment added.")
        return self._back(digest)

    def schedule_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        digest = self._load(request, object_id)
        raw = request.POST.get("publish_at", "").strip()
        when = None
        if raw:
            when = parse_datetime(raw)
            if when is None:
                messages.error(request, f"“{raw}” is not a date and time; use YYYY-MM-DD HH:MM.")
                return self._back(digest)
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
        try:
            workflow.schedule(digest, request.user, when)
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Publishes at {timezone.localtime(when):%Y-%m-%d %H:%M}." if when
                             else "Schedule cleared.")
        return self._back(digest)

    def _preview_context(self, request, digest, **extra):
        post = preview.current_post(digest)
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": digest,
            "digest": digest,
            "post": post,
            "title": f"Preview: {digest.title}",
            **extra,
        }

    def preview_view(self, request, object_id):
        digest = self._load(request, object_id, content=True)
        return TemplateResponse(request, "admin/digests/digest/preview.html", self._preview_context(request, digest))

    def markdown_view(self, request, object_id):
        digest = self._load(request, object_id, content=True)
        text = preview.markdown_text(digest)
        if request.GET.get("download"):
            response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{preview.filename(digest)}"'
            return response
        return TemplateResponse(request, "admin/digests/digest/markdown.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": digest,
            "title": f"Jekyll Markdown: {digest.title}", "markdown": text, "filename": preview.filename(digest),
        })

    def diff_view(self, request, object_id):
        digest = self._load(request, object_id, content=True)
        return TemplateResponse(request, "admin/digests/digest/diff.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": digest,
            "title": f"Changes since the generated draft: {digest.title}", "diff": preview.draft_diff(digest),
        })

    def share_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        digest = self._load(request, object_id)
        # A share link shows the draft to anyone holding it: an editorial right, not a reader's.
        if not request.user.has_perm(workflow.SUBMIT_PERM):
            raise PermissionDenied
        url = preview.share_url(digest)
        hours = settings.NEWSROOM_PREVIEW_MAX_AGE // 3600
        messages.success(request, format_html("Share this preview link (valid {} hours, no account needed): "
                                              '<a href="{}" class="share-link">{}</a>', hours, url, url))
        return self._back(digest)

    def shared_view(self, request, token):
        try:
            digest = preview.digest_from_token(token)
        except preview.PreviewLinkError as exc:
            response = TemplateResponse(request, "admin/digests/digest/shared_invalid.html", {"message": str(exc)},
                                        status=410 if "expired" in str(exc) else 404)
        else:
            post = preview.current_post(digest)
            response = TemplateResponse(request, "admin/digests/digest/shared.html",
                                        {"digest": digest, "post": post})
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

    # Bulk actions -------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(workflow.REVIEW_PERM):
            actions.pop("bulk_approve", None)
            actions.pop("bulk_request_changes", None)
        return actions

    def _bulk(self, request, queryset, func, label):
        done, refused = 0, []
        for digest in queryset.select_related("series").order_by("date", "pk"):
            try:
                func(digest)
            except workflow.TransitionError as exc:
                refused.append(f"{digest}: {exc}")
            else:
                done += 1
        if done:
            messages.success(request, f"{label}: {done} digest(s).")
        for reason in refused:
            messages.warning(request, reason)

    @admin.action(description="Approve selected digests (four-eyes checked per digest)")
    def bulk_approve(self, request, queryset):
        comment = request.POST.get("comment", "")
        self._bulk(request, queryset, lambda d: workflow.approve(d, request.user, comment), "Approved")

    @admin.action(description="Request changes on selected digests (needs a comment)")
    def bulk_request_changes(self, request, queryset):
        comment = request.POST.get("comment", "").strip()
        if not comment:
            messages.error(request, "Requesting changes needs a comment: type it next to the action and try again.")
            return
        self._bulk(request, queryset, lambda d: workflow.request_changes(d, request.user, comment), "Changes requested")


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin):
    """The audit trail is read-only: it is written by the workflow alone."""

    list_display = ["created_at", "digest", "action", "actor", "from_status", "to_status", "comment"]
    list_filter = ["action"]
    list_select_related = ["digest", "actor"]
    search_fields = ["comment", "digest__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Generation (sources, entries, runs) and publishing (exports) keep their admin apart.
from . import admin_generation, admin_publishing  # noqa: E402,F401
