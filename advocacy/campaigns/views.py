"""Campaign pages: list, create, follow (htmx-polled progress), launch, cancel; the adviser's auto-share
settings and the highlight's one-click share. Views parse, check access, call ``campaigns``, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.campaigns import lifecycle, opt_in
from advocacy.campaigns import selectors as campaign_selectors
from advocacy.campaigns.forms import CampaignForm
from advocacy.campaigns.models import Campaign
from advocacy.org.access import ADVISERS, CONTENT_AUTHORS, access
from advocacy.shares import services
from advocacy.shares.forms import adviser_timezone
from advocacy.web.paging import keyset_page, query_without_cursor


def _visible(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(campaign_selectors.campaigns_visible_to(request.user), pk=pk)


@access(CONTENT_AUTHORS)
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Newest first, 50 a page, Newer/Older (no silent cut); each row counts the shares that exist now."""
    campaigns = campaign_selectors.with_live_shares(campaign_selectors.campaigns_visible_to(request.user))
    page = keyset_page(campaigns, request.GET, key="pk")
    return render(
        request,
        "campaigns/list.html",
        {
            "rows": campaign_selectors.campaign_rows(page),
            "page": page,
            "query": query_without_cursor(request.GET),
        },
    )


@access(CONTENT_AUTHORS)
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, tz=adviser_timezone(request.user))
    initial_item = request.GET.get("item")
    if request.method == "GET" and initial_item and initial_item.isdigit():
        form.initial["item"] = int(initial_item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = lifecycle.create_campaign(
                item=data["item"],
                name=data["name"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                regions=data["regions"],
                branches=data["branches"],
                roles=data["roles"],
                actor=request.user,
            )
        except lifecycle.CampaignRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Campaign created. Check the audience, then launch it."))
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/form.html", {"form": form, "timezone_name": str(form.tz)})


@access(CONTENT_AUTHORS)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _visible(request, pk)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "progress": campaign_selectors.progress_of(campaign),
            "targeted_now": None
            if campaign_selectors.has_launched(campaign)
            else campaign_selectors.targeted_advisers(campaign).count(),
        },
    )


@access(CONTENT_AUTHORS)
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone, polled by htmx while the fan-out runs."""
    campaign = _visible(request, pk)
    return render(request, "campaigns/_progress.html", {"progress": campaign_selectors.progress_of(campaign)})


def _act(request: HttpRequest, pk: int, action, done: str, not_done: str) -> HttpResponse:
    campaign = _visible(request, pk)
    try:
        changed = action(campaign=campaign, actor=request.user)
    except lifecycle.CampaignRefused as exc:
        messages.error(request, str(exc))
    else:
        (messages.success if changed else messages.info)(request, done if changed else not_done)
    return redirect("campaigns:detail", pk=campaign.pk)


@access(CONTENT_AUTHORS)
@require_POST
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lifecycle.launch_campaign,
        _("Launched: shares are being scheduled for the advisers who opted in."),
        _("This campaign was already launched."),
    )


@access(CONTENT_AUTHORS)
@require_POST
def campaign_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lifecycle.resume_fan_out,
        _("Scheduling resumes where it stopped."),
        _("Nothing to resume."),
    )


@access(CONTENT_AUTHORS)
@require_POST
def campaign_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lifecycle.cancel_campaign,
        _("Campaign cancelled: its shares that have not gone out are being cancelled."),
        _("This campaign was already over."),
    )


@access(ADVISERS)
@require_POST
def campaign_share(request: HttpRequest, pk: int) -> HttpResponse:
    """The highlight's one-click share."""
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        opt_in.share_from_campaign(campaign=campaign, adviser=request.user)
    except services.ShareRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Sent to X. It appears in My shares as soon as X confirms it."))
    return redirect("shares:my_shares")


@access(ADVISERS)
def auto_share(request: HttpRequest) -> HttpResponse:
    """Categories an adviser lets campaigns schedule on their account; each toggle is one POST."""
    if request.method == "POST":
        category = request.POST.get("category", "")
        enabled = request.POST.get("enabled") == "1"
        try:
            opt_in.set_auto_share(
                adviser=request.user, category=category, enabled=enabled, actor=request.user
            )
        except lifecycle.CampaignRefused as exc:
            raise Http404(str(exc)) from None
        if enabled:
            messages.success(request, _("Campaigns of this category will schedule shares for you."))
        else:
            messages.success(
                request, _("Auto-sharing stopped; shares it had scheduled for you are cancelled.")
            )
        return redirect("campaigns:auto_share")
    return render(
        request,
        "campaigns/auto_share.html",
        {"categories": campaign_selectors.auto_share_settings_of(request.user)},
    )
