"""Rolling one UTC day of events up into ``DailyPostFigures``: re-runnable, whole days, one transaction.

A day is recomputed from the raw events every time (not incremented), so running it twice, late, or after
clicks that arrived late (the click buffer flushes every few seconds; a share's counts are read on a
schedule) gives the same rows as running it once at the end: beat rolls up today every few minutes and
yesterday once more after midnight. On PostgreSQL the day's events sit in one monthly partition and the
queries read only it (partition pruning on the time column).

What a post's counts gained on the day is its last read of the day minus its latest read before the day (one
more query, over the posts read that day only). So a day's gains depend on the reads of earlier days: a
backfill of old reads is rolled up from its first day through today (``manage.py rollup_days FIRST LAST``
goes in day order), as beat rolls up yesterday before today.

A run counts the events before ``ROLLUP_SETTLE_SECONDS`` ago, not up to its own start, and records that
instant (``RollupRun.through``): an event reaches its table up to that long after its time (a click waits in
the web process and then in Redis), so what the run skipped is exactly what a dashboard still reads as events,
from ``through`` on. Today's rows are then a partial day the dashboards use: they read the events of the
last ten minutes or so, not the whole day's (``rollups.selectors``). A day is complete once ``through`` is its
end. An event later than that margin (the click flush stopped for longer) is missed until the next run: the
same bargain as the complete day, which every run of yesterday recomputes.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from advocacy.metrics.models import MetricSnapshot
from advocacy.rollups.models import DailyPostFigures, RollupRun
from advocacy.shares.models import ShareClick

UTC = dt.UTC
BATCH = 5000


def engagements_of(likes: int, reposts: int, replies: int, quotes: int) -> int:
    """Engagement as the dashboards count it (bookmarks are private to the bookmarker: not counted)."""
    return likes + reposts + replies + quotes


def bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=UTC)
    return start, start + dt.timedelta(days=1)


def _clicks(start, end) -> dict[int, dict]:
    rows = (
        ShareClick.objects.filter(clicked_at__gte=start, clicked_at__lt=end)
        .values("share_id", adviser=F("share__adviser_id"), campaign=F("share__campaign_id"))
        .annotate(clicks=Count("pk"), visitors=Count("visitor", distinct=True))
        .order_by()
    )
    return {row["share_id"]: row for row in rows}


def _latest(snapshots, **extra) -> list[dict]:
    """Each post's latest of ``snapshots`` (a window function, in the database)."""
    return list(
        snapshots.annotate(
            rank=Window(RowNumber(), partition_by=[F("share_id")], order_by=F("read_at").desc())
        )
        .filter(rank=1)
        .values("share_id", "impressions", "likes", "reposts", "replies", "quotes", **extra)
    )


def _last_reads(start, end) -> dict[int, dict]:
    rows = _latest(
        MetricSnapshot.objects.filter(read_at__gte=start, read_at__lt=end),
        adviser=F("share__adviser_id"),
        campaign=F("share__campaign_id"),
    )
    return {row["share_id"]: row for row in rows}


def _reads_before(start, end) -> dict[int, tuple[int, int]]:
    """The counts at the latest read before ``start`` of each post read from ``start`` to ``end``."""
    read = MetricSnapshot.objects.filter(read_at__gte=start, read_at__lt=end).values("share_id")
    rows = _latest(MetricSnapshot.objects.filter(share_id__in=read, read_at__lt=start))
    return {row["share_id"]: counts_of(row) for row in rows}


def counts_of(read: dict) -> tuple[int, int]:
    """A snapshot's impressions and engagements (``read`` has its count fields)."""
    engagements = engagements_of(read["likes"], read["reposts"], read["replies"], read["quotes"])
    return read["impressions"], engagements


def settled(now: dt.datetime) -> dt.datetime:
    """The instant before which every event has reached its table (``ROLLUP_SETTLE_SECONDS`` before now)."""
    return now - dt.timedelta(seconds=settings.ROLLUP_SETTLE_SECONDS)


def rollup_day(day: dt.date, *, now: dt.datetime | None = None) -> RollupRun:
    """Recompute ``day``'s rows from its settled events (the old rows replaced in the same transaction):
    the whole day once it ended ``ROLLUP_SETTLE_SECONDS`` ago, else its events so far but that margin."""
    began = time.monotonic()
    start, end = bounds(day)
    through = max(start, min(end, settled(now or timezone.now())))
    clicks, reads = _clicks(start, through), _last_reads(start, through)
    before = _reads_before(start, through)
    rows = []
    for share_id in clicks.keys() | reads.keys():
        click, read = clicks.get(share_id), reads.get(share_id)
        counts = counts_of(read) if read else (None, None)
        was = before.get(share_id, (0, 0))
        rows.append(
            DailyPostFigures(
                day=day,
                share_id=share_id,
                adviser_id=(click or read)["adviser"],
                campaign_id=(click or read)["campaign"],
                clicks=click["clicks"] if click else 0,
                visitors=click["visitors"] if click else 0,
                impressions=counts[0],
                engagements=counts[1],
                impressions_gained=counts[0] - was[0] if read else 0,
                engagements_gained=counts[1] - was[1] if read else 0,
            )
        )
    with transaction.atomic():
        DailyPostFigures.objects.filter(day=day).delete()
        DailyPostFigures.objects.bulk_create(rows, batch_size=BATCH)
        run, _created = RollupRun.objects.update_or_create(
            day=day,
            defaults={
                "finished_at": timezone.now(),
                "through": through,
                "seconds": time.monotonic() - began,
                "rows": len(rows),
            },
        )
    return run


def rollup_recent(*, now: dt.datetime | None = None) -> list[RollupRun]:
    """Today so far and yesterday (late clicks and reads of yesterday land here after midnight)."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    return [rollup_day(today - dt.timedelta(days=1), now=now), rollup_day(today, now=now)]
