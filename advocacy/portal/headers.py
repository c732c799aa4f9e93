"""Response headers every page carries besides Django's own: Permissions-Policy, and ``Cache-Control:
no-store`` on every response to a signed-in person (the Content-Security-Policy is django-csp's middleware).

A signed-in page holds someone's drafts, reviews or the archive: no browser or proxy cache may keep it, and
the back button after signing out must not show it again. ``request.user`` is looked at only when the
response does not already forbid storing: the tracked-link redirect (``link_views``), which must do no
database work, sets ``no-store`` itself.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import add_never_cache_headers
from django.utils.deprecation import MiddlewareMixin


def _permissions_policy(policy: dict[str, list[str]]) -> str:
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class SecurityHeadersMiddleware(MiddlewareMixin):
    """A ``process_response`` (``MiddlewareMixin``) rather than a ``__call__``: the tracked link's lean
    handler (``advocacy.links.handler.LinkHandler``) composes such middleware flat."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.permissions_policy = _permissions_policy(settings.PERMISSIONS_POLICY)

    def process_response(self, request, response):
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if "no-store" not in response.get("Cache-Control", "") and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
