"""Session upkeep and second-factor enforcement.

* ``RefreshIdleSessionMiddleware``: the idle timeout without a database write on every page.
* ``EnforceMfaMiddleware``: privileged roles reach only the enrolment page until they enrol.
"""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect
from django.urls import reverse

from advocacy.org.models import Role
from advocacy.org.selectors import roles_of

# Paths a person without a second factor may still reach: enrolment itself, signing out, language,
# static files and the health probe. allauth asks for the password again before it activates TOTP
# (its sign-in does not count as a re-authentication), so that page must be reachable too, or enrolment
# is a redirect loop.
_ALWAYS_ALLOWED_URL_NAMES = (
    "mfa_index",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_generate_recovery_codes",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_reauthenticate",
    "set_language",
    "health",
)


_REFRESHED = "_relais_refreshed"


def stamp_refreshed(session) -> None:
    session[_REFRESHED] = int(time.time())


class RefreshIdleSessionMiddleware:
    """Push a signed-in session's expiry back at most once every ``SESSION_REFRESH_SECONDS``.

    Django's ``SESSION_SAVE_EVERY_REQUEST`` renews the expiry by writing the session row on every request:
    a database write and commit for every page anyone views, the largest fixed cost of a page at bank
    scale (issue 13). Saving only when the last renewal is older than the interval keeps the idle timeout
    (a session ends between ``SESSION_COOKIE_AGE`` minus the interval and ``SESSION_COOKIE_AGE`` after the
    last request) at one write a minute per active person. Anonymous requests create no session here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(_REFRESHED, 0) >= settings.SESSION_REFRESH_SECONDS:
                stamp_refreshed(request.session)  # modified: SessionMiddleware saves it, expiry renewed
        return self.get_response(request)


def needs_mfa_enrolment(user) -> bool:
    if not user.is_authenticated:
        return False
    if not (roles_of(user) & set(settings.RELAIS_MFA_REQUIRED_ROLES)):
        return False
    return not Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


class EnforceMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed_paths: tuple[str, ...] | None = None
        # MFA_REQUIRED_ROLES comes from the environment: a misspelt role would silently exempt the people
        # it meant, so refuse to start.
        unknown = sorted(set(settings.RELAIS_MFA_REQUIRED_ROLES) - set(Role.values))
        if unknown:
            raise ImproperlyConfigured(
                f"MFA_REQUIRED_ROLES has unknown roles {', '.join(unknown)}; known: {', '.join(Role.values)}."
            )

    def _allowed(self) -> tuple[str, ...]:
        if self._allowed_paths is None:
            names = _ALWAYS_ALLOWED_URL_NAMES
            self._allowed_paths = (*(reverse(name) for name in names), settings.STATIC_URL)
        return self._allowed_paths

    def __call__(self, request):
        gated = request.user.is_authenticated and not request.path.startswith(self._allowed())
        if gated and needs_mfa_enrolment(request.user):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
