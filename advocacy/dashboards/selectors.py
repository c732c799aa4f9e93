"""The adviser's results, read from what was measured: X's counts for each post (``MetricSnapshot``), the
clicks on the tracked links (``ShareClick``) and the interactions of clients (``Interaction``).

Snapshots hold running totals (X's ``public_metrics`` at each read). A post's figure for a day is what its
latest snapshot of that day adds to its latest snapshot before (the day before the range: the latest
snapshot before the range starts), so a day's impressions are the impressions X counted that day, summed
over the adviser's posts: measured, never a sum of followers. Days are UTC days, as X counts and bills.

Every function makes one query whatever the number of posts, snapshots or clicks (the latest snapshot per
post and day is picked by a window function, in the database).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber, TruncDate

from advocacy.metrics.models import MetricSnapshot
from advocacy.relationships.models import Interaction
from advocacy.shares.models import Share, ShareClick

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


def _counts(row: dict) -> tuple[int, int]:
    return row["impressions"], row["likes"] + row["reposts"] + row["replies"] + row["quotes"]


_FIGURES = ("share_id", "impressions", "likes", "reposts", "replies", "quotes")


def _latest_before(adviser, start: dt.datetime) -> dict[int, tuple[int, int]]:
    """Each post's running totals at its latest snapshot before ``start`` (one query)."""
    rows = (
        MetricSnapshot.objects.filter(share__adviser=adviser, read_at__lt=start)
        .annotate(rank=Window(RowNumber(), partition_by=[F("share_id")], order_by=F("read_at").desc()))
        .filter(rank=1)
        .values(*_FIGURES)
    )
    return {row["share_id"]: _counts(row) for row in rows}


def _latest_per_day(adviser, period: Range) -> list[dict]:
    """Each post's latest snapshot of each day of the range (one query), in day order."""
    day = TruncDate("read_at", tzinfo=UTC)
    return list(
        MetricSnapshot.objects.filter(
            share__adviser=adviser, read_at__gte=period.start, read_at__lt=period.end
        )
        .annotate(
            day=day,
            rank=Window(RowNumber(), partition_by=[F("share_id"), day], order_by=F("read_at").desc()),
        )
        .filter(rank=1)
        .values(*_FIGURES, "day")
        .order_by("day")
    )


def _clicks(adviser, period: Range) -> list[dict]:
    return list(
        ShareClick.objects.filter(
            share__adviser=adviser, clicked_at__gte=period.start, clicked_at__lt=period.end
        )
        .annotate(day=TruncDate("clicked_at", tzinfo=UTC))
        .values("share_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )


def results(adviser, period: Range) -> Results:
    """The adviser's days, best posts and clients engaged over ``period`` (a constant number of queries)."""
    days = {d: Day(d) for d in period.all_days}
    posts: dict[int, Post] = {}
    previous = _latest_before(adviser, period.start)
    for row in _latest_per_day(adviser, period):
        impressions, engagements = _counts(row)
        before = previous.get(row["share_id"], (0, 0))
        previous[row["share_id"]] = (impressions, engagements)
        gained = impressions - before[0], engagements - before[1]
        day = days[row["day"]]
        day.impressions += gained[0]
        day.engagements += gained[1]
        post = posts.setdefault(row["share_id"], Post(row["share_id"]))
        post.impressions += gained[0]
        post.engagements += gained[1]
    clicks_by_share: dict[int, int] = defaultdict(int)
    for row in _clicks(adviser, period):
        days[row["day"]].clicks += row["n"]
        clicks_by_share[row["share_id"]] += row["n"]
    for share_id, n in clicks_by_share.items():
        if share_id in posts:
            posts[share_id].clicks = n
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
