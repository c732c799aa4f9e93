"""Archive times in UTC, labelled so: the pages, the export and the X sandbox name the same instant alike.

An examiner compares the portal with the export (whose CSV says UTC) and with the network's own times. A
time shown under a "UTC" heading must therefore BE UTC, whatever the viewer's zone: Django would otherwise
convert an aware datetime to the active time zone on output.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def utc_time(value: dt.datetime | None, precision: str = "seconds"):
    """``2026-12-01 18:52:50 UTC`` in a ``<time>`` element carrying the ISO instant; "—" for None.
    ``precision``: "seconds" or "micro"."""
    if not value:
        return "—"
    at = value.astimezone(dt.UTC)
    shown = at.strftime("%Y-%m-%d %H:%M:%S.%f" if precision == "micro" else "%Y-%m-%d %H:%M:%S")
    return format_html('<time datetime="{}">{} UTC</time>', at.isoformat().replace("+00:00", "Z"), shown)
