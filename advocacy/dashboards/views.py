"""The adviser's "My results": impressions, engagements and link clicks of their own posts day by day over
the last 7, 30 or 90 days, their best posts, their clients' interactions, and the daily table as CSV.

Views parse, check access, read through ``selectors`` and render; an adviser only ever sees their own
figures (every query is filtered on ``request.user``, no id comes from the request). Constant query count
(tests/dashboards/test_my_results.py counts them).
"""

from __future__ import annotations

import csv

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from advocacy.dashboards import selectors
from advocacy.org.access import ADVISERS, access
from advocacy.web.charts import Chart, Series

DEFAULT_DAYS = 30


class RangeForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        choices=[
            (7, gettext_lazy("Last 7 days")),
            (30, gettext_lazy("Last 30 days")),
            (90, gettext_lazy("Last 90 days")),
        ],
        coerce=int,
        required=False,
        empty_value=DEFAULT_DAYS,
    )


def _range(request: HttpRequest) -> tuple[RangeForm, selectors.Range | None]:
    data = request.GET if "days" in request.GET else {"days": DEFAULT_DAYS}
    form = RangeForm(data)
    if not form.is_valid():
        return form, None
    return form, selectors.Range.last(form.cleaned_data["days"], now=timezone.now())


def _day_label(day) -> str:
    return formats.date_format(day, "MONTH_DAY_FORMAT")


def _charts(results: selectors.Results) -> list[Chart]:
    labels = [_day_label(d.day) for d in results.days]
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


@access(ADVISERS)
def my_results(request: HttpRequest) -> HttpResponse:
    form, period = _range(request)
    if period is None:
        return render(request, "dashboards/my_results.html", {"form": form}, status=400)
    results = selectors.results(request.user, period)
    return render(
        request,
        "dashboards/my_results.html",
        {"form": form, "results": results, "charts": _charts(results), "days": period.days},
    )


@access(ADVISERS)
def my_results_csv(request: HttpRequest) -> HttpResponse:
    """The daily table of the page, for the same period (counts as integers, days as ISO dates)."""
    _form, period = _range(request)
    if period is None:
        return HttpResponse(_("Choose a period of 7, 30 or 90 days."), status=400, content_type="text/plain")
    results = selectors.results(request.user, period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="my-results-{period.first_day:%Y-%m-%d}-{period.last_day:%Y-%m-%d}.csv"'
    )
    response.write("\ufeff")  # so that a spreadsheet reads the accents of the headings as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [_("day (UTC)"), _("impressions"), pgettext("post metrics", "engagements"), _("link clicks")]
    )
    for day in results.days:
        writer.writerow([day.day.isoformat(), day.impressions, day.engagements, day.clicks])
    return response
