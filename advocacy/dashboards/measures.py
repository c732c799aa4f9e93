"""What the managers' and marketing's dashboards derive from the figures they read (those come from
``advocacy.rollups.selectors``: the complete days and today so far from the daily roll-up, the minutes
since from the raw events).

The bank's own "earned media value" is offered only when it sets its prices (``EARNED_MEDIA_CPM``,
``EARNED_MEDIA_CPC``): an estimate, always shown with its formula, never a default multiplier.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings


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
