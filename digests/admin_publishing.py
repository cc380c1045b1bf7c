"""Admin for the blog export: what the blog must hold and how far each post got (pending, failed and why),
and the history of every write, removal and failure."""
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import queue
from .models import BlogPost, ExportRecord

PUBLISH_PERM = "digests.publish_digest"


def _queue_reconcile(request):
    """Queue a reconcile after commit; with the broker down the beat's next run does it."""

    def send():
        if not queue.send("digests.tasks.reconcile_blog"):
            messages.warning(request, _("The task queue is unavailable: the export runs with the next scheduled "
                                        "reconcile (every minute) once it is back."))

    transaction.on_commit(send)


class FailingFilter(admin.SimpleListFilter):
    title = gettext_lazy("failing")
    parameter_name = "failing"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Failed, waiting to try again"))]

    def queryset(self, request, queryset):
        return queryset.exclude(error="") if self.value() == "yes" else queryset


@admin.register(BlogPost)
class BlogPostAdmin(admin.ModelAdmin):
    list_display = ["digest", "path", "state", "attempts", "short_error", "retry_at", "changed_at", "synced_at",
                    "short_commit"]
    list_filter = ["state", FailingFilter, "digest__series"]
    list_select_related = ["digest", "digest__series"]
    search_fields = ["path", "commit", "digest__title", "error"]
    readonly_fields = ["digest", "path", "content_hash", "held_paths", "revision", "state", "commit", "attempts",
                       "error", "changed_at", "retry_at", "synced_at"]
    actions = ["export_now"]

    def has_add_permission(self, request):
        return False  # written by publish and unpublish only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the row is how the blog loses the post again

    def changelist_view(self, request, extra_context=None):
        if not settings.JEKYLL_SITE_DIR:
            messages.warning(request, _("JEKYLL_SITE_DIR is not set: nothing is exported to the blog."))
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("error"))
    def short_error(self, obj):
        return (obj.error[:120] + "…") if len(obj.error) > 120 else obj.error

    @admin.display(description=gettext_lazy("commit"))
    def short_commit(self, obj):
        return obj.commit[:10]

    @admin.action(description=gettext_lazy("Export the selected posts now (no waiting for the next retry)"),
                  permissions=["publish"])
    def export_now(self, request, queryset):
        waiting = queryset.exclude(state=BlogPost.State.SYNCED)
        # Skipped ones (no blog was configured then) are tried again too, once JEKYLL_SITE_DIR is set.
        waiting.filter(state=BlogPost.State.SKIPPED).update(state=BlogPost.State.PENDING)
        count = waiting.update(retry_at=timezone.now())
        _queue_reconcile(request)
        self.message_user(request, ngettext("%(count)d post will be exported now.",
                                            "%(count)d posts will be exported now.", count) % {"count": count},
                          messages.SUCCESS)

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERM)


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

    @admin.action(description=gettext_lazy("Export the selected digests again (published ones only)"),
                  permissions=["publish"])
    def export_again(self, request, queryset):
        from .publishing import expect
        from .models import Digest

        digest_ids = set(queryset.filter(digest__live_snapshot__isnull=False).values_list("digest_id", flat=True))
        with transaction.atomic():
            for digest in Digest.objects.select_for_update(of=("self",)).select_related("series").filter(
                    pk__in=digest_ids):
                expect(digest)
        _queue_reconcile(request)
        skipped = queryset.values("digest_id").distinct().count() - len(digest_ids)
        self.message_user(request, ngettext("%(count)d export queued.", "%(count)d exports queued.",
                                            len(digest_ids)) % {"count": len(digest_ids)}, messages.SUCCESS)
        if skipped:
            self.message_user(request, ngettext("%(count)d digest is not published and was not exported.",
                                                "%(count)d digests are not published and were not exported.",
                                                skipped) % {"count": skipped}, messages.WARNING)

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERM)
