"""What one person's weekly digest says: read only, a constant number of queries per person.

The week is the ISO week before the one the digest is sent in, in UTC (Monday 00:00 to Monday 00:00), the
same week the relationships' "new people" signals count. Three parts, each left out when it has nothing:
library content approved that week for the person's audience and still shareable now; the results of the
person's own posts that week (measured impressions and engagements read from X, clicks on tracked links:
``advocacy.dashboards.selectors.results``, the figures of "My results"); the signals waiting in their inbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from advocacy.content.models import ContentItem
from advocacy.content.selectors import library_feed_for
from advocacy.dashboards import selectors as results_selectors
from advocacy.relationships.signals import unread_count
from advocacy.shares.models import Share

UTC = dt.UTC
# The digest names this many new items, then says how many more there are.
NEW_ITEMS_SHOWN = 5


@dataclass(frozen=True)
class Week:
    first_day: dt.date  # a Monday

    @classmethod
    def before(cls, now: dt.datetime) -> Week:
        """The full week before the one ``now`` falls in."""
        today = now.astimezone(UTC).date()
        return cls(today - dt.timedelta(days=today.weekday() + 7))

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=6)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=UTC)

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(days=7)


@dataclass
class Digest:
    week: Week
    new_items: list[ContentItem] = field(default_factory=list)
    new_item_count: int = 0
    posts_published: int = 0
    impressions: int = 0
    engagements: int = 0
    clicks: int = 0
    signals_waiting: int = 0

    @property
    def more_items(self) -> int:
        return self.new_item_count - len(self.new_items)

    @property
    def has_results(self) -> bool:
        return bool(self.posts_published or self.impressions or self.engagements or self.clicks)

    @property
    def is_empty(self) -> bool:
        """Nothing to tell: no e-mail is sent (a digest that says "nothing" teaches people to ignore it)."""
        return not (self.new_item_count or self.has_results or self.signals_waiting)


def digest_for(user, week: Week, *, now: dt.datetime | None = None) -> Digest:
    digest = Digest(week)
    fresh = library_feed_for(user, now=now).filter(approved_at__gte=week.start, approved_at__lt=week.end)
    digest.new_items = list(fresh[:NEW_ITEMS_SHOWN])
    digest.new_item_count = (
        len(digest.new_items) if len(digest.new_items) < NEW_ITEMS_SHOWN else fresh.count()
    )
    mine = Share.objects.filter(adviser=user, published_at__lt=week.end)
    if mine.exists():  # most non-advisers never posted: their results cost one query
        digest.posts_published = mine.filter(published_at__gte=week.start).count()
        period = results_selectors.Range(7, week.first_day, week.last_day)
        results = results_selectors.results(user, period)
        digest.impressions, digest.engagements, digest.clicks = (
            results.impressions,
            results.engagements,
            results.clicks,
        )
    digest.signals_waiting = unread_count(user)
    return digest
