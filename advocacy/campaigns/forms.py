"""The campaign form: which approved item, for whom, and when (local time of its author, see Preferences)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.campaigns.selectors import campaign_items
from advocacy.org.models import Branch, Region, Role
from advocacy.shares.forms import WallClockField, wall_clock_in

_LOCAL = ["%Y-%m-%dT%H:%M"]


def _local_field(label):
    return WallClockField(
        label=label,
        input_formats=_LOCAL,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL[0]),
    )


class CampaignForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("Approved content"),
        queryset=None,
        help_text=_("Only approved content that has not expired is listed."),
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, help_text=_("Empty: the content's title.")
    )
    starts_at = _local_field(_("From"))
    ends_at = _local_field(_("Until"))
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"), queryset=Region.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    branches = forms.ModelMultipleChoiceField(
        label=_("Branches"),
        queryset=Branch.objects.select_related("region"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave regions and branches empty for the content's whole audience."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Only advisers who are also"),
        choices=[(value, label) for value, label in Role.choices if value != Role.ADVISER],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, tz: zoneinfo.ZoneInfo, **kwargs):
        self.tz = tz
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = campaign_items()

    def _local(self, name):
        value = self.cleaned_data.get(name)
        # The browser sends a naive wall-clock time in the author's zone, not the server's.
        return wall_clock_in(value, self.tz) if value else value

    def clean_starts_at(self):
        return self._local("starts_at")

    def clean_ends_at(self):
        return self._local("ends_at")
