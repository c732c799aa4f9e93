"""Reading clicks over a date range from the daily roll-up where a day is complete, from the raw clicks
where it is not (today, and any day not rolled up since it ended): the same figures as counting every
click, for the cost of reading one row per post and day.

A day is complete once a roll-up of it finished after the day ended (``RollupRun.finished_at``): clicks
arrive within seconds (the click buffer), so a roll-up after midnight has them all; a later re-run (a
backfill) only makes it more so.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum

from advocacy.rollups.models import DailyPostFigures, RollupRun
from advocacy.shares.models import ShareClick

UTC = dt.UTC


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=UTC)


def complete_until(start: dt.datetime, end: dt.datetime) -> dt.date | None:
    """The last day D such that every UTC day from ``start``'s to D is complete (one query); None if the
    first is not. ``start`` must be a UTC midnight."""
    first, last = start.astimezone(UTC).date(), (end - dt.timedelta(microseconds=1)).astimezone(UTC).date()
    runs = dict(RollupRun.objects.filter(day__gte=first, day__lte=last).values_list("day", "finished_at"))
    until, day = None, first
    while day <= last and day in runs and runs[day] >= _midnight(day + dt.timedelta(days=1)):
        until, day = day, day + dt.timedelta(days=1)
    return until


def clicks_by_adviser(advisers, start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """Link clicks on the shares of ``advisers`` (a queryset of users) from ``start`` (a UTC midnight) to
    ``end``, per adviser id. Three queries."""
    counts: dict[int, int] = {}
    until = complete_until(start, end)
    tail_start = start
    if until is not None:
        rolled = DailyPostFigures.objects.filter(
            adviser__in=advisers, day__gte=start.astimezone(UTC).date(), day__lte=until
        )
        for row in rolled.values("adviser_id").annotate(n=Sum("clicks")).order_by():
            counts[row["adviser_id"]] = row["n"] or 0
        tail_start = _midnight(until + dt.timedelta(days=1))
    if tail_start < end:
        for row in (
            ShareClick.objects.filter(
                share__adviser__in=advisers, clicked_at__gte=tail_start, clicked_at__lt=end
            )
            .values("share__adviser_id")
            .annotate(n=Count("*"))  # "*": click_share_time alone answers (index-only scan)
            .order_by()
        ):
            counts[row["share__adviser_id"]] = counts.get(row["share__adviser_id"], 0) + row["n"]
    return counts
