"""Admin for what feeds the drafts: sources, their entries and generation runs."""
from django.contrib import admin

from .models import FeedEntry, GenerationRun, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "series", "url", "weight", "active", "last_status", "last_fetched_at"]
    list_filter = ["series", "active", "last_status"]


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "fetched_at"]
    list_filter = ["source__series", "source"]
    list_select_related = ["source"]
    search_fields = ["title", "canonical_url"]


@admin.register(GenerationRun)
class GenerationRunAdmin(admin.ModelAdmin):
    list_display = ["series", "date", "status", "writer", "started_at", "finished_at"]
    list_filter = ["status", "series"]
    list_select_related = ["series"]
