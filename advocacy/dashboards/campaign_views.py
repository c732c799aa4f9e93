"""Marketing's campaign results: the campaigns of the period with what they came to, and one campaign's
results per wording (variant) and per branch; each table as CSV. Constant query counts
(tests/dashboards/test_campaigns.py counts them)."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from advocacy.dashboards import campaigns as selectors
from advocacy.dashboards import measures
from advocacy.dashboards.web import bad_period, csv_response, period_from
from advocacy.org.access import access, roles
from advocacy.org.models import Role
from advocacy.web.charts import Chart, Series
from advocacy.web.paging import query_without_cursor

MARKETING = roles(Role.MARKETING)


def _short(text: str, size: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _list_chart(rows: list[selectors.CampaignRow]) -> Chart:
    """The campaigns' chart; its table (always shown) is the page's table of every figure."""
    series = [
        Series(_("Advisers targeted"), [r.targeted for r in rows], table_only=True),
        Series(_("Opted in"), [r.opted_in for r in rows], table_only=True),
        Series(_("Shares scheduled"), [r.scheduled for r in rows], table_only=True),
        Series(_("Posts published"), [r.published for r in rows]),
        Series(_("Impressions"), [r.impressions for r in rows], table_only=True),
        Series(pgettext("post metrics", "Engagements"), [r.engagements for r in rows]),
        Series(_("Engagement rate (%)"), [r.rate for r in rows], table_only=True, decimals=1),
        Series(_("Link clicks"), [r.clicks for r in rows]),
    ]
    if any(price is not None for price in measures.earned_media_prices()):
        series.append(
            Series(
                _("Earned media value (estimate)"),
                [r.earned_media_value for r in rows],
                table_only=True,
                currency=measures.earned_media_currency(),
                decimals=2,
            )
        )
    return Chart(
        id="campaigns-results",
        title=_("Results per campaign"),
        label_heading=_("Campaign"),
        labels=[r.campaign.name for r in rows],
        series=series,
        decimals=0,
        horizontal=True,
    )


def _part_chart(chart_id: str, title: str, heading: str, parts: list[selectors.Part], labels) -> Chart:
    return Chart(
        id=chart_id,
        title=title,
        label_heading=heading,
        labels=labels,
        series=[
            Series(_("Posts published"), [p.published for p in parts], table_only=True),
            Series(_("Impressions"), [p.impressions for p in parts], table_only=True),
            Series(pgettext("post metrics", "Engagements"), [p.engagements for p in parts]),
            Series(_("Link clicks"), [p.clicks for p in parts]),
            Series(
                _("Link clicks per post"), [p.clicks_per_post for p in parts], table_only=True, decimals=1
            ),
            Series(_("Engagement rate (%)"), [p.rate for p in parts], table_only=True, decimals=1),
        ],
        decimals=0,
        horizontal=True,
    )


def variant_name(part: selectors.Part) -> str:
    """Short enough for a chart's axis on a phone; the page lists each name with its whole wording."""
    return _("Base wording") if part.key is None else _("Variant %(n)s") % {"n": part.key}


def variant_label(part: selectors.Part) -> str:
    if part.key is None:
        return _("Base wording: %(text)s") % {"text": _short(part.label)}
    return _("Variant %(n)s: %(text)s") % {"n": part.key, "text": _short(part.label)}


def _context_prices() -> dict:
    cpm, cpc = measures.earned_media_prices()
    return {"cpm": cpm, "cpc": cpc, "emv_currency": measures.earned_media_currency()}


@access(MARKETING)
def campaigns(request: HttpRequest) -> HttpResponse:
    form, period = period_from(request)
    if period is None:
        return render(request, "dashboards/campaigns.html", {"form": form}, status=400)
    rows, page = selectors.campaigns_page(period, request.GET)
    return render(
        request,
        "dashboards/campaigns.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "query": query_without_cursor(request.GET),
            "csv_query": request.GET.urlencode(),
            "chart": _list_chart(rows),
            "days": period.days,
            **_context_prices(),
        },
    )


def _figure_headings() -> list[str]:
    return [_("posts published"), _("impressions"), pgettext("post metrics", "engagements"), _("link clicks")]


@access(MARKETING)
def campaigns_csv(request: HttpRequest) -> HttpResponse:
    """The page's table: the same period and the same page of campaigns."""
    _form, period = period_from(request)
    if period is None:
        return bad_period()
    response = csv_response("campaigns", period)
    writer = csv.writer(response)
    writer.writerow(
        [
            _("campaign"),
            _("from"),
            _("until"),
            _("advisers targeted"),
            _("opted in"),
            _("shares scheduled"),
            *_figure_headings(),
        ]
    )
    rows, _page = selectors.campaigns_page(period, request.GET)
    for r in rows:
        c = r.campaign
        writer.writerow(
            [
                c.name,
                c.starts_at.isoformat(),
                c.ends_at.isoformat(),
                r.targeted,
                r.opted_in,
                r.scheduled,
                r.published,
                r.impressions,
                r.engagements,
                r.clicks,
            ]
        )
    return response


def _breakdown_or_404(request: HttpRequest, pk: int):
    form, period = period_from(request)
    if period is None:
        return form, None, None
    found = selectors.breakdown(pk, period)
    if found is None:
        raise Http404
    return form, period, found


@access(MARKETING)
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    form, period, found = _breakdown_or_404(request, pk)
    if period is None:
        return render(request, "dashboards/campaign.html", {"form": form}, status=400)
    variant_labels = [variant_name(v) for v in found.variants]
    branch_labels = [b.label or _("No branch") for b in found.branches]
    return render(
        request,
        "dashboards/campaign.html",
        {
            "form": form,
            "days": period.days,
            "found": found,
            "best_label": variant_label(found.best_variant) if found.best_variant else "",
            "wordings": list(zip(variant_labels, found.variants, strict=True)),
            "charts": [
                _part_chart(
                    "campaign-variants",
                    _("Engagements and link clicks per wording"),
                    _("Wording"),
                    found.variants,
                    variant_labels,
                ),
                _part_chart(
                    "campaign-branches",
                    _("Engagements and link clicks per branch"),
                    _("Branch"),
                    found.branches,
                    branch_labels,
                ),
            ],
            **_context_prices(),
        },
    )


@access(MARKETING)
def campaign_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Both tables of the campaign page: one row per wording, then one per branch."""
    _form, period, found = _breakdown_or_404(request, pk)
    if period is None:
        return bad_period()
    response = csv_response(f"campaign-{pk}", period)
    writer = csv.writer(response)
    writer.writerow([_("breakdown"), _("wording or branch"), *_figure_headings()])
    for part in found.variants:
        writer.writerow(
            [
                _("wording"),
                variant_label(part),
                part.published,
                part.impressions,
                part.engagements,
                part.clicks,
            ]
        )
    for part in found.branches:
        writer.writerow(
            [_("branch"), part.label, part.published, part.impressions, part.engagements, part.clicks]
        )
    return response
