"""The adviser's "My results": impressions, engagements and link clicks of their own posts day by day over
the last 7, 30 or 90 days, their best posts, their clients' interactions, and the daily table as CSV.

Views parse, check access, read through ``selectors`` and render; an adviser only ever sees their own
figures (every query is filtered on ``request.user``, no id comes from the request). Constant query count
(tests/dashboards/test_my_results.py counts them).
"""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from advocacy.dashboards import selectors
from advocacy.dashboards.web import bad_period, csv_response, day_label, period_from
from advocacy.org.access import ADVISERS, access
from advocacy.web.charts import Chart, Series


def charts_of(results: selectors.Results) -> list[Chart]:
    labels = [day_label(d.day) for d in results.days]
    folded = len(results.days) > 7
    return [
        Chart(
            id="results-impressions",
            title=_("Impressions per day"),
            label_heading=_("Day (UTC)"),
            labels=labels,
            series=[Series(_("Impressions"), [d.impressions for d in results.days])],
            decimals=0,
            notes=[_("Impressions are the views X counted for your posts, not a number of followers.")],
            table_folded=folded,
        ),
        Chart(
            id="results-engagements",
            title=_("Engagements and link clicks per day"),
            label_heading=_("Day (UTC)"),
            labels=labels,
            series=[
                Series(
                    pgettext("post metrics", "Engagements"),
                    [d.engagements for d in results.days],
                    style="line",
                ),
                Series(_("Link clicks"), [d.clicks for d in results.days], style="line"),
            ],
            kind="line",
            decimals=0,
            notes=[_("Engagements: likes, reposts, replies and quotes.")],
            table_folded=folded,
        ),
    ]


def render_results(request: HttpRequest, adviser, *, extra: dict, csv_url: str) -> HttpResponse:
    """The results page of ``adviser`` (the reader's own, or an adviser of a manager's scope)."""
    form, period = period_from(request)
    context = {"form": form, "csv_url": csv_url, **extra}
    if period is None:
        return render(request, "dashboards/my_results.html", context, status=400)
    results = selectors.results(adviser, period)
    context |= {"results": results, "charts": charts_of(results), "days": period.days}
    return render(request, "dashboards/my_results.html", context)


def results_csv(request: HttpRequest, adviser, *, name: str) -> HttpResponse:
    """The daily table of the results page, for the same period (integers, days as ISO dates)."""
    _form, period = period_from(request)
    if period is None:
        return bad_period()
    results = selectors.results(adviser, period)
    response = csv_response(name, period)
    writer = csv.writer(response)
    writer.writerow(
        [_("day (UTC)"), _("impressions"), pgettext("post metrics", "engagements"), _("link clicks")]
    )
    for day in results.days:
        writer.writerow([day.day.isoformat(), day.impressions, day.engagements, day.clicks])
    return response


@access(ADVISERS)
def my_results(request: HttpRequest) -> HttpResponse:
    return render_results(request, request.user, extra={}, csv_url=reverse("dashboards:my_results_csv"))


@access(ADVISERS)
def my_results_csv(request: HttpRequest) -> HttpResponse:
    return results_csv(request, request.user, name="my-results")
