"""Admin for what feeds the drafts: sources, their entries, generation runs, and the "regenerate item" page."""
import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import URLField
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _, gettext_lazy

from . import queue
from .models import FeedEntry, GenerationRun, NewsItem, Source

FETCH_STATE = ["etag", "last_modified", "last_status", "last_error", "last_fetched_at"]


def _queue(request, task_name, *args, **kwargs):
    """Queue a task; with the broker down, tell the user instead of failing the page."""
    if not queue.send(task_name, *args, **kwargs):
        messages.error(request, _("The task queue is unavailable, so nothing was queued: try again in a minute."))
        return False
    return True


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    # Django 6 makes https the scheme a bare host gets; say so now (and silence the 5.x warning).
    formfield_overrides = {URLField: {"assume_scheme": "https"}}
    list_display = ["name", "series", "url", "weight", "active", "last_status", "last_fetched_at"]
    list_filter = ["series", "active", "last_status"]
    list_editable = ["weight", "active"]
    search_fields = ["name", "url"]
    readonly_fields = FETCH_STATE
    actions = ["fetch_now"]

    # A right checked on the server too: Django runs only the actions get_actions() grants, so a crafted
    # POST by someone who may only view sources (an Editor) queues nothing.
    @admin.action(description=gettext_lazy("Fetch the selected sources' series now"), permissions=["change"])
    def fetch_now(self, request, queryset):
        for series_id in sorted(set(queryset.values_list("series_id", flat=True))):
            transaction.on_commit(lambda sid=series_id: _queue(request, "digests.tasks.fetch_sources", series_id=sid))
        self.message_user(request, _("Fetching queued; the sources' last status shows the outcome."), messages.INFO)


class SourceFilter(admin.SimpleListFilter):
    """Sources with their series in one query (the default filter asks for each source's series)."""

    title = gettext_lazy("feed")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [(s.pk, str(s)) for s in Source.objects.select_related("series")]

    def queryset(self, request, queryset):
        return queryset.filter(source_id=self.value()) if self.value() else queryset


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    formfield_overrides = {URLField: {"assume_scheme": "https"}}
    list_display = ["title", "source", "published_at", "fetched_at"]
    list_filter = ["source__series", SourceFilter]
    list_select_related = ["source", "source__series"]
    search_fields = ["title", "canonical_url"]
    date_hierarchy = "published_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GenerationRun)
class GenerationRunAdmin(admin.ModelAdmin):
    list_display = ["series", "date", "status", "writer", "digest", "started_at", "finished_at", "short_error"]
    list_filter = ["status", "series"]
    list_select_related = ["series", "digest"]
    readonly_fields = ["series", "date", "status", "digest", "writer", "error", "started_at", "finished_at",
                       "timings_display", "details_display"]
    exclude = ["timings", "details"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("error"))
    def short_error(self, obj):
        return (obj.error[:120] + "…") if len(obj.error) > 120 else obj.error

    @admin.display(description=gettext_lazy("timings (s)"))
    def timings_display(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.timings, indent=2))

    @admin.display(description=gettext_lazy("details"))
    def details_display(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.details, indent=2, ensure_ascii=False))

    def get_urls(self):
        return [
            path("regenerate-item/<int:item_id>/", self.admin_site.admin_view(self.regenerate_item_view),
                 name="digests_generationrun_regenerate_item"),
            *super().get_urls(),
        ]

    def regenerate_item_view(self, request, item_id):
        """Pick another candidate of the day for one item (or let the ranking pick) and have it rewritten."""
        from .generation import merge
        from .generation.service import GenerationError
        from .workflow import TransitionError

        item = get_object_or_404(NewsItem.objects.select_related("digest__series"), pk=item_id)
        digest = item.digest
        if not request.user.has_perm("digests.change_newsitem"):
            raise PermissionDenied
        back = reverse("admin:digests_digest_change", args=[digest.pk])
        if request.method == "POST":
            from . import workflow

            candidate_id = request.POST.get("candidate_id") or None
            number = item.position + 1
            queued = []
            try:
                with transaction.atomic():
                    # Refused here, where the editor sees why, not later in a worker nobody watches.
                    workflow.check_editable(digest, request.user)
                    transaction.on_commit(lambda: queued.append(
                        _queue(request, "digests.tasks.regenerate_item", item.pk, candidate_id, request.user.pk)))
            except (GenerationError, TransitionError) as exc:  # also raised here when tasks run eagerly (the demo)
                self.message_user(request, _("Item %(number)d was not rewritten: %(reason)s")
                                  % {"number": number, "reason": exc}, messages.ERROR)
            else:
                if all(queued):
                    self.message_user(request, _("Item %(number)d is being rewritten; reload the digest in a minute to "
                                                 "see it. If the rewrite fails, the digest's timeline says why.")
                                      % {"number": number}, messages.SUCCESS)
            return HttpResponseRedirect(back)
        used = set(digest.items.exclude(pk=item.pk).values_list("candidate_id", flat=True))
        candidates = [c for c in merge.candidates_for(digest.series, digest.date) if c.id not in used][:30]
        context = {
            **self.admin_site.each_context(request), "title": _("Regenerate item %(number)s") % {"number": item.position + 1}, "item": item,
            "digest": digest, "candidates": candidates, "back": back, "opts": self.model._meta,
            "editable": digest.is_editable,
        }
        return TemplateResponse(request, "admin/digests/generationrun/regenerate_item.html", context)

