"""The monthly budget: this month's spend, and whether polling may go on (publishing and recall never ask)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from advocacy.networks.usage.models import ApiCall, UsageBudget


def month_start(now: dt.datetime | None = None) -> dt.datetime:
    now = (now or timezone.now()).astimezone(dt.UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spent_this_month(*, network: str = "x") -> Decimal:
    total = ApiCall.objects.filter(network=network, at__gte=month_start()).aggregate(s=Sum("cost"))["s"]
    return total or Decimal("0")


def polling_allowed() -> bool:
    """False once this month's spend reaches the budget (X's billing month is the UTC calendar month)."""
    return spent_this_month() < UsageBudget.current().monthly_amount
