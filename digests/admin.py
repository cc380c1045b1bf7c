"""The editors' admin: digests with nested items and insights, workflow buttons, timeline, previews and review queue."""
import datetime as dt
import json

import nested_admin
from nested_admin.formsets import NestedInlineFormSet
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, URLField, Value, When
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _, gettext_lazy
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from . import evidence, merging, preview, review, workflow
from .forms import DigestActionForm, DigestAdminForm, last_save
from .models import Digest, Insight, ItemSource, NewsItem, ReviewEvent, Series, Status
from .posts import digest_to_post, with_content

# Item positions are moved out of the way first, so a reorder never meets the (digest, position) constraint.
POSITION_OFFSET = 10000


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "jekyll_category", "post_slug", "item_count", "insight_count", "timezone"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "jekyll_category", "other_categories", "post_slug", "title_template",
                           "item_count", "insight_count", "layout", "timezone", "schedule_time"]}),
        (gettext_lazy("Footers by writer"), {"fields": ["footer", "footer_openai", "footer_extractive"]}),
    ]


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
    # The offline writer leaves insights empty: the placeholder says what to write there.
    formfield_overrides = {Insight._meta.get_field("text").__class__: {"widget": forms.Textarea(attrs={
        "rows": 2, "cols": 60, "placeholder": gettext_lazy("Insight to write: what this news means for readers")})}}


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

    @admin.display(description=gettext_lazy("Rewrite"))
    def rewrite(self, item):
        # The generation admin's page lists the day's unused candidates for this item.
        if not item.pk or not item.digest.is_editable:
            return "—"
        url = reverse("admin:digests_generationrun_regenerate_item", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, _("Rewrite from another candidate…"))
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}, URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        # The digest rides along: each item's nested insight inline asks it whether it is editable.
        return super().get_queryset(request).select_related("digest").prefetch_related(
            "tags", Prefetch("insights", queryset=Insight.objects.order_by("position", "id")),
            Prefetch("sources", queryset=ItemSource.objects.order_by("position", "id")))


class ReviewQueueFilter(admin.SimpleListFilter):
    """“Waiting for my review”: in review, assigned to me or nobody, and not mine to approve under four-eyes."""

    title = gettext_lazy("review queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("mine", _("Waiting for my review")), ("assigned", _("Assigned to me"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(waiting_for_me(request.user))
        if self.value() == "assigned":
            return queryset.filter(assignee=request.user)
        return queryset


def waiting_for_me(user):
    """In review, assigned to `user` or nobody, and theirs to approve under four-eyes (a Q for filter/annotate)."""
    condition = Q(status=Status.IN_REVIEW) & (Q(assignee=user) | Q(assignee__isnull=True))
    if not settings.NEWSROOM_ALLOW_SELF_APPROVAL:
        condition &= ~Q(submitted_by=user) & ~Q(last_edited_by=user) & ~workflow.changed_since_submission(user.pk)
    return condition


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
        if name in ("id", "DELETE", "digest", "news_item", "base_version", "base_values"):
            continue
        label = form.fields[name].label or name
        changes[f"{prefix}{label}"] = [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
    return changes


def collect_changes(form, formsets):
    """What the editor changed on the page, as {field: [old, new]}, each field named as the editor sees it."""
    changes = _form_changes(form, "") if form.instance.pk else {}
    for formset in formsets:
        if not hasattr(formset, "cleaned_data"):
            continue
        parent = getattr(formset, "parent_form", None)
        owner = (_("item “%(title)s”") % {"title": parent.instance.title or parent.instance.pk} + " · "
                 if parent is not None else "")
        noun = {Insight: _("insight"), ItemSource: _("source")}.get(formset.model, _("item"))
        for index, sub in enumerate(formset.forms, start=1):
            if not sub.has_changed() and not formset._should_delete_form(sub):
                continue
            label = f"“{sub.instance.title}”" if isinstance(sub.instance, NewsItem) and sub.instance.pk else index
            where = f"{owner}{noun} {label}"
            if formset._should_delete_form(sub):
                if sub.instance.pk:
                    changes[f"{where} · " + _("deleted")] = [str(sub.instance), None]
            elif not sub.instance.pk:
                changes[f"{where} · " + _("added")] = [None, {k: _plain(v) for k, v in sub.cleaned_data.items()
                                                             if k not in ("id", "DELETE", "digest", "news_item")}]
            else:
                changes.update(_form_changes(sub, f"{where} · "))
    return changes


class QueueChangeList(ChangeList):
    """Reviewers see what waits for them first, unless they sort by a column."""

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        if "waiting" in queryset.query.annotations and ORDER_VAR not in self.params:
            ordering = ["waiting", *ordering]
        return ordering


NEXT_ACTOR = {
    Status.DRAFT: gettext_lazy("editor"),
    Status.CHANGES_REQUESTED: gettext_lazy("editor"),
    Status.IN_REVIEW: gettext_lazy("reviewer"),
    Status.APPROVED: gettext_lazy("publisher"),
}


@admin.register(Digest)
class DigestAdmin(nested_admin.NestedModelAdmin):
    form = DigestAdminForm
    action_form = DigestActionForm
    inlines = [NewsItemInline]
    change_form_template = "admin/digests/digest/change_form.html"
    change_list_template = "admin/digests/digest/change_list.html"
    list_display = ["title_link", "series", "day", "status_badge", "assignee", "flags", "next_actor"]
    list_display_links = None
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
            main += ["base_version", "base_values"]
        return [
            (None, {"fields": main}),
            (_("Workflow"), {"fields": ["status_badge", "workflow_info"]}),
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attrs = {"refusal": getattr(request, "digest_refusal", None),
                 "conflicts": getattr(request, "digest_conflicts", None)}
        if obj is not None and request.method == "GET" and kwargs.get("fields") is not None:
            attrs["base_json"] = json.dumps(self._snapshot(request, obj), ensure_ascii=False)
        return type(form.__name__, (form,), attrs)

    def get_view_on_site_url(self, obj=None):
        # Readers only see live digests: anything else would be a 404 on the site.
        if obj is None or not obj.is_live:
            return None
        return super().get_view_on_site_url(obj)

    def get_queryset(self, request):
        # As ModelAdmin.get_queryset, with the annotations the ordering needs made first.
        queryset = self.model._default_manager.get_queryset().annotate(
            flag_count=Count("items", filter=Q(items__needs_attention=True, items__attention_override="")))
        if request.user.has_perm(workflow.REVIEW_PERM):
            queryset = queryset.annotate(waiting=Case(When(waiting_for_me(request.user), then=Value(0)),
                                                      default=Value(1), output_field=IntegerField()))
        return queryset.order_by(*(self.get_ordering(request) or ()))

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    # Rights -------------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request, obj=None):
        # Not while live (a reopened digest too): unpublish first, so the blog loses the post as well.
        return super().has_delete_permission(request, obj) and (obj is None or (obj.is_editable and not obj.is_live))

    # Display ------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("title"), ordering="title")
    def title_link(self, obj):
        # What is under review opens on the review screen; what is being written, on the form.
        name = "digests_digest_review" if obj.status in (Status.IN_REVIEW, Status.APPROVED) else "digests_digest_change"
        mine = getattr(obj, "waiting", 1) == 0
        return format_html('<a href="{}" class="queue-title">{}</a>{}', reverse(f"admin:{name}", args=[obj.pk]),
                           obj.title, format_html(' <span class="queue-mine">{}</span>', _("your turn")) if mine else "")

    @admin.display(description=gettext_lazy("date"), ordering="date")
    def day(self, obj):
        # 2026-05-01, not “2026년 5월 1일”: the queue has to fit 1280 px.
        return obj.date.isoformat()

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="digest-status digest-status--{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description=gettext_lazy("flags"), ordering="flag_count")
    def flags(self, obj):
        count = getattr(obj, "flag_count", 0)
        if not count:
            return "—"
        return format_html('<span class="queue-flags" title="{}">⚑ {}</span>', _("items that need attention"), count)

    @admin.display(description=gettext_lazy("next"))
    def next_actor(self, obj):
        who = NEXT_ACTOR.get(obj.status)
        if who is None:
            return "—"
        if obj.status in (Status.DRAFT, Status.CHANGES_REQUESTED) and obj.assignee_id:
            return str(obj.assignee)
        if obj.status == Status.CHANGES_REQUESTED and obj.submitted_by_id:
            return str(obj.submitted_by)
        return who

    @admin.display(description=gettext_lazy("workflow"))
    def workflow_info(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        parts = [_("version %(version)s") % {"version": obj.version}]
        if obj.publish_at:
            when = timezone.localtime(obj.publish_at, obj.series.tzinfo)
            parts.append(_("publishes at %(time)s") % {"time": f"{when:%Y-%m-%d %H:%M}"})
        if obj.is_live:
            parts.append(_("live for readers"))
        return " · ".join(parts)

    # Saving -------------------------------------------------------------------------

    def _content_forms(self, request, digest):
        """(model, pk, unbound form) for the digest and each item, insight and source: what the page shows."""
        digest = with_content(Digest.objects.filter(pk=digest.pk)).prefetch_related("items__tags").get()
        form = super().get_form(request, digest, change=True,
                                fields=flatten_fieldsets(self.get_fieldsets(request, digest)))
        yield Digest, digest.pk, form(instance=digest)
        inline = next(i for i in self.get_inline_instances(request, digest) if isinstance(i, NewsItemInline))
        item_form = inline.get_formset(request, digest).form
        items = list(digest.items.all())
        children = [(child, child.get_formset(request, items[0]).form) for child in
                    inline.get_inline_instances(request, items[0])] if items else []
        for item in items:
            yield NewsItem, item.pk, item_form(instance=item)
            for child, child_form in children:
                related = item.insights.all() if child.model is Insight else item.sources.all()
                for obj in related:
                    yield child.model, obj.pk, child_form(instance=obj)

    def _snapshot(self, request, digest, labels=None):
        forms_ = []
        for model, pk, form in self._content_forms(request, digest):
            forms_.append((model, pk, form))
            if labels is not None:
                labels.update(_field_labels(model, pk, form))
        return merging.snapshot((m, pk, _content_only(f)) for m, pk, f in forms_)

    def _merge_post(self, request, digest):
        """Rewrite a stale POST onto the current digest (see merging); conflicts stop the save until chosen."""
        data = request.POST
        base = merging.loads(data.get("base_values"), {})
        data, open_ = merging.resolve(data, merging.loads(data.get("merge_conflicts"), []), base)
        version = data.get("base_version", "")
        if base and version.isdigit() and int(version) != digest.version:
            labels = {}
            theirs = self._snapshot(request, digest, labels)
            outcome = merging.merge(data, base, theirs, Digest, digest.pk,
                                    lambda key: labels.get(key) or _deleted_label(key, base))
            data = outcome.data
            data["base_version"] = str(digest.version)
            data["base_values"] = json.dumps(theirs, ensure_ascii=False)
            known = {c["name"] for c in open_}
            open_ += [c.as_dict() for c in outcome.conflicts if c.name not in known]
            request.digest_merged = {"who": last_save(digest), "taken": outcome.taken, "lost": outcome.lost}
        data["merge_conflicts"] = json.dumps(open_, ensure_ascii=False)
        data._mutable = False
        request.POST = data
        request.digest_conflicts = open_

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic():
            digest = Digest.objects.select_for_update(of=("self",)).select_related("series").filter(
                pk=object_id if str(object_id).isdigit() else None).first()
            if digest is not None and self.has_change_permission(request, digest):
                self._merge_post(request, digest)
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except workflow.IncompleteError as exc:
                # The save was rolled back: show the form again, with the editor's text and the reasons.
                request.digest_refusal = exc.reasons
                return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, obj=None, **kwargs):
        conflicts = getattr(request, "digest_conflicts", None) or []
        if conflicts:
            base = merging.loads(request.POST.get("base_values"), {})
            context["merge_conflicts"] = [
                {**c, "theirs": base.get(c["key"]), "mine": request.POST.get(c["name"]),
                 "is_delete": c["name"].endswith(merging.DELETE), "chosen": request.POST.get(f"resolve-{c['name']}")}
                for c in conflicts]
            context["merge_conflicts_json"] = request.POST.get("merge_conflicts", "[]")
            context["merge_who"] = last_save(obj) if obj is not None else ""
        return super().render_change_form(request, context, obj=obj, **kwargs)

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
            except workflow.IncompleteError:
                raise  # changeform_view shows the form again with the reasons
            except workflow.TransitionError as exc:
                transaction.set_rollback(True)
                raise PermissionDenied(str(exc)) from exc
            merged = getattr(request, "digest_merged", None)
            if merged and merged["taken"]:
                messages.info(request, _("Merged with the save of %(who)s: their changes to %(fields)s are kept, "
                                         "and yours too.") % {"who": merged["who"],
                                                              "fields": ", ".join(merged["taken"])})
            if merged and merged["lost"]:
                messages.warning(request, _("%(who)s deleted rows you had changed; your text there was not saved: "
                                            "%(lost)s") % {"who": merged["who"], "lost": "; ".join(merged["lost"])})
        else:
            ReviewEvent.objects.create(digest=form.instance, actor=request.user, action=ReviewEvent.Action.CREATE,
                                       to_status=form.instance.status)

    def response_change(self, request, obj):
        if "_submit" in request.POST:
            # “Save and submit”: one click from the editor's last fix to the reviewers.
            try:
                workflow.submit(obj, request.user)
            except workflow.TransitionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Saved and submitted for review."))
                return HttpResponseRedirect(reverse("admin:digests_digest_review", args=[obj.pk]))
            return self._back(obj)
        return super().response_change(request, obj)

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
        gate = workflow.incomplete_reasons(digest) if digest.is_editable else []
        if digest.status == Status.IN_REVIEW and user.has_perm(workflow.REVIEW_PERM):
            reason = workflow.blocked_reason("approve", digest, user)
            if reason:
                notes.append(reason)
        if not digest.is_editable:
            notes.append(_("This digest is %(status)s and read-only: reopen it to edit.")
                         % {"status": digest.get_status_display()})
        events = list(digest.events.select_related("actor", "news_item").order_by("-created_at", "-id")[:200])
        return {
            "digest": digest,
            "transitions": transitions,
            "workflow_notes": notes,
            "gate_reasons": gate,
            "events": events,
            "decision": review.latest_decision(events),
            "can_schedule": user.has_perm(workflow.PUBLISH_PERM) and digest.status not in (Status.PUBLISHED, Status.REJECTED),
            "can_comment": user.has_perm(workflow.SUBMIT_PERM),
            "can_submit_on_save": digest.status in (Status.DRAFT, Status.CHANGES_REQUESTED)
            and user.has_perm(workflow.SUBMIT_PERM),
            "comment_items": list(digest.items.order_by("position").values_list("pk", "title")),
            "publish_at_value": (timezone.localtime(digest.publish_at, digest.series.tzinfo).strftime("%Y-%m-%dT%H:%M")
                                 if digest.publish_at else ""),
        }

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:object_id>/review/", view(self.review_view), name="digests_digest_review"),
            path("<int:object_id>/transition/<str:name>/", view(self.transition_view),
                 name="digests_digest_transition"),
            path("<int:object_id>/comment/", view(self.comment_view), name="digests_digest_comment"),
            path("<int:object_id>/override/<int:item_id>/", view(self.override_view), name="digests_digest_override"),
            path("<int:object_id>/schedule/", view(self.schedule_view), name="digests_digest_schedule"),
            path("<int:object_id>/preview/", view(self.preview_view), name="digests_digest_preview"),
            path("<int:object_id>/markdown/", view(self.markdown_view), name="digests_digest_markdown"),
            path("<int:object_id>/diff/", view(self.diff_view), name="digests_digest_diff"),
            path("<int:object_id>/share/", view(self.share_view), name="digests_digest_share"),
            # Deliberately not wrapped in admin_view: the signed link is the credential.
            path("shared/<str:token>/", self.shared_view, name="digests_digest_shared"),
        ]
        return own + super().get_urls()

    def _load(self, request, object_id, content=False):
        queryset = with_content(Digest.objects.all()) if content else Digest.objects.select_related("series")
        digest = queryset.filter(pk=object_id).first()
        if digest is None:
            raise Http404(_("No such digest."))
        if not self.has_view_permission(request, digest):
            raise PermissionDenied
        return digest

    def _back(self, digest, request=None):
        # Actions taken on the review screen return there.
        if request is not None and request.POST.get("next") == "review":
            return HttpResponseRedirect(reverse("admin:digests_digest_review", args=[digest.pk]))
        return HttpResponseRedirect(reverse("admin:digests_digest_change", args=[digest.pk]))

    def review_view(self, request, object_id):
        digest = review.load(object_id)
        if digest is None:
            raise Http404(_("No such digest."))
        if not self.has_view_permission(request, digest):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": digest,
            "title": _("Review: %(title)s") % {"title": digest.title},
            **review.context(digest, request.user),
        }
        return TemplateResponse(request, "admin/digests/digest/review.html", context)

    def transition_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if name not in workflow.TRANSITIONS:
            raise Http404(_("No such transition."))
        digest = self._load(request, object_id)
        version = request.POST.get("version", "")
        if version.isdigit():
            digest.version = int(version)  # what the user saw when they pressed the button
        comment = request.POST.get("comment", "")
        if name == "reject" and comment.strip() and not request.POST.get("confirmed"):
            # Rejecting ends the digest's day: ask once more, showing the reason.
            return TemplateResponse(request, "admin/digests/digest/confirm_reject.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta, "original": digest,
                "title": _("Reject “%(title)s”?") % {"title": digest.title}, "comment": comment,
                "version": version, "next": request.POST.get("next", ""),
            })
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
            messages.success(request, _("%(action)s: done. The digest is now %(status)s.") % {
                "action": workflow.TRANSITIONS[name].label, "status": digest.get_status_display()})
        return self._back(digest, request)

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
            messages.success(request, _("Comment added."))
        return self._back(digest, request)

    def override_view(self, request, object_id, item_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        digest = self._load(request, object_id)
        item = NewsItem.objects.filter(pk=item_id, digest=digest).select_related("digest").first()
        if item is None:
            raise Http404(_("No such item."))
        try:
            workflow.override_attention(item, request.user, request.POST.get("comment", ""))
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Flag overridden: item %(number)s may go out as it is.")
                             % {"number": item.position + 1})
        return HttpResponseRedirect(reverse("admin:digests_digest_review", args=[digest.pk]) + f"#item-{item.pk}")

    def schedule_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        digest = self._load(request, object_id)
        raw = request.POST.get("publish_at", "").strip()
        when = None
        tz = digest.series.tzinfo
        if raw:
            when = parse_datetime(raw)
            if when is None:
                messages.error(request, _("“%(value)s” is not a date and time; use YYYY-MM-DD HH:MM.") % {"value": raw})
                return self._back(digest, request)
            if timezone.is_naive(when):
                when = timezone.make_aware(when, tz)  # the series' time, as the page shows it
        try:
            workflow.schedule(digest, request.user, when)
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Publishes at %(time)s.") % {"time": f"{timezone.localtime(when, tz):%Y-%m-%d %H:%M}"}
                             if when else _("Schedule cleared."))
        return self._back(digest, request)

    def _reader_context(self, request, digest, **extra):
        return {"digest": digest, "post": digest_to_post(digest), "SITE_NAME": settings.SITE_NAME,
                "all_series": list(Series.objects.order_by("slug")), **extra}

    def preview_view(self, request, object_id):
        digest = self._load(request, object_id, content=True)
        context = self._reader_context(request, digest, admin_preview=True,
                                       back=reverse("admin:digests_digest_change", args=[digest.pk]))
        return TemplateResponse(request, "admin/digests/digest/preview.html", context)

    def markdown_view(self, request, object_id):
        digest = self._load(request, object_id, content=True)
        text = preview.markdown_text(digest)
        if request.GET.get("download"):
            response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{preview.filename(digest)}"'
            return response
        return TemplateResponse(request, "admin/digests/digest/markdown.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": digest,
            "title": _("Jekyll Markdown: %(title)s") % {"title": digest.title}, "markdown": text,
            "filename": preview.filename(digest),
        })

    def diff_view(self, request, object_id):
        digest = self._load(request, object_id, content=True)
        return TemplateResponse(request, "admin/digests/digest/diff.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": digest,
            "title": _("Changes since the generated draft: %(title)s") % {"title": digest.title},
            "diff": preview.draft_diff(digest),
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
        messages.success(request, format_html('{} <a href="{}" class="share-link">{}</a>', _(
            "Share this preview link (valid %(hours)s hours, no account needed):") % {"hours": hours}, url, url))
        return self._back(digest, request)

    def shared_view(self, request, token):
        try:
            digest = preview.digest_from_token(token)
        except preview.PreviewLinkError as exc:
            response = TemplateResponse(request, "admin/digests/digest/shared_invalid.html",
                                        {"message": str(exc), "SITE_NAME": settings.SITE_NAME},
                                        status=410 if isinstance(exc.__cause__, signing.SignatureExpired) else 404)
        else:
            response = TemplateResponse(request, "admin/digests/digest/preview.html",
                                        self._reader_context(request, digest, admin_preview=False))
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
            messages.success(request, _("%(action)s: %(count)s digest(s).") % {"action": label, "count": done})
        for reason in refused:
            messages.warning(request, reason)

    @admin.action(description=gettext_lazy("Approve selected digests (four-eyes checked per digest)"))
    def bulk_approve(self, request, queryset):
        comment = request.POST.get("comment", "")
        self._bulk(request, queryset, lambda d: workflow.approve(d, request.user, comment), _("Approved"))

    @admin.action(description=gettext_lazy("Request changes on selected digests (needs a comment)"))
    def bulk_request_changes(self, request, queryset):
        comment = request.POST.get("comment", "").strip()
        if not comment:
            messages.error(request, _("Requesting changes needs a comment: type it next to the action and try again."))
            return
        self._bulk(request, queryset, lambda d: workflow.request_changes(d, request.user, comment),
                   _("Changes requested"))


def _content_only(form):
    """The form without bookkeeping fields: what an editor can change."""
    for name in [n for n in form.fields if n in ("id", "DELETE", "digest", "news_item", "base_version", "base_values")]:
        del form.fields[name]
    return form


def _deleted_label(key, base):
    """A field of a row the other editor deleted, named from the values the page was loaded with."""
    model, pk, name = key.split(":", 2)
    title = base.get(f"{model}:{pk}:title") or base.get(f"{model}:{pk}:label") or base.get(f"{model}:{pk}:url")
    try:
        field = {"newsitem": NewsItem, "insight": Insight, "itemsource": ItemSource}[model]._meta.get_field(name)
    except (KeyError, LookupError):
        field = None
    return _("deleted row “%(title)s”, %(field)s") % {"title": title or pk,
                                                      "field": field.verbose_name if field else name}


def _field_labels(model, pk, form):
    """{merge key prefix + field: “item 2 (“…”), summary”} for a conflict's heading."""
    instance = form.instance
    if model is Digest:
        owner = ""
    elif model is NewsItem:
        owner = workflow.item_name(instance.position + 1, instance)
    else:
        item = instance.news_item
        noun = _("insight %(number)s") if model is Insight else _("source %(number)s")
        owner = f"{workflow.item_name(item.position + 1, item)}, {noun % {'number': instance.position + 1}}"
    labels = {merging.key(model, pk, merging.DELETE): owner or str(instance)}
    for name, field in form.fields.items():
        label = f"{owner}, {field.label}" if owner else str(field.label)
        labels[merging.key(model, pk, name)] = label
        for suffix in ("_0", "_1"):
            labels[merging.key(model, pk, name + suffix)] = label
    return labels


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


# The admin is named after the site (SITE_NAME), not Django's default.
admin.site.site_header = admin.site.site_title = settings.SITE_NAME
admin.site.index_title = gettext_lazy("Editorial desk")

# Generation (sources, entries, runs) and publishing (exports) keep their admin apart.
from . import admin_generation, admin_publishing  # noqa: E402,F401
