"""Time zones of staff: which IANA names are accepted, and how the choice is offered.

A profile stores the zone's IANA name ("Asia/Tokyo"), or nothing for the bank's ``TIME_ZONE``. The names
accepted are those of the server's time zone database (``zoneinfo.available_timezones()``), so a zone
that exists for Python always works for scheduling and display.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Offered first on the preferences page: the bank's home, its overseas departments, and the financial
# centres staff most often work from. Anything else is in the full list below them.
COMMON_TIME_ZONES = (
    "Europe/Paris",
    "Europe/London",
    "Europe/Brussels",
    "Europe/Luxembourg",
    "Europe/Zurich",
    "Europe/Berlin",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Asia/Dubai",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)

# The full list, grouped by the first part of the name. Legacy aliases ("US/Eastern", "GB") are still
# accepted when typed in a roster; they are just not offered.
_REGIONS = {
    "Europe": _("Europe"),
    "America": _("Americas"),
    "Africa": _("Africa"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Indian": _("Indian Ocean"),
    "Australia": _("Australia"),
    "Pacific": _("Pacific Ocean"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
}

UNKNOWN_TIME_ZONE = _(
    "“%(value)s” is not a time zone we know. Choose one from the list, for example Europe/Paris."
)

# Present in some time zone databases but not places: "localtime" is whatever the server is set to.
_NOT_ZONES = {"localtime", "posixrules", "Factory"}


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - _NOT_ZONES)


@functools.cache
def _by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in _known()}


def is_time_zone(name: str) -> bool:
    return name in _known()


def canonical_time_zone(name: str) -> str | None:
    """The zone's exact IANA spelling for a name typed in any case ("europe/paris"), or None."""
    return _by_folded_name().get(name.strip().casefold())


def validate_time_zone(value: str) -> None:
    """Model and form validator: blank (the bank's zone) or a name the time zone database knows."""
    if value and not is_time_zone(value):
        raise ValidationError(
            UNKNOWN_TIME_ZONE,
            code="unknown_time_zone",
            params={"value": value},
        )


def zone_named(name: str) -> zoneinfo.ZoneInfo:
    """The zone of a profile's stored name; blank or no longer known: the bank's ``TIME_ZONE``."""
    if name and is_time_zone(name):
        return zoneinfo.ZoneInfo(name)
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def utc_offset(moment: dt.datetime) -> str:
    """ "UTC+09:00", "UTC-04:00", "UTC+05:30" for an aware datetime: how people read an offset."""
    offset = moment.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def time_zone_choices(*, current: str = "", now: dt.datetime | None = None) -> list:
    """Grouped choices for a select: the bank's zone (blank), common zones, then every zone by region.

    Each label shows the zone's offset at ``now`` (it changes with daylight saving time). ``current`` is
    added when it is a valid name the lists leave out (a legacy alias from a roster), so that the form
    shows what is stored."""
    now = now or dt.datetime.now(dt.UTC)

    def option(name: str) -> tuple[str, str]:
        return name, f"{name.replace('_', ' ')} ({utc_offset(now.astimezone(zoneinfo.ZoneInfo(name)))})"

    default = settings.TIME_ZONE
    choices: list = [("", _("The bank's time zone: %(zone)s") % {"zone": default.replace("_", " ")})]
    common = [name for name in COMMON_TIME_ZONES if is_time_zone(name)]
    choices.append((_("Common"), [option(name) for name in common]))
    grouped: dict[str, list[str]] = {region: [] for region in _REGIONS}
    for name in sorted(_known()):
        region = name.split("/", 1)[0]
        if "/" in name and region in grouped:
            grouped[region].append(name)
    for region, label in _REGIONS.items():
        if grouped[region]:
            choices.append((label, [option(name) for name in grouped[region]]))
    offered = set(common).union(*grouped.values())
    if current and current not in offered and is_time_zone(current):
        choices.append((_("Other"), [option(current)]))
    return choices
