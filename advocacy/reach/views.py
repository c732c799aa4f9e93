"""HR's recruitment reach pages: the job offers with their totals, one offer's report, and a CSV of every
table. HR sees the bank and each employee's attribution; managers the totals of the branches they cover.

Views parse, check access, read through ``selectors`` and render. An offer id that is not a job offer (or
is a draft) answers 404; a manager asking for the per-employee table gets 404 too (it is not theirs to see,
whichever offer).
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from advocacy.org.access import RECRUITMENT_READERS, access
from advocacy.reach import selectors
from advocacy.web.charts import Chart, Series


def _scope(request: HttpRequest) -> selectors.Scope:
    scope = selectors.scope_of(request.user)
    if scope is None:  # the access rule and the scope name the same roles
        raise Http404
    return scope


def _offer(scope, pk: int):
    offer = selectors.offer_for(scope, pk)
    if offer is None:
        raise Http404
    return offer


def _value(count: selectors.Count_):
    return count.value


def _charts(report: selectors.Report) -> list[Chart]:
    total = report.total
    applications, hires = report.shown_applications, report.shown_hires
    notes = []
    if applications.withheld or hires.withheld:
        notes.append(
            _("Counts above zero and below %(n)d are not shown (—).") % {"n": settings.REACH_MIN_GROUP}
        )
    funnel = Chart(
        id="reach-funnel",
        title=_("From shares to hires"),
        label_heading=_("Step"),
        labels=[_("Shares"), _("Unique clicks"), _("Applications"), _("Hires")],
        series=[
            Series(
                _("Count"),
                [total.shares, total.unique_clicks, _value(applications), _value(hires)],
            )
        ],
        horizontal=True,
        decimals=0,
        notes=notes,
    )
    labels = [formats.date_format(d.day, "MONTH_DAY_FORMAT") for d in report.days]
    days = Chart(
        id="reach-days",
        title=_("Day by day, the last 30 days"),
        label_heading=_("Day (UTC)"),
        labels=labels,
        series=[
            Series(_("Shares"), [d.shares for d in report.days], style="line"),
            Series(_("Unique clicks"), [d.unique_clicks for d in report.days], style="line"),
            Series(
                _("Applications"),
                [d.applications for d in report.days] if report.scope.is_bank else [None] * len(report.days),
                style="line",
                table_only=not report.scope.is_bank,
            ),
        ],
        kind="line",
        decimals=0,
        notes=[] if report.scope.is_bank else [_("Applications per day are shown to HR only.")],
        table_folded=True,
    )
    return [funnel, days]


@access(RECRUITMENT_READERS)
def offers(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    return render(
        request,
        "reach/offers.html",
        {"lines": selectors.offer_lines(scope), "scope": scope, "minimum": settings.REACH_MIN_GROUP},
    )


@access(RECRUITMENT_READERS)
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    report = selectors.report(scope, _offer(scope, pk), now=timezone.now())
    return render(
        request,
        "reach/offer.html",
        {"report": report, "charts": _charts(report), "scope": scope, "minimum": settings.REACH_MIN_GROUP},
    )


def _csv(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that a spreadsheet reads the accents of the headings as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@access(RECRUITMENT_READERS)
def offers_csv(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    header = [
        _("job reference"),
        _("title"),
        _("place"),
        _("closing date"),
        _("sharers"),
        _("shares"),
        _("clicks"),
        _("applications"),
        _("hires"),
    ]
    rows = [
        [
            line.offer.job_reference,
            line.offer.item.title,
            line.offer.place,
            line.offer.closes_on.isoformat(),
            line.sharers,
            line.shares,
            line.clicks,
            str(line.shown_applications),
            str(line.shown_hires),
        ]
        for line in selectors.offer_lines(scope)
    ]
    return _csv("job-offers.csv", header, rows)


TABLES = ("days", "branches", "regions", "teams", "employees")


@access(RECRUITMENT_READERS)
def offer_csv(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    scope = _scope(request)
    if table not in TABLES or (table == "employees" and not scope.employees):
        raise Http404
    report = selectors.report(scope, _offer(scope, pk), now=timezone.now())
    filename = f"{report.offer.job_reference}-{table}.csv"
    if table == "days":
        header = [_("day (UTC)"), _("shares"), _("clicks"), _("unique clicks")]
        rows = [[d.day.isoformat(), d.shares, d.clicks, d.unique_clicks] for d in report.days]
        if scope.is_bank:
            header.append(_("applications"))
            rows = [[*row, d.applications] for row, d in zip(rows, report.days, strict=True)]
        return _csv(filename, header, rows)
    groups = {
        "branches": report.branches,
        "regions": report.regions,
        "teams": report.teams,
        "employees": report.employees,
    }[table]
    first = {"branches": _("branch"), "regions": _("region"), "teams": _("team"), "employees": _("employee")}
    header = [first[table]]
    if table == "employees":
        header.append(_("branch"))
    header += [
        _("sharers"),
        _("shares"),
        _("impressions"),
        _("clicks"),
        _("unique clicks"),
        _("applications"),
        _("hires"),
    ]
    rows = []
    for row in groups:
        cells = [row.label] + ([row.branch] if table == "employees" else [])
        if table == "employees":  # HR's attribution: the exact counts
            applications, hires = row.applications, row.hires
        else:
            applications, hires = str(row.shown_applications), str(row.shown_hires)
        rows.append(
            [
                *cells,
                row.sharer_count,
                row.shares,
                row.impressions,
                row.clicks,
                row.unique_clicks,
                applications,
                hires,
            ]
        )
    return _csv(filename, header, rows)
