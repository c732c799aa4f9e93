"""The adviser's results, read from what was measured: X's counts for each post (``MetricSnapshot``), the
clicks on the tracked links (``ShareClick``) and the interactions of clients (``Interaction``).

Snapshots hold running totals (X's ``public_metrics`` at each read). A post's figure for a day is what its
latest snapshot of that day adds to its latest snapshot before (the day before the range: the latest
snapshot before the range starts), so a day's impressions are the impressions X counted that day, summed
over the adviser's posts: measured, never a sum of followers. Days are UTC days, as X counts and bills.

Those gains and clicks per post and day are read from the daily roll-up for the complete days and today so
far (one row per post and day on ``rollup_adviser_day``) and from the raw snapshots and clicks for the rest,
the last minutes since today's roll-up (``advocacy.rollups.selectors.figures_by_share_day``): the same
figures as differencing every snapshot, whatever the adviser's history. A constant number of queries
whatever the number of posts, snapshots or clicks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from advocacy.relationships.models import Interaction
from advocacy.rollups import selectors as rollup_selectors
from advocacy.shares.models import Share

BEST_POSTS = 5
UTC = dt.UTC


@dataclass(frozen=True)
class Range:
    """The last ``days`` UTC days, today included: ``start`` is the first day's midnight, ``end`` the next
    day's midnight after today."""

    days: int
    first_day: dt.date
    last_day: dt.date

    @classmethod
    def last(cls, days: int, *, now: dt.datetime) -> Range:
        today = now.astimezone(UTC).date()
        return cls(days, today - dt.timedelta(days=days - 1), today)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), tzinfo=UTC)

    @property
    def all_days(self) -> list[dt.date]:
        return [self.first_day + dt.timedelta(days=i) for i in range(self.days)]


@dataclass
class Day:
    day: dt.date
    impressions: int = 0
    engagements: int = 0
    clicks: int = 0


@dataclass
class Post:
    share_id: int
    impressions: int = 0
    engagements: int = 0
    clicks: int = 0
    text: str = ""
    url: str = ""
    published_at: dt.datetime | None = None

    @property
    def rate(self) -> Decimal | None:
        """Engagements per impression in the range, as a percentage (None without impressions)."""
        if self.impressions <= 0:
            return None
        return Decimal(self.engagements * 100) / Decimal(self.impressions)


@dataclass
class Results:
    range: Range
    days: list[Day]
    best: list[Post] = field(default_factory=list)
    client_interactions: int = 0
    clients_engaged: int = 0

    @property
    def impressions(self) -> int:
        return sum(d.impressions for d in self.days)

    @property
    def engagements(self) -> int:
        return sum(d.engagements for d in self.days)

    @property
    def clicks(self) -> int:
        return sum(d.clicks for d in self.days)

    @property
    def rate(self) -> Decimal | None:
        if self.impressions <= 0:
            return None
        return Decimal(self.engagements * 100) / Decimal(self.impressions)


def results(adviser, period: Range) -> Results:
    """The adviser's days, best posts and clients engaged over ``period`` (a constant number of queries)."""
    days = {d: Day(d) for d in period.all_days}
    posts: dict[int, Post] = {}
    figures = rollup_selectors.figures_by_share_day({"adviser": adviser}, period.start, period.end)
    for (share_id, on), gained in figures.items():
        day = days[on]
        day.impressions += gained.impressions
        day.engagements += gained.engagements
        day.clicks += gained.clicks
        post = posts.setdefault(share_id, Post(share_id))
        post.impressions += gained.impressions
        post.engagements += gained.engagements
        post.clicks += gained.clicks
    ranked = sorted(
        (p for p in posts.values() if p.rate is not None),
        key=lambda p: (p.rate, p.impressions, p.share_id),
        reverse=True,
    )[:BEST_POSTS]
    shares = Share.objects.filter(pk__in=[p.share_id for p in ranked]).only(
        "pk", "text", "sent_text", "post_url", "published_at"
    )
    for share in shares:
        post = posts[share.pk]
        post.text, post.url, post.published_at = (
            share.sent_text or share.text,
            share.post_url,
            share.published_at,
        )
    engaged = Interaction.objects.filter(
        adviser=adviser, client__isnull=False, occurred_at__gte=period.start, occurred_at__lt=period.end
    ).aggregate(n=Count("id"), clients=Count("client_id", distinct=True))
    return Results(
        range=period,
        days=[days[d] for d in period.all_days],
        best=ranked,
        client_interactions=engaged["n"],
        clients_engaged=engaged["clients"],
    )
