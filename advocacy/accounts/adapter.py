"""How Relais customises django-allauth: invite-only, preferred language at sign-in, SSO for known staff."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from advocacy.org.models import StaffProfile


class RelaisAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Staff are invited from the HR roster; nobody creates their own account."""
        return False

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        language = StaffProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
        if language:
            translation.activate(language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


class RelaisSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        """Corporate SSO signs in staff who already exist; an unknown identity gets the closed-signup page."""
        return False

    def get_requests_session(self):
        """Every call allauth makes to a provider carries a timeout; X calls go to X_API_BASE_URL."""
        from advocacy.publishing.xhttp import route_x_calls

        return route_x_calls(super().get_requests_session())
