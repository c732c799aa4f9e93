"""Dates in sentences shown to people: the active language's own format, in the current time zone."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone


def local_moment(value: dt.datetime) -> str:
    """``value`` as the active language writes a short date and time (French ``02/12/2026 14:30``, English
    ``12/02/2026 2:30 p.m.``), in the current time zone (the adviser's, where the portal set it)."""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
