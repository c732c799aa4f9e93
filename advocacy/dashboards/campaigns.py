"""Marketing's campaign results: what each campaign of the period came to, and per wording (variant) and
per branch, which one works.

A campaign is in the period when its window (``starts_at``..``ends_at``) overlaps it. Its figures are its
shares' running totals up to the period's end: the impressions and engagements X counted at each post's
latest read before then (``measures``), the clicks on its tracked links before then. Targeted, opted-in and
scheduled are the fan-out's own counters (``Campaign``: an adviser skipped as ``not_opted_in`` had not opted
in; every other targeted adviser had).

Constant queries: a page of the list (20 campaigns) is three (its campaigns, their shares' figures, their
clicks); one campaign's breakdown is six (the campaign, figures and clicks per variant and per branch,
the variants' wordings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from advocacy.campaigns.models import Campaign
from advocacy.content.models import ContentVariant
from advocacy.dashboards import measures
from advocacy.dashboards.selectors import Range
from advocacy.shares.models import Share, ShareClick
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


def _figures(shares: QuerySet, key: str, end) -> dict:
    return {
        row[key]: row
        for row in shares.values(key)
        .annotate(
            published=Count("pk", filter=Q(published_at__lt=end)),
            impressions=measures.gained("impressions", None, end),
            engagements=measures.gained("engagements", None, end),
        )
        .order_by()
    }


def _clicks(shares_filter: dict, key: str, start, end) -> dict:
    """Clicks from ``start`` (the earliest campaign start: no post of theirs, hence no click, is older; it
    keeps PostgreSQL to the months' partitions and the range of ``click_share_time`` that can hold them)."""
    return {
        row[key]: row["n"]
        for row in ShareClick.objects.filter(clicked_at__gte=start, clicked_at__lt=end, **shares_filter)
        .values(key)
        .annotate(n=Count("*"))
        .order_by()
    }


def _fill(target: Figures, row: dict | None, clicks: int) -> None:
    if row:
        target.published = row["published"]
        target.impressions = row["impressions"] or 0
        target.engagements = row["engagements"] or 0
    target.clicks = clicks


PAGE_SIZE = 20


def campaigns_page(period: Range, params) -> tuple[list[CampaignRow], KeysetPage]:
    """One page of the period's campaigns, newest first: each campaign's figures count every click of its
    posts, so the page, not the bank's history of campaigns, bounds the work (300 campaigns of a month took
    3.4 s at bank scale in one list; bench/README.md)."""
    page = keyset_page(in_period(period), params, key="pk", size=PAGE_SIZE)
    return _rows(list(page), period), page


def _rows(listed: list[Campaign], period: Range) -> list[CampaignRow]:
    ids = [c.pk for c in listed]
    figures = _figures(Share.objects.filter(campaign_id__in=ids), "campaign_id", period.end)
    since = min((c.starts_at for c in listed), default=period.start)
    clicks = _clicks({"share__campaign_id__in": ids}, "share__campaign_id", since, period.end)
    rows = []
    for campaign in listed:
        row = CampaignRow(campaign=campaign)
        _fill(row, figures.get(campaign.pk), clicks.get(campaign.pk, 0))
        rows.append(row)
    return rows


def breakdown(pk: int, period: Range) -> Breakdown | None:
    campaign = Campaign.objects.select_related("item__current_version").filter(pk=pk).first()
    if campaign is None:
        return None
    shares = Share.objects.filter(campaign=campaign)
    end = period.end
    variant_key, branch_key = "approved_text__variant_id", "adviser__staff__branch__name"
    by_variant = _figures(shares, variant_key, end)
    variant_clicks = _clicks({"share__campaign": campaign}, "share__" + variant_key, campaign.starts_at, end)
    by_branch = _figures(shares, branch_key, end)
    branch_clicks = _clicks({"share__campaign": campaign}, "share__" + branch_key, campaign.starts_at, end)
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
    for key in sorted(set(by_variant) | set(variant_clicks), key=lambda k: (k is not None, k or 0)):
        part = Part(key=key, label=base if key is None else wordings.get(key, ""))
        _fill(part, by_variant.get(key), variant_clicks.get(key, 0))
        variants.append(part)
        total.published += part.published
        total.impressions += part.impressions
        total.engagements += part.engagements
        total.clicks += part.clicks
    branches = []
    for key in sorted(set(by_branch) | set(branch_clicks), key=lambda k: k or ""):
        part = Part(key=key, label=key or "")
        _fill(part, by_branch.get(key), branch_clicks.get(key, 0))
        branches.append(part)
    return Breakdown(campaign=campaign, total=total, variants=variants, branches=branches)
