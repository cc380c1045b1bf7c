"""Admin forms: the digest form that merges stale saves and refuses what fails the gate, and the bulk action form."""
from django import forms
from django.contrib.admin.helpers import ActionForm
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from .models import Digest, ReviewEvent


def last_save(digest):
    """“editor2 at 10:42” (in the series' time zone) for the latest edit of `digest`, or “someone else”."""
    last = (ReviewEvent.objects.filter(digest_id=digest.pk, action=ReviewEvent.Action.EDIT)
            .select_related("actor").order_by("-pk").first())
    if last is None or last.actor is None:
        return _("someone else")
    when = timezone.localtime(last.created_at, digest.series.tzinfo)
    return _("%(user)s at %(time)s") % {"user": last.actor, "time": when.strftime("%H:%M")}


class DigestAdminForm(forms.ModelForm):
    """Carries the version and values the editor started from (see merging); refuses what may not be saved.

    DigestAdmin.get_form sets `refusal` (the gate's reasons after a save was rolled back), `conflicts`
    (a merge's unchosen conflicts) and `base_json` (the values the page is loaded with).
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False, label=gettext_lazy("version opened"))
    base_values = forms.CharField(widget=forms.HiddenInput, required=False, label=gettext_lazy("values opened"))
    refusal = None
    conflicts = None
    base_json = ""

    class Meta:
        model = Digest
        fields = ["title", "series", "date", "slug", "tags", "footer", "published_at", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
            self.fields["base_values"].initial = self.base_json

    def has_changed(self):
        # The version and base values are bookkeeping, not content.
        return bool(self.changed_data)

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name not in ("base_version", "base_values")]

    def clean(self):
        data = super().clean()
        if self.refusal:
            raise forms.ValidationError(
                [_("Not saved, so that the digest in review stays complete: %(reasons)s. Your text is shown "
                   "below, unsaved.") % {"reasons": "; ".join(self.refusal)}], code="incomplete")
        if self.conflicts:
            raise forms.ValidationError(
                _("Not saved yet: %(who)s saved this digest after you opened it and changed %(count)s of the "
                  "fields you changed. Choose theirs or yours for each of them above, then save; everything "
                  "else is already merged.") % {"who": last_save(self.instance), "count": len(self.conflicts)},
                code="conflict")
        started = data.get("base_version")
        current = self.instance.version if self.instance.pk else None
        if current is not None and started is not None and started != current:
            # Only when the merge could not run (no base values posted): never overwrite blindly.
            raise forms.ValidationError(
                _("Not saved: %(who)s saved this digest after you opened it (you started from version "
                  "%(seen)s, it is now version %(current)s). Reload the page to start from their version.")
                % {"who": last_save(self.instance), "seen": started, "current": current},
                code="stale",
            )
        return data


class DigestActionForm(ActionForm):
    """The changelist's action bar, with the comment that requesting changes needs."""

    comment = forms.CharField(required=False, label=gettext_lazy("Comment"), widget=forms.TextInput(
        attrs={"placeholder": gettext_lazy("Comment (for request changes)"), "size": 40}))
