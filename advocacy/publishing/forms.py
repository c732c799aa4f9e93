from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def adviser_timezone(user) -> zoneinfo.ZoneInfo:
    """The adviser's time zone. Staff profiles carry none yet: every adviser is on the bank's TIME_ZONE."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class ShareForm(forms.Form):
    """ "Share now" or "schedule": a local date and time in the adviser's time zone."""

    when = forms.DateTimeField(
        label=_("Publish on"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Your local time."),
    )

    def __init__(self, *args, tz: zoneinfo.ZoneInfo, **kwargs):
        self.tz = tz
        super().__init__(*args, **kwargs)

    def clean_when(self) -> dt.datetime | None:
        value = self.cleaned_data.get("when")
        if value is None:
            return None
        # The browser sends a naive local time: it is the adviser's wall-clock time, not the server's.
        return value.replace(tzinfo=None).replace(tzinfo=self.tz)

    def clean(self):
        cleaned = super().clean()
        if "schedule" in self.data and not cleaned.get("when") and not self.errors:
            self.add_error("when", _("Choose when to publish."))
        return cleaned
