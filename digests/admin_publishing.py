"""Admin for exports of digests into the Jekyll blog."""
from django.contrib import admin

from .models import ExportRecord


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = ["digest", "path", "status", "commit", "created_at"]
    list_filter = ["status"]
    list_select_related = ["digest"]
