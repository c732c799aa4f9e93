"""The managers' dashboard: adoption and results of the advisers in their scope, per adviser and per branch.

Scope is the one the relationships' team page uses (``relationships.team.advisers_in_scope``): a branch
manager's branch, a regional manager's region (every branch of it, so branches compare side by side). The
drill-down to one adviser looks the adviser up *in that scope* and answers 404 otherwise, so no figure of
another branch can be read by changing the id in the URL.

Eight queries at most whatever the number of advisers, shares, snapshots or clicks: the advisers (with
their X connection), their publications (in the period, this calendar month and last), what their posts
gained and their clicks (complete days and today so far from the daily roll-up, the minutes since from
the raw events: ``advocacy.rollups.selectors.figures_by``, up to four; the roll-up's sums are cached
until a roll-up rewrites one of them), and the library items approved and used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from advocacy.content.models import ContentItem, ItemStatus, Origin
from advocacy.dashboards import measures
from advocacy.dashboards.selectors import Range
from advocacy.networks.x.models import XAccount
from advocacy.relationships.team import advisers_in_scope
from advocacy.rollups import selectors as rollup_selectors
from advocacy.shares.models import Share


@dataclass
class Figures:
    """What a row of the tables shows (an adviser, a branch or the whole scope)."""

    advisers: int = 0
    connected: int = 0
    active_this_month: int = 0
    active_last_month: int = 0
    shares: int = 0
    impressions: int = 0
    engagements: int = 0
    clicks: int = 0

    @property
    def rate(self) -> Decimal | None:
        return measures.rate(self.engagements, self.impressions)

    @property
    def earned_media_value(self) -> Decimal | None:
        return measures.earned_media_value(self.impressions, self.clicks)

    def add(self, other: Figures) -> None:
        """Every field of ``other`` added (``tests/dashboards`` check the list against the fields)."""
        self.advisers += other.advisers
        self.connected += other.connected
        self.active_this_month += other.active_this_month
        self.active_last_month += other.active_last_month
        self.shares += other.shares
        self.impressions += other.impressions
        self.engagements += other.engagements
        self.clicks += other.clicks


@dataclass
class AdviserRow(Figures):
    pk: int = 0
    name: str = ""
    branch: str = ""


@dataclass
class BranchRow(Figures):
    name: str = ""


@dataclass
class Team:
    range: Range
    month_start: dt.datetime
    advisers: list[AdviserRow]
    branches: list[BranchRow]
    total: Figures
    library_items: int = 0
    library_items_used: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def library_used_percent(self) -> Decimal | None:
        if not self.library_items:
            return None
        return Decimal(self.library_items_used * 100) / Decimal(self.library_items)


def month_starts(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """This UTC calendar month's start and the previous one's."""
    this = now.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    previous = (this - dt.timedelta(days=1)).replace(day=1)
    return this, previous


def adviser_in_scope(user, adviser_id: int):
    """The adviser, if ``user`` may look at them; None otherwise (the view answers 404)."""
    return advisers_in_scope(user).select_related("staff__branch").filter(pk=adviser_id).first()


def team(user, period: Range, *, now: dt.datetime) -> Team:
    scope = advisers_in_scope(user)
    connected = XAccount.objects.filter(user_id=OuterRef("pk"), status=XAccount.Status.CONNECTED)
    people = (
        scope.annotate(connected=Exists(connected))
        .order_by("staff__branch__name", "last_name", "first_name", "pk")
        .values_list("pk", "first_name", "last_name", "email", "staff__branch__name", "connected")
    )
    rows = {
        pk: AdviserRow(
            pk=pk,
            name=f"{first_name} {last_name}".strip() or email,
            branch=branch or "",
            advisers=1,
            connected=int(is_connected),
        )
        for pk, first_name, last_name, email, branch, is_connected in people
    }
    start, end = period.start, period.end
    this_month, last_month = month_starts(now)
    # The scope's ids, already read: the scope's joins are not repeated in each of the queries below.
    in_scope = {"adviser__any": list(rows)}  # one array parameter (advocacy.web.lookups)
    # Posts published in the period and this calendar month and last: one range of share_adviser_published.
    for adviser_id, shares, this, last in (
        Share.objects.filter(**in_scope, published_at__gte=min(start, last_month), published_at__lt=end)
        .values_list("adviser_id")
        .annotate(
            shares=Count("pk", filter=Q(published_at__gte=start)),
            this=Count("pk", filter=Q(published_at__gte=this_month, published_at__lt=now)),
            last=Count("pk", filter=Q(published_at__gte=last_month, published_at__lt=this_month)),
        )
        .order_by()
    ):
        adviser = rows[adviser_id]
        adviser.shares = shares
        adviser.active_this_month, adviser.active_last_month = int(this > 0), int(last > 0)
    # Complete days from the daily roll-up, the rest from the raw events (advocacy.rollups.selectors).
    for adviser_id, gained in rollup_selectors.figures_by("adviser_id", in_scope, start, end).items():
        adviser = rows[adviser_id]
        adviser.impressions, adviser.engagements, adviser.clicks = (
            gained.impressions,
            gained.engagements,
            gained.clicks,
        )
    library = ContentItem.objects.filter(origin=Origin.LIBRARY, status=ItemStatus.APPROVED)
    used = (
        Share.objects.filter(**in_scope, published_at__gte=start, published_at__lt=end)
        .filter(item__in=library)
        .aggregate(n=Count("item_id", distinct=True))["n"]
    )
    library_total = library.count()
    branches: dict[str, BranchRow] = {}
    total = Figures()
    for adviser in rows.values():
        branches.setdefault(adviser.branch, BranchRow(name=adviser.branch)).add(adviser)
        total.add(adviser)
    return Team(
        range=period,
        month_start=this_month,
        advisers=list(rows.values()),
        branches=sorted(branches.values(), key=lambda b: b.name),
        total=total,
        library_items=library_total,
        library_items_used=used,
    )
