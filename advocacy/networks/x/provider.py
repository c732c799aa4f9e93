"""How Relais plugs its X connection into django-allauth's ``twitter_oauth2`` provider.

allauth's ``TwitterOAuth2Adapter`` hard-codes ``https://x.com/i/oauth2/authorize``; its token and profile
URLs (``https://api.x.com/...``) are already sent to ``X_API_BASE_URL`` by ``xhttp.route_x_calls``, which the
socialaccount adapter's ``get_requests_session`` applies to every call allauth makes. Only the authorize
URL (a browser redirect, not a request from us) needs changing, for the sandbox.

We do that with allauth's own extension point: ``RelaisSocialAccountAdapter.get_provider`` (the adapter is
named in settings, SOCIALACCOUNT_ADAPTER) returns ``RelaisXProvider``, a subclass whose OAuth2 adapter
reads ``settings.X_AUTHORIZE_URL``. No monkey-patching of allauth's module attributes, no second provider
id (the URLs stay allauth's ``twitter_oauth2_login`` / ``twitter_oauth2_callback``), and the app keeps
coming from ``SOCIALACCOUNT_PROVIDERS['twitter_oauth2']['APPS']``.

The provider is only for connecting an account ("connect" process), never for signing in: ``redirect``
refuses any other process, and anyone who is not an adviser, before the browser goes to X.

When allauth has exchanged the code, ``RelaisSocialAccountAdapter.pre_social_login`` hands the
``SocialLogin`` to ``complete_x_connection``, which stores the tokens encrypted in ``XAccount`` and ends
allauth's flow with a redirect (``ImmediateHttpResponse``): no ``SocialAccount`` or ``SocialToken`` row is
written, so the encrypted ``XAccount`` is the only copy of the tokens.
"""

from __future__ import annotations

import logging

from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.twitter_oauth2.provider import TwitterOAuth2Provider
from allauth.socialaccount.providers.twitter_oauth2.views import TwitterOAuth2Adapter
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from advocacy.networks.crypto import Secret
from advocacy.networks.x import client as xclient
from advocacy.networks.x.connections import AccountLinkedElsewhere, connect_x_account
from advocacy.org.access import ADVISERS

logger = logging.getLogger(__name__)


class RelaisXOAuth2Adapter(TwitterOAuth2Adapter):
    @property
    def authorize_url(self) -> str:
        return settings.X_AUTHORIZE_URL


class RelaisXProvider(TwitterOAuth2Provider):
    oauth2_adapter_class = RelaisXOAuth2Adapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        if process != AuthProcess.CONNECT or not ADVISERS.allows(request.user):
            messages.error(request, _("An X account can only be connected by an adviser, from their X page."))
            return redirect("portal:home" if request.user.is_authenticated else "account_login")
        return super().redirect(request, process, next_url=next_url, data=data, **kwargs)


def complete_x_connection(request, sociallogin):
    """The end of the connect flow: store the connection, say what happened, go back to the X page."""
    if sociallogin.state.get("process") != AuthProcess.CONNECT or not ADVISERS.allows(request.user):
        messages.error(request, _("An X account can only be connected by an adviser, from their X page."))
        return redirect("portal:home" if request.user.is_authenticated else "account_login")
    data = sociallogin.account.extra_data or {}
    token = sociallogin.token
    x_user = xclient.XUser(
        id=str(sociallogin.account.uid), username=data.get("username", ""), name=data.get("name", "")
    )
    tokens = xclient.TokenSet(
        access_token=Secret(token.token),
        refresh_token=Secret(token.token_secret or ""),
        expires_at=token.expires_at,
        # allauth keeps only the token itself; X grants what we ask or refuses, so we record the request.
        scopes=" ".join(sociallogin.account.get_provider().get_scope()),
    )
    try:
        connect_x_account(user=request.user, x_user=x_user, tokens=tokens)
    except AccountLinkedElsewhere:
        messages.error(
            request,
            _(
                "The X account @%(username)s is already connected to another adviser. Each X account can "
                "speak for one adviser only: sign in to X with your own account and try again."
            )
            % {"username": x_user.username},
        )
        return redirect("xnetwork:connection")
    messages.success(request, _("Your X account @%(username)s is connected.") % {"username": x_user.username})
    return redirect("xnetwork:connection")


def x_connection_failed(request, error):
    if error == AuthError.CANCELLED:
        messages.warning(request, _("You cancelled on X: no account was connected."))
    else:
        messages.error(request, _("X did not complete the connection. Please try again in a moment."))
    return redirect("xnetwork:connection" if ADVISERS.allows(request.user) else "portal:home")
