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
        """Switch to the person's preferred language before allauth writes its "signed in" message, and
        keep it with the language cookie for the pages that follow."""
        language = StaffProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = super().post_login(request, user, **kwargs)
        if language:
            remember_language(response, language)
        return response

    def authentication_failed(self, request: HttpRequest, **credentials) -> None:
        """An e-mail and password that signed nobody in: archived (advocacy/accounts/sign_in_failures.py)."""
        from django.core.exceptions import PermissionDenied

        from advocacy.accounts.sign_in_failures import record_failed_sign_in

        try:
            ip = self.get_client_ip(request)
        except PermissionDenied:  # allauth could not tell the client's address
            ip = ""
        record_failed_sign_in(email=credentials.get("email", ""), ip=ip)


def remember_language(response, language: str) -> None:
    """The language cookie Django's LocaleMiddleware reads on the next requests."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class RelaisSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        """Corporate SSO signs in staff who already exist; an unknown identity gets the closed-signup page."""
        return False

    def get_requests_session(self):
        """Every call allauth makes to a provider carries a timeout; X calls go to X_API_BASE_URL."""
        from advocacy.networks.x.http import route_x_calls

        return route_x_calls(super().get_requests_session())

    # --- X connection (advocacy.networks.x) ----------------------------------------------------------
    # See advocacy/networks/x/provider.py: allauth's twitter_oauth2 provider with our authorize URL,
    # used only to connect an adviser's X account; the tokens go encrypted into XAccount.
    def get_provider(self, request, provider, client_id=None):
        found = super().get_provider(request, provider, client_id=client_id)
        if found.id == "twitter_oauth2":
            from advocacy.networks.x.provider import RelaisXProvider

            return RelaisXProvider(request, app=found.app)
        return found

    def pre_social_login(self, request, sociallogin):
        if sociallogin.account.provider == "twitter_oauth2":
            from allauth.core.exceptions import ImmediateHttpResponse

            from advocacy.networks.x.provider import complete_x_connection

            raise ImmediateHttpResponse(complete_x_connection(request, sociallogin))
        super().pre_social_login(request, sociallogin)

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        if getattr(provider, "id", None) == "twitter_oauth2":
            from allauth.core.exceptions import ImmediateHttpResponse

            from advocacy.networks.x.provider import x_connection_failed

            raise ImmediateHttpResponse(x_connection_failed(request, error))
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )
