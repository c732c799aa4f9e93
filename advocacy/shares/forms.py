from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.forms.fields import BaseTemporalField
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from advocacy.org.selectors import time_zone_of
from advocacy.org.timezones import utc_offset


def adviser_timezone(user) -> zoneinfo.ZoneInfo:
    """The zone the adviser schedules in: their own (Preferences), else the bank's ``TIME_ZONE``."""
    return time_zone_of(user)


def describe_moment(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """ "25/10/2026 02:30 (UTC+02:00)": the wall-clock time in ``tz`` and its offset, so that a time that
    occurs twice when clocks go back is still unambiguous."""
    local = moment.astimezone(tz)
    return f"{date_format(local, 'SHORT_DATETIME_FORMAT')} ({utc_offset(local)})"


class WallClockField(forms.DateTimeField):
    """A date and time as the person typed it, left naive: the form says in which zone it is read and
    what daylight saving time does to it. (Django's own field would read it in the active time zone and
    refuse, with a generic message, a time that occurs twice or never.)"""

    def to_python(self, value) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        return BaseTemporalField.to_python(self, value)


def wall_clock_in(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A wall-clock time typed by someone in ``tz``, made aware. Daylight saving time makes some special:
    fold=0 picks the first of a time that occurs twice (clocks go back), and a time that never occurs
    (clocks go forward) is refused with a message saying so (it would not survive a round trip via UTC)."""
    naive = value.replace(tzinfo=None)
    when = naive.replace(tzinfo=tz, fold=0)
    if when.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise forms.ValidationError(
            _(
                "%(time)s does not exist in %(zone)s: the clocks go forward at that moment. "
                "Choose another time."
            ),
            code="nonexistent_time",
            params={"time": date_format(naive, "SHORT_DATETIME_FORMAT"), "zone": str(tz)},
        )
    return when


class ShareForm(forms.Form):
    """ "Share now" or "schedule": a local date and time in the adviser's time zone."""

    when = WallClockField(
        label=_("Publish on"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Your local time."),
    )

    def __init__(self, *args, tz: zoneinfo.ZoneInfo, **kwargs):
        self.tz = tz
        self.ambiguous = False
        super().__init__(*args, **kwargs)

    def clean_when(self) -> dt.datetime | None:
        value = self.cleaned_data.get("when")
        if value is None or "now" in self.data:
            return None  # "Share now" ignores the date field, whatever it holds
        # The browser sends a naive local time: it is the adviser's wall-clock time, not the server's.
        # Daylight saving time makes some wall-clock times special: fold=0 picks the first of a time that
        # occurs twice (clocks go back), and a time that never occurs (clocks go forward) comes back
        # different from a round trip through UTC.
        when = wall_clock_in(value, self.tz)
        self.ambiguous = when.utcoffset() != when.replace(fold=1).utcoffset()
        return when

    def clean(self):
        cleaned = super().clean()
        if "schedule" in self.data and not cleaned.get("when") and not self.errors:
            self.add_error("when", _("Choose when to publish."))
        return cleaned

    def scheduled_message(self, when: dt.datetime) -> str:
        """What the adviser is told once the share is scheduled: the exact time, with its UTC offset."""
        message = gettext("Scheduled for %(moment)s, %(zone)s time.") % {
            "moment": describe_moment(when, self.tz),
            "zone": str(self.tz),
        }
        if self.ambiguous:
            message += " " + gettext(
                "That time occurs twice when the clocks go back; the first one (%(offset)s) is used."
            ) % {"offset": utc_offset(when.astimezone(self.tz))}
        return message
