"""The managers' results: adoption and results of their advisers, per branch and per adviser, with a
drill-down to one adviser's results (404 outside the manager's scope) and the adviser table as CSV.

Views parse, check access, read through ``team`` and render; constant query count
(tests/dashboards/test_team.py counts them).
"""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from advocacy.dashboards import measures
from advocacy.dashboards import team as selectors
from advocacy.dashboards.views import render_results, results_csv
from advocacy.dashboards.web import bad_period, csv_response, period_from
from advocacy.org.access import MANAGERS, access
from advocacy.web.charts import Chart, Series
from advocacy.web.paging import query_without_cursor

# Advisers a page of the per-adviser table shows (a region has hundreds; the CSV has them all, and the
# branch tables and charts always count every adviser of the scope).
ADVISERS_PAGE = 50


def _charts(team: selectors.Team) -> list[Chart]:
    labels = [b.name or _("No branch") for b in team.branches]
    return [
        Chart(
            id="team-adoption",
            title=_("Adoption per branch"),
            label_heading=_("Branch"),
            labels=labels,
            series=[
                Series(_("Advisers"), [b.advisers for b in team.branches], table_only=True),
                Series(_("X account connected"), [b.connected for b in team.branches]),
                Series(_("Active sharers this month"), [b.active_this_month for b in team.branches]),
                Series(_("Active sharers last month"), [b.active_last_month for b in team.branches]),
            ],
            decimals=0,
            notes=[_("An active sharer published at least one post in the calendar month (UTC).")],
        ),
        Chart(
            id="team-results",
            title=_("Results per branch over the period"),
            label_heading=_("Branch"),
            labels=labels,
            series=[
                Series(_("Posts published"), [b.shares for b in team.branches]),
                Series(pgettext("post metrics", "Engagements"), [b.engagements for b in team.branches]),
                Series(_("Link clicks"), [b.clicks for b in team.branches]),
                Series(_("Impressions"), [b.impressions for b in team.branches], table_only=True),
            ],
            decimals=0,
            notes=[
                _(
                    "Impressions and engagements are what X counted for the posts over the period, "
                    "not a number of followers."
                )
            ],
        ),
    ]


@access(MANAGERS)
def team(request: HttpRequest) -> HttpResponse:
    form, period = period_from(request)
    if period is None:
        return render(request, "dashboards/team.html", {"form": form}, status=400)
    figures = selectors.team(request.user, period, now=timezone.now())
    cpm, cpc = measures.earned_media_prices()
    return render(
        request,
        "dashboards/team.html",
        {
            "form": form,
            "team": figures,
            "advisers_page": Paginator(figures.advisers, ADVISERS_PAGE).get_page(request.GET.get("page")),
            "query": query_without_cursor(request.GET, "page"),
            "charts": _charts(figures),
            "days": period.days,
            "cpm": cpm,
            "cpc": cpc,
            "emv_currency": measures.earned_media_currency(),
        },
    )


@access(MANAGERS)
def team_csv(request: HttpRequest) -> HttpResponse:
    """The adviser table of the page, for the same period."""
    _form, period = period_from(request)
    if period is None:
        return bad_period()
    figures = selectors.team(request.user, period, now=timezone.now())
    response = csv_response("team-results", period)
    writer = csv.writer(response)
    writer.writerow(
        [
            _("adviser"),
            _("branch"),
            _("X account connected"),
            _("active this month"),
            _("active last month"),
            _("posts published"),
            _("impressions"),
            pgettext("post metrics", "engagements"),
            _("link clicks"),
        ]
    )
    for row in figures.advisers:
        writer.writerow(
            [
                row.name,
                row.branch,
                row.connected,
                row.active_this_month,
                row.active_last_month,
                row.shares,
                row.impressions,
                row.engagements,
                row.clicks,
            ]
        )
    return response


def _adviser_or_404(request: HttpRequest, user_id: int):
    adviser = selectors.adviser_in_scope(request.user, user_id)
    if adviser is None:
        raise Http404
    return adviser


@access(MANAGERS)
def team_adviser(request: HttpRequest, user_id: int) -> HttpResponse:
    """One adviser's results as they see them, for a manager whose scope holds the adviser."""
    adviser = _adviser_or_404(request, user_id)
    staff = getattr(adviser, "staff", None)
    return render_results(
        request,
        adviser,
        extra={
            "subject": adviser,
            "subject_name": adviser.get_full_name() or adviser.email,
            "subject_branch": staff.branch.name if staff and staff.branch_id else "",
        },
        csv_url=reverse("dashboards:team_adviser_csv", args=[adviser.pk]),
    )


@access(MANAGERS)
def team_adviser_csv(request: HttpRequest, user_id: int) -> HttpResponse:
    return results_csv(request, _adviser_or_404(request, user_id), name=f"results-{user_id}")
