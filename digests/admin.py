"""Admin registrations (the editorial workflow builds on these)."""
from django.contrib import admin

from .models import Digest, Insight, NewsItem, ReviewEvent, Series


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "jekyll_category", "post_slug", "item_count", "insight_count", "timezone"]
    prepopulated_fields = {"slug": ["name"]}


class InsightInline(admin.TabularInline):
    model = Insight
    extra = 0


class NewsItemInline(admin.StackedInline):
    model = NewsItem
    extra = 0


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["title", "series", "date", "status", "updated_at"]
    list_filter = ["status", "series", "date"]
    search_fields = ["title", "items__title"]
    list_select_related = ["series"]
    inlines = [NewsItemInline]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "digest", "position"]
    list_select_related = ["digest"]
    inlines = [InsightInline]


@admin.register(Insight)
class InsightAdmin(admin.ModelAdmin):
    list_display = ["label", "news_item", "position"]


admin.site.register(ReviewEvent)

# Generation (sources, entries, runs) and publishing (exports) keep their admin apart.
from . import admin_generation, admin_publishing  # noqa: E402,F401
