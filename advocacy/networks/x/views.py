"""X connection pages: the adviser connects or disconnects their account; compliance sees revoked
connections and capture gaps.

Views parse, check access, call a service or selector, and render (CONTRIBUTING-NOTES).
"""

from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter as get_socialaccount_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.networks.usage import capabilities
from advocacy.networks.x import selectors
from advocacy.networks.x.connections import disconnect_x_account
from advocacy.org.access import COMPLIANCE, SIGNED_IN, access
from advocacy.web.paging import PAGE_SIZE, keyset_page, keyset_page_by_time, query_without_cursor


def _connect_url(request: HttpRequest) -> str | None:
    """allauth's login URL for X in "connect" mode, or None when no X app is configured."""
    try:
        provider = get_socialaccount_adapter(request).get_provider(request, "twitter_oauth2")
    except (SocialApp.DoesNotExist, ImproperlyConfigured):
        return None
    return provider.get_login_url(request, process=AuthProcess.CONNECT, next=reverse("xnetwork:connection"))


# Any member of staff may connect an X account: everyone may relay job offers.
@access(SIGNED_IN)
def connection(request: HttpRequest) -> HttpResponse:
    account = selectors.x_account_of(request.user)
    return render(
        request,
        "xnetwork/connection.html",
        {
            "account": account,
            "connect_url": _connect_url(request),
            "gaps": account.gaps.all()[:20] if account else [],
        },
    )


@access(SIGNED_IN)
@require_POST
def disconnect(request: HttpRequest) -> HttpResponse:
    account = selectors.x_account_of(request.user)
    if account is None or not account.is_connected:
        messages.info(request, _("No X account is connected."))
        return redirect("xnetwork:connection")
    disconnect_x_account(account=account, actor=request.user)
    messages.success(request, _("Your X account is disconnected and Relais no longer holds its access."))
    return redirect("xnetwork:connection")


@access(COMPLIANCE)
def compliance_connections(request: HttpRequest) -> HttpResponse:
    """Both lists paged Newer/Older from a cursor (issue 13): after a mass revocation the disconnected
    accounts are every adviser of the bank, and a page number reached page 100 with an ``OFFSET``."""
    disconnected = keyset_page_by_time(
        selectors.disconnected_accounts(), request.GET, time_field="disconnected_at", size=PAGE_SIZE
    )
    gaps = keyset_page(selectors.connection_gaps(), request.GET, key="pk", prefix="gaps_")
    return render(
        request,
        "xnetwork/compliance_connections.html",
        {
            "disconnected": disconnected,
            "disconnected_query": query_without_cursor(request.GET, "before", "after"),
            "gaps": gaps,
            "gaps_query": query_without_cursor(request.GET, "gaps_before", "gaps_after"),
            "unavailable": list(capabilities.unavailable()),
        },
    )
