"""Publishing pages: the adviser's X connection, the share flow, My shares, and compliance's overview.

Views parse, check access, call a service or selector, and render (CONTRIBUTING-NOTES).
"""

from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter as get_socialaccount_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.content.models import ContentItem
from advocacy.portal.access import ADVISERS, COMPLIANCE, access
from advocacy.portal.paging import PAGE_SIZE, keyset_page, query_without_cursor
from advocacy.publishing import selectors, services
from advocacy.publishing.connections import disconnect_x_account
from advocacy.publishing.forms import ShareForm, adviser_timezone
from advocacy.publishing.models import Share


def _connect_url(request: HttpRequest) -> str | None:
    """allauth's login URL for X in "connect" mode, or None when no X app is configured."""
    try:
        provider = get_socialaccount_adapter(request).get_provider(request, "twitter_oauth2")
    except (SocialApp.DoesNotExist, ImproperlyConfigured):
        return None
    return provider.get_login_url(request, process=AuthProcess.CONNECT, next=reverse("publishing:connection"))


@access(ADVISERS)
def connection(request: HttpRequest) -> HttpResponse:
    account = selectors.x_account_of(request.user)
    return render(
        request,
        "publishing/connection.html",
        {
            "account": account,
            "connect_url": _connect_url(request),
            "gaps": account.gaps.all()[:20] if account else [],
        },
    )


@access(ADVISERS)
@require_POST
def disconnect(request: HttpRequest) -> HttpResponse:
    account = selectors.x_account_of(request.user)
    if account is None or not account.is_connected:
        messages.info(request, _("No X account is connected."))
        return redirect("publishing:connection")
    disconnect_x_account(account=account, actor=request.user)
    messages.success(request, _("Your X account is disconnected and Relais no longer holds its access."))
    return redirect("publishing:connection")


@access(COMPLIANCE)
def compliance_connections(request: HttpRequest) -> HttpResponse:
    """Both lists paged (issue 13): disconnected accounts by page number (at most one per adviser, so the
    count is cheap), capture gaps, which grow with history, Newer/Older."""
    disconnected = Paginator(selectors.disconnected_accounts(), PAGE_SIZE).get_page(request.GET.get("page"))
    gaps = keyset_page(selectors.connection_gaps(), request.GET, key="pk", prefix="gaps_")
    return render(
        request,
        "publishing/compliance_connections.html",
        {
            "disconnected": disconnected,
            "disconnected_query": query_without_cursor(request.GET, "page"),
            "gaps": gaps,
            "gaps_query": query_without_cursor(request.GET, "gaps_before", "gaps_after"),
        },
    )


@access(ADVISERS)
def share(request: HttpRequest, item_id: int) -> HttpResponse:
    """The share flow: exactly what will be posted, then "share now" or "schedule"."""
    item = get_object_or_404(ContentItem.objects.select_related("current_version"), pk=item_id)
    if not services.can_share(request.user, item):
        raise Http404
    tz = adviser_timezone(request.user)
    account = selectors.x_account_of(request.user)
    preview = services.preview_share(adviser=request.user, item=item)
    form = ShareForm(request.POST or None, tz=tz)
    if request.method == "POST" and form.is_valid():
        when = form.cleaned_data["when"] if "schedule" in request.POST else None
        try:
            services.schedule_share(adviser=request.user, item=item, when=when, actor=request.user)
        except services.ShareRefused as exc:
            form.add_error("when" if when else None, str(exc))
        else:
            if when:
                messages.success(
                    request,
                    form.scheduled_message(when)
                    + " "
                    + _("You can cancel it from My shares until it goes out."),
                )
            else:
                messages.success(request, _("Sent to X. It appears in My shares as soon as X confirms it."))
            return redirect("publishing:my_shares")
    return render(
        request,
        "publishing/share.html",
        {
            "item": item,
            "preview": preview,
            "form": form,
            "account": account,
            "timezone_name": str(tz),
        },
    )


@access(ADVISERS)
def my_shares(request: HttpRequest) -> HttpResponse:
    page = keyset_page(selectors.shares_of(request.user), request.GET, key="pk")
    shares = selectors.with_click_figures(page.object_list)
    groups = {
        "scheduled": [
            s
            for s in shares
            if s.status
            in (
                Share.Status.SCHEDULED,
                Share.Status.PUBLISHING,
                Share.Status.OUTCOME_UNKNOWN,
                Share.Status.UNCONFIRMED,
            )
        ],
        "published": [s for s in shares if s.status in (Share.Status.PUBLISHED, Share.Status.DELETED)],
        "failed": [s for s in shares if s.status == Share.Status.FAILED],
        "cancelled": [s for s in shares if s.status == Share.Status.CANCELLED],
    }
    tz = adviser_timezone(request.user)
    return render(
        request,
        "publishing/my_shares.html",
        {
            "groups": groups,
            "page": page,
            "query": query_without_cursor(request.GET),
            "account": selectors.x_account_of(request.user),
            "form": ShareForm(tz=tz),
            "timezone_name": str(tz),
        },
    )


def _own_share(request: HttpRequest, pk: int) -> Share:
    return get_object_or_404(
        Share.objects.select_related("item", "adviser"), pk=pk, adviser_id=request.user.pk
    )


@access(ADVISERS)
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    share = _own_share(request, pk)
    if services.cancel_share(share=share, actor=request.user, reason=_("Cancelled by the adviser.")):
        messages.success(request, _("The share is cancelled."))
    else:
        messages.error(request, _("Too late to cancel: this share is already going out or has gone out."))
    return redirect("publishing:my_shares")


@access(ADVISERS)
@require_POST
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    share = _own_share(request, pk)
    form = ShareForm(request.POST, tz=adviser_timezone(request.user))
    if form.is_valid():
        when = form.cleaned_data["when"]
        try:
            services.reschedule_share(share=share, when=when, actor=request.user)
        except services.ShareRefused as exc:
            messages.error(request, str(exc))
        else:
            done = _("Scheduled again with the current approved text.")
            messages.success(request, f"{done} {form.scheduled_message(when)}" if when else done)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("publishing:my_shares")


@access(COMPLIANCE)
def compliance_recalls(request: HttpRequest) -> HttpResponse:
    unconfirmed, unconfirmed_count = selectors.unconfirmed_shares()
    return render(
        request,
        "publishing/compliance_recalls.html",
        {
            "recalls": selectors.recalls_in_progress(),
            "unconfirmed": unconfirmed,
            "unconfirmed_count": unconfirmed_count,
        },
    )
