"""The X usage page, for compliance officers and administrators: this month's spend against the budget, by
endpoint, by month and by day, a forecast to the month's end, the recent calls, and CSV of the tables.

Views parse, check access, read through ``selectors`` and render. The page makes a constant number of
queries, whatever the size of the ledger (tests/usage/test_usage_page.py counts them).
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from advocacy.networks.usage import selectors
from advocacy.org.access import access, roles
from advocacy.org.models import Role
from advocacy.web.charts import Chart, Series, rounded
from advocacy.web.paging import keyset_page, query_without_cursor

USAGE_READERS = roles(Role.COMPLIANCE, Role.ADMIN)
CALLS_PAGE_SIZE = 50
MONTHS_SHOWN = 12
CURRENCY = "USD"  # X bills in US dollars (settings.X_PRICES, X_MONTHLY_BUDGET)


def _month_label(start: dt.datetime) -> str:
    return formats.date_format(start, "YEAR_MONTH_FORMAT")


def _day_label(day: dt.datetime) -> str:
    return formats.date_format(day, "MONTH_DAY_FORMAT")


def _endpoint_chart(rows: list[selectors.EndpointRow]) -> Chart:
    return Chart(
        id="usage-by-endpoint",
        title=_("Spend by endpoint this month"),
        label_heading=_("Endpoint"),
        labels=[r.endpoint for r in rows],
        series=[
            Series(_("Cost"), [r.cost for r in rows]),
            Series(_("Calls"), [r.calls for r in rows], table_only=True, currency="", decimals=0),
            Series(
                _("Resources billed"), [r.resources for r in rows], table_only=True, currency="", decimals=0
            ),
        ],
        horizontal=True,
        currency=CURRENCY,
        decimals=4,
    )


def _month_chart(rows: list[selectors.PeriodRow]) -> Chart:
    return Chart(
        id="usage-by-month",
        title=_("Spend by month"),
        label_heading=_("Month"),
        labels=[_month_label(r.start) for r in rows],
        series=[
            Series(_("Cost"), [r.cost for r in rows]),
            Series(_("Calls"), [r.calls for r in rows], table_only=True, currency="", decimals=0),
        ],
        currency=CURRENCY,
    )


def _day_chart(days: list[selectors.PeriodRow], figures: selectors.MonthFigures) -> Chart:
    """Cumulative spend day by day, the budget, and (dashed, from today) the forecast's straight line to the
    month's end."""
    month_end = selectors.next_month(figures.start)
    all_days = [figures.start + dt.timedelta(days=i) for i in range((month_end - figures.start).days)]
    cumulative: list[Decimal | None] = []
    running = Decimal("0")
    for row in days:
        running += row.cost
        cumulative.append(running)
    cumulative += [None] * (len(all_days) - len(days))
    spent_per_day = [row.cost for row in days] + [None] * (len(all_days) - len(days))
    series = [
        Series(_("Spent that day"), spent_per_day, table_only=True),
        Series(_("Spent since the 1st"), cumulative, style="line"),
    ]
    if figures.forecast is not None:
        today = len(days) - 1
        step = (figures.forecast - figures.spent) / max(len(all_days) - 1 - today, 1)
        forecast = [None] * today + [
            (figures.spent + step * i).quantize(selectors.CENT) for i in range(len(all_days) - today)
        ]
        series.append(Series(_("Forecast (at this month's pace)"), forecast, style="line", dashed=True))
    # The budget is drawn once the month comes near it; far below, its line would flatten the spend to zero
    # (the table and the progress bar still say it).
    near = max(figures.spent, figures.forecast or 0) * 2 >= figures.budget
    series.append(Series(_("Budget"), [figures.budget] * len(all_days), style="line", table_only=not near))
    return Chart(
        id="usage-by-day",
        title=_("This month, day by day"),
        label_heading=_("Day (UTC)"),
        labels=[_day_label(d) for d in all_days],
        series=series,
        kind="line",
        currency=CURRENCY,
        summary=_("%(spent)s USD spent since the 1st, against a budget of %(budget)s USD.")
        % {
            "spent": formats.number_format(rounded(figures.spent, 2), 2),
            "budget": formats.number_format(rounded(figures.budget, 2), 2),
        },
        table_folded=True,
    )


@access(USAGE_READERS)
def overview(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    figures = selectors.month_figures(now=now)
    endpoints = selectors.spend_by_endpoint(start=figures.start)
    months = selectors.spend_by_month(months=MONTHS_SHOWN, now=now)
    days = selectors.spend_by_day(now=now)
    calls = keyset_page(selectors.recent_calls(), request.GET, key="pk", size=CALLS_PAGE_SIZE)
    for call in calls:
        call.purpose_text = selectors.purpose_label(call.purpose)
    return render(
        request,
        "usage/overview.html",
        {
            "figures": figures,
            "month_label": _month_label(figures.start),
            "charts": [_day_chart(days, figures), _endpoint_chart(endpoints), _month_chart(months)],
            "calls": calls,
            "calls_query": query_without_cursor(request.GET),
        },
    )


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that a spreadsheet reads the accents of the headings as UTF-8
    return response


@access(USAGE_READERS)
def endpoints_csv(request: HttpRequest) -> HttpResponse:
    """This month's table by endpoint (amounts with a dot, as spreadsheets import them in any locale)."""
    start = selectors.month_start(timezone.now())
    response = _csv_response(f"x-usage-endpoints-{start:%Y-%m}.csv")
    writer = csv.writer(response)
    writer.writerow([_("month"), _("endpoint"), _("calls"), _("resources billed"), _("cost (USD)")])
    for row in selectors.spend_by_endpoint(start=start):
        writer.writerow([f"{start:%Y-%m}", row.endpoint, row.calls, row.resources, row.cost])
    return response


@access(USAGE_READERS)
def months_csv(request: HttpRequest) -> HttpResponse:
    response = _csv_response("x-usage-months.csv")
    writer = csv.writer(response)
    writer.writerow([_("month"), _("calls"), _("cost (USD)")])
    for row in selectors.spend_by_month(months=MONTHS_SHOWN):
        writer.writerow([f"{row.start:%Y-%m}", row.calls, row.cost])
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


@access(USAGE_READERS)
def calls_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every call of this month, streamed (the ledger can hold millions): one row per call as X billed it."""
    start = selectors.month_start(timezone.now())
    writer = csv.writer(_Echo())
    heading = [
        _("time (UTC)"), _("endpoint"), _("purpose"), _("X account"), _("resources billed"),
        _("unit price (USD)"), _("cost (USD)"), _("status"),
    ]  # fmt: skip

    def rows():
        yield "\ufeff" + writer.writerow(heading)
        calls = selectors.calls_between(start=start, end=selectors.next_month(start))
        for call in calls.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    call.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    call.endpoint,
                    call.purpose,
                    f"@{call.account.username}" if call.account else "",
                    call.resources,
                    call.unit_price,
                    call.cost,
                    call.status,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="x-usage-calls-{start:%Y-%m}.csv"'
    return response
