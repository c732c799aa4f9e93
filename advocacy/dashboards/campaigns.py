"""Marketing's campaign results: what each campaign of the period came to, and per wording (variant) and
per branch, which one works.

A campaign is in the period when its window (``starts_at``..``ends_at``) overlaps it. Its figures are its
shares' running totals up to the period's end: the impressions and engagements X counted at each post's
latest read before then, the clicks on its tracked links before then. They are read as what the posts gained
each day since the campaign started, the complete days and today so far from the daily roll-up
(``rollup_campaign_day``: the campaign is copied onto each row) and the minutes since today's roll-up from
the raw events (``advocacy.rollups.selectors``).
Targeted, opted-in and scheduled are the fan-out's own counters (``Campaign``: an adviser skipped as
``not_opted_in`` had not opted in; every other targeted adviser had).

Constant queries: a page of the list (20 campaigns) is six (its campaigns, their published posts, and
``figures_by``'s four: complete days, rolled-up rows, the tail's clicks and reads); one campaign's breakdown
is seven (the campaign, its published posts and ``figures_by``'s four, per wording and branch at once, the
variants' wordings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from advocacy.campaigns.models import Campaign
from advocacy.content.models import ContentVariant
from advocacy.dashboards import measures
from advocacy.dashboards.selectors import Range
from advocacy.rollups import selectors as rollup_selectors
from advocacy.shares.models import Share
from advocacy.web.paging import KeysetPage, keyset_page


@dataclass
class Figures:
    published: int = 0
    impressions: int = 0
    engagements: int = 0
    clicks: int = 0

    @property
    def rate(self) -> Decimal | None:
        return measures.rate(self.engagements, self.impressions)

    @property
    def clicks_per_post(self) -> Decimal | None:
        if not self.published:
            return None
        return Decimal(self.clicks) / Decimal(self.published)

    @property
    def earned_media_value(self) -> Decimal | None:
        return measures.earned_media_value(self.impressions, self.clicks)


@dataclass
class CampaignRow(Figures):
    campaign: Campaign | None = None

    @property
    def targeted(self) -> int:
        return self.campaign.targeted

    @property
    def opted_in(self) -> int:
        return max(self.campaign.targeted - int((self.campaign.skip_reasons or {}).get("not_opted_in", 0)), 0)

    @property
    def scheduled(self) -> int:
        return self.campaign.scheduled


@dataclass
class Part(Figures):
    """One variant (``key`` None: the base wording) or one branch of a campaign."""

    key: int | str | None = None
    label: str = ""


@dataclass
class Breakdown:
    campaign: Campaign
    total: Figures
    variants: list[Part] = field(default_factory=list)
    branches: list[Part] = field(default_factory=list)

    @property
    def best_variant(self) -> Part | None:
        """The wording with the most clicks per published post (None with fewer than two wordings used, or
        before any click)."""
        used = [v for v in self.variants if v.published]
        if len(used) < 2 or not any(v.clicks for v in used):
            return None  # nothing to compare yet: no "winner" out of zeros
        return max(used, key=lambda v: (v.clicks_per_post, v.clicks, -(v.key or 0)))


def in_period(period: Range) -> QuerySet:
    return Campaign.objects.filter(starts_at__lt=period.end, ends_at__gte=period.start)


def _published(shares: QuerySet, keys: tuple[str, ...], end) -> dict:
    return {
        tuple(row[key] for key in keys): row["n"]
        for row in shares.filter(published_at__lt=end).values(*keys).annotate(n=Count("pk")).order_by()
    }


def _midnight(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _gained(shares_filter: dict, keys: tuple[str, ...], since: dt.datetime, end: dt.datetime) -> dict:
    """What the shares gained and their clicks from ``since``'s UTC day (the earliest campaign start: the
    fan-out schedules no post before its campaign starts, so nothing of theirs was read or clicked before;
    it keeps the roll-up read to those days and PostgreSQL to the months' partitions) up to ``end``."""
    return rollup_selectors.figures_by(keys, shares_filter, _midnight(since), end)


def _per(figures: dict, n: int) -> dict:
    """Figures keyed by tuples of keys, summed per the ``n``-th key."""
    summed: dict = {}
    for keys, value in figures.items():
        if isinstance(value, int):
            summed[keys[n]] = summed.get(keys[n], 0) + value
        else:
            summed.setdefault(keys[n], rollup_selectors.Gained()).add(
                value.impressions, value.engagements, value.clicks
            )
    return summed


def _fill(target: Figures, published: int, gained: rollup_selectors.Gained | None) -> None:
    target.published = published
    if gained:
        target.impressions, target.engagements, target.clicks = (
            gained.impressions,
            gained.engagements,
            gained.clicks,
        )


PAGE_SIZE = 20


def campaigns_page(period: Range, params) -> tuple[list[CampaignRow], KeysetPage]:
    """One page of the period's campaigns, newest first: each campaign's figures count every click of its
    posts, so the page, not the bank's history of campaigns, bounds the work (300 campaigns of a month took
    3.4 s at bank scale in one list; bench/README.md)."""
    page = keyset_page(in_period(period), params, key="pk", size=PAGE_SIZE)
    return _rows(list(page), period), page


def _rows(listed: list[Campaign], period: Range) -> list[CampaignRow]:
    if not listed:
        return []
    ids = [c.pk for c in listed]
    keys = ("campaign_id",)
    published = _per(_published(Share.objects.filter(campaign_id__in=ids), keys, period.end), 0)
    since = min(c.starts_at for c in listed)
    gained = _per(_gained({"campaign_id__in": ids}, keys, since, period.end), 0)
    rows = []
    for campaign in listed:
        row = CampaignRow(campaign=campaign)
        _fill(row, published.get(campaign.pk, 0), gained.get(campaign.pk))
        rows.append(row)
    return rows


def breakdown(pk: int, period: Range) -> Breakdown | None:
    campaign = Campaign.objects.select_related("item__current_version").filter(pk=pk).first()
    if campaign is None:
        return None
    shares = Share.objects.filter(campaign=campaign)
    end = period.end
    # Per wording and branch at once (one query each), then summed per wording and per branch.
    keys = ("approved_text__variant_id", "adviser__staff__branch__name")
    published = _published(shares, keys, end)
    gained = _gained({"campaign_id": campaign.pk}, keys, campaign.starts_at, end)
    by_variant, variant_gains = _per(published, 0), _per(gained, 0)
    by_branch, branch_gains = _per(published, 1), _per(gained, 1)
    # The current version's variants and any other the shares used: one query, even when none was used.
    used = [k for k in by_variant if k is not None]
    wordings = dict(
        ContentVariant.objects.filter(
            Q(pk__in=used) | Q(version_id=campaign.item.current_version_id)
        ).values_list("pk", "text")
    )
    base = campaign.item.current_version.text if campaign.item.current_version_id else ""
    total = Figures()
    variants = []
    for key in sorted(set(by_variant) | set(variant_gains), key=lambda k: (k is not None, k or 0)):
        part = Part(key=key, label=base if key is None else wordings.get(key, ""))
        _fill(part, by_variant.get(key, 0), variant_gains.get(key))
        variants.append(part)
        total.published += part.published
        total.impressions += part.impressions
        total.engagements += part.engagements
        total.clicks += part.clicks
    branches = []
    for key in sorted(set(by_branch) | set(branch_gains), key=lambda k: k or ""):
        part = Part(key=key, label=key or "")
        _fill(part, by_branch.get(key, 0), branch_gains.get(key))
        branches.append(part)
    return Breakdown(campaign=campaign, total=total, variants=variants, branches=branches)
