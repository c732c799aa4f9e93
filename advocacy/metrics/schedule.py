"""When a post's counts are read next: a schedule that thins out as the post ages, kept as data.

``settings.POST_METRICS_SCHEDULE`` is a list of ``(until_age, every)`` tiers, e.g. hourly until day 1, every
6 hours until day 7, daily until day 30. Within a tier reads are ``every`` apart, never past the tier's end,
so the last tier ends with a read at exactly its age (the "last read"); a read at or past that age is the
last one, and the post is not read again.

X bills a post read once per UTC day at most and Relais never reads a post twice in a UTC day
(``advocacy.networks.usage.reads.first_read_today``): where a tier is faster than daily, the daily rule wins
and the read waits for the next UTC day (``next_allowed``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def first_read_at(published_at: dt.datetime, schedule=None) -> dt.datetime:
    schedule = schedule or settings.POST_METRICS_SCHEDULE
    return published_at + schedule[0][1]


def next_read_at(published_at: dt.datetime, read_at: dt.datetime, schedule=None) -> dt.datetime | None:
    """After a read at ``read_at``, when the next one is due; None when that read was the last."""
    schedule = schedule or settings.POST_METRICS_SCHEDULE
    age = read_at - published_at
    for until, every in schedule:
        if age < until:
            return min(read_at + every, published_at + until)
    return None


def next_utc_day(now: dt.datetime) -> dt.datetime:
    """The start of the next UTC day: when a post already read today may be read again."""
    day = now.astimezone(dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def next_allowed(published_at: dt.datetime, now: dt.datetime, schedule=None) -> dt.datetime | None:
    """For a post due now but already read today: the schedule's next time, no earlier than tomorrow (UTC).
    None when the schedule is over anyway."""
    due = next_read_at(published_at, now, schedule)
    return None if due is None else max(due, next_utc_day(now))


def parse(value: str) -> list[tuple[dt.timedelta, dt.timedelta]]:
    """``"1d=1h,7d=6h,30d=1d"`` -> tiers; units ``m``, ``h``, ``d``. Refuses tiers out of order or a step
    longer than its tier (ValueError, turned into ImproperlyConfigured by settings)."""
    units = {"m": "minutes", "h": "hours", "d": "days"}

    def span(text: str) -> dt.timedelta:
        text = text.strip()
        if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit() or int(text[:-1]) < 1:
            raise ValueError(f"{text!r} is not a duration such as 30m, 6h or 7d")
        return dt.timedelta(**{units[text[-1]]: int(text[:-1])})

    tiers = []
    for part in [p for p in value.split(",") if p.strip()]:
        until, sep, every = part.partition("=")
        if not sep:
            raise ValueError(f"{part!r} is not until=every (e.g. 7d=6h)")
        tiers.append((span(until), span(every)))
    if not tiers:
        raise ValueError("the schedule has no tier")
    for (before, _), (until, every) in zip([(dt.timedelta(0), None), *tiers], tiers, strict=False):
        if until <= before:
            raise ValueError("tiers must be in increasing age")
        if every > until:
            raise ValueError("a tier's step cannot be longer than the tier")
    return tiers
