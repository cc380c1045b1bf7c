"""Admin forms: the digest form that refuses stale saves, and the bulk action form with a comment."""
from django import forms
from django.contrib.admin.helpers import ActionForm
from django.urls import reverse
from django.utils.html import format_html

from .models import Digest, ReviewEvent


class DigestAdminForm(forms.ModelForm):
    """Carries the version the editor started from; a save based on an older version is refused."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Digest
        fields = ["title", "series", "date", "slug", "tags", "footer", "published_at", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale = False
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version

    def has_changed(self):
        # The version is bookkeeping, not content.
        return bool([name for name in self.changed_data if name != "base_version"])

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name != "base_version"]

    def clean(self):
        data = super().clean()
        started = data.get("base_version")
        current = self.instance.version if self.instance.pk else None
        if current is not None and started is not None and started != current:
            self.stale = True
            last = (
                ReviewEvent.objects.filter(digest_id=self.instance.pk, action=ReviewEvent.Action.EDIT)
                .select_related("actor").last()
            )
            who = f"{last.actor} at {last.created_at:%H:%M}" if last and last.actor else "someone else"
            # Let a second save be a deliberate overwrite: the editor has now been told about the other edit.
            self.data = self.data.copy()
            self.data[self.add_prefix("base_version")] = str(current)
            raise forms.ValidationError(
                format_html(
                    "Not saved: {} saved this digest after you opened it (you started from version {}, it is now "
                    "version {}). Your text is shown below, unsaved. Compare it with "
                    "<a href=\"{}\" target=\"_blank\">the current version</a>; save again to replace it with yours, "
                    "or reload the page to drop your changes.",
                    who, started, current, reverse("admin:digests_digest_preview", args=[self.instance.pk]),
                ),
                code="stale",
            )
        return data


class DigestActionForm(ActionForm):
    """The changelist's action bar, with the comment that requesting changes needs."""

    comment = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": "Comment (for request changes)", "size": 40}))
