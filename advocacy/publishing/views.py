"""Publishing pages: the adviser's X connection, the share flow, My shares, and compliance's overview.

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

from advocacy.portal.access import ADVISERS, COMPLIANCE, access
from advocacy.publishing import selectors
from advocacy.publishing.connections import disconnect_x_account


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
    return render(
        request,
        "publishing/compliance_connections.html",
        {
            "disconnected": selectors.disconnected_accounts(),
            "gaps": selectors.connection_gaps(),
        },
    )
