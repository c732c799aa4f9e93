"""Template filters for times shown in the reader's time zone (see advocacy.portal.middleware)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from advocacy.org.timezones import utc_offset as _utc_offset

register = template.Library()


@register.filter
def utc_offset(value: dt.datetime | None) -> str:
    """ "UTC+02:00": the offset of ``value`` in the active time zone, which tells apart the two 02:30 of
    the night the clocks go back."""
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        return ""
    return _utc_offset(timezone.localtime(value))
