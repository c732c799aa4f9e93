"""Reads of the X usage ledger for the usage page: this month against the budget, spend by endpoint, by
month and by day, a linear forecast to the month's end, and the recent calls.

Each read is one query over ``usage_apicall_net_at`` (network, at), whatever the number of calls: the page
makes the same number of queries with 3 calls or 3 million. X bills by UTC calendar month, so months and
days here are UTC ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.networks.usage.budget import month_start
from advocacy.networks.usage.models import ApiCall, UsageBudget

CENT = Decimal("0.01")
TENTH_OF_A_CENT = Decimal(
    "0.0001"
)  # the ledger's precision (ApiCall.cost); SQLite's grouped sums drift past it
ALERT_AT = 80  # the first alert's threshold (advocacy/networks/usage/alerts.py THRESHOLDS)
# What each ledger ``purpose`` (written by advocacy/networks/x/network.py) means to a reader.
PURPOSE_LABELS = {
    "publish": _("publishing"),
    "reply": _("reply"),
    "delete": _("deletion (recall)"),
    "recent_posts": _("looking for a post after an unknown outcome"),
    "mentions": _("mentions"),
    "followers": _("followers"),
    "engagement": _("engagement (likes, reposts)"),
    "metrics": _("post counts"),
    "handle_lookup": _("handle lookup"),
    "subscriptions": _("activity subscriptions"),
}


def purpose_label(purpose: str) -> str:
    return str(PURPOSE_LABELS.get(purpose, purpose))


# Under a day of the month, a pace says little: the forecast waits for one full day of calls.
FORECAST_AFTER = dt.timedelta(days=1)


def _amount(value) -> Decimal:
    return Decimal(value or 0).quantize(TENTH_OF_A_CENT)


def next_month(start: dt.datetime) -> dt.datetime:
    return (start + dt.timedelta(days=32)).replace(day=1)


def forecast_to_month_end(spent: Decimal, *, now: dt.datetime) -> Decimal | None:
    """This month's spend if the month goes on at its pace so far: ``spent * month length / time elapsed``.
    None before ``FORECAST_AFTER`` of the month has passed (too little to extrapolate from)."""
    start = month_start(now)
    elapsed = now.astimezone(dt.UTC) - start
    if elapsed < FORECAST_AFTER:
        return None
    length = next_month(start) - start
    return (spent * Decimal(length.total_seconds()) / Decimal(elapsed.total_seconds())).quantize(
        CENT, ROUND_HALF_UP
    )


@dataclass(frozen=True)
class MonthFigures:
    start: dt.datetime
    spent: Decimal
    calls: int
    budget: Decimal
    forecast: Decimal | None
    reaches_budget_on: dt.date | None  # at this pace, the UTC day the budget is reached (this month only)
    alert_sent: bool  # the 80 % e-mail went out this month

    alert_threshold = ALERT_AT

    @property
    def past_alert_threshold(self) -> bool:
        return self.percent >= ALERT_AT

    @property
    def percent(self) -> int:
        return int(self.spent * 100 / self.budget) if self.budget else 100

    @property
    def progress_value(self) -> Decimal:
        return min(self.spent, self.budget)

    @property
    def polling_paused(self) -> bool:
        """As ``budget.polling_allowed`` says: at 100 % polling pauses (publishing and recalls go on)."""
        return self.spent >= self.budget

    @property
    def left(self) -> Decimal:
        """The budget less the spend *as shown* (to the cent, half up, as the page rounds it): the ledger
        holds thousandths (0.015 a post), and rounding both figures apart showed 0.02 spent and 0.99 left of
        1.00."""
        shown = self.spent.quantize(Decimal("0.01"), ROUND_HALF_UP)
        return max(self.budget - shown, Decimal("0"))


def month_figures(*, now: dt.datetime | None = None, network: str = "x") -> MonthFigures:
    """This UTC month's spend and calls (one query) against the budget (one query)."""
    now = now or timezone.now()
    start = month_start(now)
    totals = ApiCall.objects.filter(network=network, at__gte=start).aggregate(
        spent=Sum("cost"), calls=Count("pk")
    )
    spent = _amount(totals["spent"])
    budget = UsageBudget.current()
    amount = budget.monthly_amount
    forecast = forecast_to_month_end(spent, now=now)
    reaches = None
    if forecast is not None and spent and amount and forecast >= amount:
        elapsed = now.astimezone(dt.UTC) - start
        at = start + elapsed * float(amount / spent)
        reaches = at.date() if at < next_month(start) else None
    alerted = budget.alerted_80 == start.strftime("%Y-%m")
    return MonthFigures(start, spent, totals["calls"], amount, forecast, reaches, alerted)


@dataclass(frozen=True)
class EndpointRow:
    endpoint: str
    calls: int
    resources: int
    cost: Decimal


def spend_by_endpoint(*, start: dt.datetime, network: str = "x") -> list[EndpointRow]:
    """Calls, resources and cost per endpoint from ``start`` to now, costliest first (one query)."""
    rows = (
        ApiCall.objects.filter(network=network, at__gte=start)
        .values("endpoint")
        .annotate(calls=Count("pk"), resources=Sum("resources"), cost=Sum("cost"))
        .order_by("-cost", "endpoint")
    )
    return [EndpointRow(r["endpoint"], r["calls"], r["resources"] or 0, _amount(r["cost"])) for r in rows]


@dataclass(frozen=True)
class PeriodRow:
    start: dt.datetime
    calls: int
    cost: Decimal


def _by(trunc, *, since: dt.datetime, network: str) -> dict[dt.date, tuple[int, Decimal]]:
    rows = (
        ApiCall.objects.filter(network=network, at__gte=since)
        .annotate(period=trunc("at", tzinfo=dt.UTC))
        .values("period")
        .annotate(calls=Count("pk"), cost=Sum("cost"))
        .order_by("period")
    )
    return {r["period"].astimezone(dt.UTC).date(): (r["calls"], _amount(r["cost"])) for r in rows}


def spend_by_month(
    *, months: int = 12, now: dt.datetime | None = None, network: str = "x"
) -> list[PeriodRow]:
    """The last ``months`` UTC months, this one included, oldest first; months without calls as zero (one
    query)."""
    starts = [month_start(now)]
    for _month in range(months - 1):
        starts.insert(0, month_start(starts[0] - dt.timedelta(days=1)))
    found = _by(TruncMonth, since=starts[0], network=network)
    return [PeriodRow(s, *found.get(s.date(), (0, Decimal("0")))) for s in starts]


def spend_by_day(*, now: dt.datetime | None = None, network: str = "x") -> list[PeriodRow]:
    """Each UTC day of this month up to today, zero on days without calls (one query)."""
    now = now or timezone.now()
    start = month_start(now)
    found = _by(TruncDay, since=start, network=network)
    days = (now.astimezone(dt.UTC).date() - start.date()).days + 1
    return [
        PeriodRow(d, *found.get(d.date(), (0, Decimal("0"))))
        for d in (start + dt.timedelta(days=i) for i in range(days))
    ]


def recent_calls(*, network: str = "x") -> QuerySet[ApiCall]:
    """Newest first by id (keyset-paged by the page), with the adviser's account in the same query."""
    return ApiCall.objects.filter(network=network).select_related("account")


def calls_between(*, start: dt.datetime, end: dt.datetime, network: str = "x") -> QuerySet[ApiCall]:
    return (
        ApiCall.objects.filter(network=network, at__gte=start, at__lt=end)
        .select_related("account")
        .order_by("at", "pk")
    )
