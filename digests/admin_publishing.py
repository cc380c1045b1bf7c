"""Admin for exports of digests into the Jekyll blog: what was written, committed, pushed or failed."""
from django.contrib import admin, messages
from django.utils.translation import gettext as _, gettext_lazy

from . import tasks
from .models import ExportRecord


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = ["digest", "path", "status", "short_commit", "attempts", "created_at", "short_error"]
    list_filter = ["status", "digest__series"]
    list_select_related = ["digest", "digest__series"]
    search_fields = ["path", "commit", "digest__title"]
    date_hierarchy = "created_at"
    readonly_fields = ["digest", "path", "content_hash", "commit", "status", "error", "attempts", "created_at"]
    actions = ["export_again"]

    def has_add_permission(self, request):
        return False  # records are written by publishing only

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("commit"))
    def short_commit(self, obj):
        return obj.commit[:10]

    @admin.display(description=gettext_lazy("error"))
    def short_error(self, obj):
        return (obj.error[:80] + "…") if len(obj.error) > 80 else obj.error

    @admin.action(description=gettext_lazy("Export the selected digests again (published ones only)"), permissions=["publish"])
    def export_again(self, request, queryset):
        digest_ids = {record.digest_id for record in queryset.filter(digest__live_snapshot__isnull=False)}
        for digest_id in digest_ids:
            tasks.export_digest.delay(digest_id)
        skipped = queryset.values("digest_id").distinct().count() - len(digest_ids)
        self.message_user(request, _("Queued %(count)s export(s).") % {"count": len(digest_ids)}, messages.SUCCESS)
        if skipped:
            self.message_user(request, _("%(count)s digest(s) are not published and were not exported.") % {"count": skipped}, messages.WARNING)

    def has_publish_permission(self, request):
        return request.user.has_perm("digests.publish_digest")
