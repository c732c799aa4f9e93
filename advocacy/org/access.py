"""Who may reach which route: the one place that says it.

Every Relais view is wrapped with ``@access(...)``, which both enforces the rule and records it on the
view so that the URL x role test (tests/portal/test_access_matrix.py) can read it. Views that come from
django-allauth and Django's admin enforce their own rules; ``THIRD_PARTY_ROUTES`` declares what we expect
of them, and the same test checks that they behave so. A route with neither fails that test.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from advocacy.org.models import Role
from advocacy.org.selectors import roles_of


@dataclass(frozen=True)
class Rule:
    """``public``: anyone; ``signed_in``: any active member of staff; ``roles``: staff with one of them."""

    kind: str
    roles: frozenset[str] = field(default_factory=frozenset)

    def allows(self, user) -> bool:
        if self.kind == "public":
            return True
        if not user.is_authenticated:
            return False
        if self.kind == "signed_in":
            return True
        return bool(roles_of(user) & self.roles)

    def __str__(self) -> str:
        return self.kind if self.kind != "roles" else "roles:" + ",".join(sorted(self.roles))


PUBLIC = Rule("public")
SIGNED_IN = Rule("signed_in")


def roles(*names: str) -> Rule:
    return Rule("roles", frozenset(Role(n).value for n in names))


ADVISERS = roles(Role.ADVISER)
MANAGERS = roles(Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER)
COMPLIANCE = roles(Role.COMPLIANCE)
CONTENT_AUTHORS = roles(Role.COMPLIANCE, Role.MARKETING)
# HR writes job offers (the recruitment category only: ``advocacy.content.policies``).
RECRUITMENT_AUTHORS = roles(Role.HR)
# The library editor's routes: compliance and marketing for every category, HR for job offers.
LIBRARY_AUTHORS = roles(Role.COMPLIANCE, Role.MARKETING, Role.HR)
# Everyone who writes texts: advisers their drafts, compliance, marketing and HR (job offers) the library.
WRITERS = roles(Role.ADVISER, Role.COMPLIANCE, Role.MARKETING, Role.HR)
# Who decides on submitted content: compliance officers; HR reviewers on job offers where compliance
# settings allow it (``ComplianceSettings.reviewers_by_category``).
REVIEWERS = roles(Role.COMPLIANCE, Role.HR_REVIEWER)
STAFF_ADMINS = roles(Role.HR, Role.ADMIN)
# Recruitment reach (advocacy/reach): HR sees the bank, managers their scope's totals.
RECRUITMENT_READERS = roles(Role.HR, Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER)
ADMINS = roles(Role.ADMIN)


def access(rule: Rule) -> Callable:
    """Decorate a view: anonymous visitors go to sign-in, signed-in staff without the role get 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if rule.kind != "public" and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not rule.allows(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = rule
        return wrapped

    return decorator


# What we expect of routes we do not write. Keys are URL names; "namespace:*" covers a namespace.
THIRD_PARTY_ROUTES: dict[str, Rule] = {
    # django-allauth: account
    "account_login": PUBLIC,
    "account_logout": PUBLIC,
    "account_signup": PUBLIC,  # closed: shows "sign-up closed"
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_change_password": SIGNED_IN,
    "account_set_password": SIGNED_IN,
    "account_email": SIGNED_IN,
    "account_inactive": PUBLIC,
    "account_email_verification_sent": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_reauthenticate": SIGNED_IN,
    # allauth 65.22: re-authenticating with a code sent to one's own verified address (login_required)
    "account_request_reauthentication_code": SIGNED_IN,
    "account_confirm_reauthentication_code": SIGNED_IN,
    "account_login_code_confirm": PUBLIC,
    "account_request_login_code": PUBLIC,
    "account_confirm_login_code": PUBLIC,
    "account_confirm_password_reset_code": PUBLIC,
    "account_change_phone": SIGNED_IN,
    "account_verify_phone": PUBLIC,
    # django-allauth: MFA
    "mfa_index": SIGNED_IN,
    "mfa_authenticate": PUBLIC,
    "mfa_reauthenticate": SIGNED_IN,
    "mfa_activate_totp": SIGNED_IN,
    "mfa_deactivate_totp": SIGNED_IN,
    "mfa_view_recovery_codes": SIGNED_IN,
    "mfa_generate_recovery_codes": SIGNED_IN,
    "mfa_download_recovery_codes": SIGNED_IN,
    "mfa_list_webauthn": SIGNED_IN,
    "mfa_add_webauthn": SIGNED_IN,
    "mfa_remove_webauthn": SIGNED_IN,
    "mfa_edit_webauthn": SIGNED_IN,
    "mfa_login_webauthn": PUBLIC,
    "mfa_reauthenticate_webauthn": SIGNED_IN,
    "mfa_signup_webauthn": PUBLIC,
    "mfa_trust": PUBLIC,
    # django-allauth: social accounts (corporate SSO, X connection)
    "socialaccount_connections": SIGNED_IN,
    "socialaccount_signup": PUBLIC,
    "socialaccount_login_cancelled": PUBLIC,
    "socialaccount_login_error": PUBLIC,
    "openid_connect_login": PUBLIC,
    "openid_connect_callback": PUBLIC,
    "twitter_oauth2_login": PUBLIC,
    "twitter_oauth2_callback": PUBLIC,
    # Django
    "set_language": PUBLIC,
    "javascript-catalog": PUBLIC,
    "admin:*": ADMINS,
}


# Unnamed third-party routes, by path prefix: the admin's redirects to object pages, and allauth's legacy
# social-account paths, which only redirect to their current names.
THIRD_PARTY_PREFIXES: dict[str, Rule] = {
    "admin/": ADMINS,
    "accounts/social/": PUBLIC,
}


def rule_for(callback, url_name: str | None, route: str = "") -> Rule | None:
    """The declared rule of a resolved route, or None when nobody declared one."""
    rule = getattr(callback, "access_rule", None)
    if rule is not None:
        return rule
    if url_name is None:
        return next((r for prefix, r in THIRD_PARTY_PREFIXES.items() if route.startswith(prefix)), None)
    if url_name in THIRD_PARTY_ROUTES:
        return THIRD_PARTY_ROUTES[url_name]
    namespace = url_name.split(":", 1)[0] + ":*" if ":" in url_name else None
    return THIRD_PARTY_ROUTES.get(namespace) if namespace else None
