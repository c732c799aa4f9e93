"""Compliance's oversight figures: review times against the target, rules that fire and are overridden,
recalls and deletion times, capture gaps; every table of the page as one CSV. Constant query count
(tests/dashboards/test_compliance.py counts them)."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.dashboards import review_times as selectors
from advocacy.dashboards.web import bad_period, csv_response, period_from
from advocacy.org.access import COMPLIANCE, access
from advocacy.web.charts import Chart, Series


def _charts(figures: selectors.Oversight) -> list[Chart]:
    queue, target = figures.queue, figures.queue.target_hours
    half = max(target // 2, 1)
    return [
        Chart(
            id="review-queue-age",
            title=_("Review queue by age"),
            label_heading=_("Waiting"),
            labels=[
                _("under %(hours)s h") % {"hours": half},
                _("%(half)s to %(target)s h") % {"half": half, "target": target},
                _("%(target)s to %(twice)s h (over target)") % {"target": target, "twice": target * 2},
                _("%(twice)s h or more") % {"twice": target * 2},
            ],
            series=[
                Series(
                    _("Versions waiting"),
                    [queue.within_half, queue.within_target, queue.over_target, queue.over_twice],
                )
            ],
            decimals=0,
            notes=[_("Target: a decision within %(hours)s hours of submission.") % {"hours": target}],
        ),
        Chart(
            id="review-decision-times",
            title=_("Time to decision per category (hours)"),
            label_heading=_("Category"),
            labels=[c.label for c in figures.categories],
            series=[
                Series(
                    _("Decisions"), [c.decisions for c in figures.categories], table_only=True, decimals=0
                ),
                Series(_("Median"), [c.median_hours for c in figures.categories], summable=False),
                Series(_("90th percentile"), [c.p90_hours for c in figures.categories], summable=False),
                Series(
                    _("Over target"), [c.over_target for c in figures.categories], table_only=True, decimals=0
                ),
            ],
            decimals=1,
            notes=[
                _(
                    "From submission to the decision that ended the wait (an approval, a request for changes "
                    "or a rejection), for the decisions taken over the period."
                )
            ],
        ),
        Chart(
            id="review-rules",
            title=_("Automatic findings by rule"),
            label_heading=_("Rule"),
            labels=[r.label for r in figures.rules],
            series=[
                Series(_("Found on submitted versions"), [r.fired for r in figures.rules]),
                Series(_("Acknowledged and approved"), [r.overridden for r in figures.rules]),
            ],
            decimals=0,
            horizontal=True,
            notes=[
                _(
                    "A submission refused by a blocking finding is not stored: blocking rules count only "
                    "what reached review."
                )
            ],
        ),
    ]


@access(COMPLIANCE)
def compliance(request: HttpRequest) -> HttpResponse:
    form, period = period_from(request)
    if period is None:
        return render(request, "dashboards/compliance.html", {"form": form}, status=400)
    figures = selectors.oversight(period, now=timezone.now())
    return render(
        request,
        "dashboards/compliance.html",
        {"form": form, "figures": figures, "charts": _charts(figures), "days": period.days},
    )


def _number(value) -> str:
    return "" if value is None else f"{value:.1f}"


@access(COMPLIANCE)
def compliance_csv(request: HttpRequest) -> HttpResponse:
    """The page's tables one after the other, each under its own heading row."""
    _form, period = period_from(request)
    if period is None:
        return bad_period()
    figures = selectors.oversight(period, now=timezone.now())
    response = csv_response("compliance-figures", period)
    writer = csv.writer(response)
    queue = figures.queue
    writer.writerow(
        [_("review queue"), _("waiting"), _("over target"), _("oldest (hours)"), _("target (hours)")]
    )
    writer.writerow(["", queue.waiting, queue.overdue, queue.oldest_hours or "", queue.target_hours])
    writer.writerow([])
    writer.writerow(
        [_("category"), _("decisions"), _("median (hours)"), _("90th percentile (hours)"), _("over target")]
    )
    for c in figures.categories:
        writer.writerow([c.label, c.decisions, _number(c.median_hours), _number(c.p90_hours), c.over_target])
    writer.writerow([])
    writer.writerow([_("rule"), _("check"), _("severity"), _("found"), _("acknowledged and approved")])
    for r in figures.rules:
        writer.writerow([r.label, r.check, r.severity, r.fired, r.overridden])
    writer.writerow([])
    d = figures.deletions
    writer.writerow(
        [
            _("recalls"),
            _("deletions asked"),
            _("deleted"),
            _("still waiting"),
            _("median (minutes)"),
            _("90th percentile (minutes)"),
        ]
    )
    writer.writerow(
        [
            figures.recalls,
            d.requested,
            d.deleted,
            d.waiting,
            _number(d.median_minutes),
            _number(d.p90_minutes),
        ]
    )
    writer.writerow([])
    writer.writerow([_("capture gaps"), figures.gap_count])
    return response
