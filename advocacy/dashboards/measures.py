"""What the managers' and marketing's dashboards add up, per share, inside the database.

A post's impressions (or engagements) *over a period* are its running total at its latest snapshot before
the period ends minus its running total at its latest snapshot before the period starts: X's counts, never
a sum of followers. Each is a correlated subquery that reads one row of ``metrics_snapshot_share_at``
(share, -read_at), so summing them per adviser, branch, campaign or variant is one grouped query over the
shares, whatever the number of snapshots.

Only shares published within the metrics schedule's reach of the period can have gained anything in it
(posts are not read after the schedule's last tier, ``POST_METRICS_SCHEDULE``); ``published_since`` bounds
the shares read on ``share_adviser_published`` (adviser, published_at).

The bank's own "earned media value" is offered only when it sets its prices (``EARNED_MEDIA_CPM``,
``EARNED_MEDIA_CPC``): an estimate, always shown with its formula, never a default multiplier.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import BigIntegerField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from advocacy.metrics.models import MetricSnapshot

# A read may wait for the next UTC day (``schedule.next_allowed``): a day's margin past the last tier.
READ_MARGIN = dt.timedelta(days=2)


def published_since(start: dt.datetime) -> dt.datetime:
    """The earliest publication whose post can still have been read at or after ``start``."""
    return start - settings.POST_METRICS_SCHEDULE[-1][0] - READ_MARGIN


def _at(before: dt.datetime, figure: str) -> Coalesce:
    latest = (
        MetricSnapshot.objects.filter(share_id=OuterRef("pk"), read_at__lt=before)
        .order_by("-read_at")
        .annotate(engagements=F("likes") + F("reposts") + F("replies") + F("quotes"))
        .values(figure)[:1]
    )
    return Coalesce(Subquery(latest, output_field=BigIntegerField()), Value(0))


def gained(figure: str, start: dt.datetime | None, end: dt.datetime) -> Sum:
    """Sum over the grouped shares of what ``figure`` ("impressions" or "engagements") gained between
    ``start`` and ``end`` (from the first read when ``start`` is None)."""
    if start is None:
        return Sum(_at(end, figure))
    return Sum(_at(end, figure) - _at(start, figure))


def rate(engagements: int, impressions: int) -> Decimal | None:
    """Engagements per impression, as a percentage (None without impressions)."""
    if impressions <= 0:
        return None
    return Decimal(engagements * 100) / Decimal(impressions)


def earned_media_prices() -> tuple[Decimal | None, Decimal | None]:
    return settings.EARNED_MEDIA_CPM, settings.EARNED_MEDIA_CPC


def earned_media_value(impressions: int, clicks: int) -> Decimal | None:
    """``impressions / 1000 x CPM + clicks x CPC`` at the bank's own prices; None when it set neither."""
    cpm, cpc = earned_media_prices()
    if cpm is None and cpc is None:
        return None
    value = Decimal(impressions) / 1000 * (cpm or 0) + Decimal(clicks) * (cpc or 0)
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def earned_media_currency() -> str:
    return settings.EARNED_MEDIA_CURRENCY
