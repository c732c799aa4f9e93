"""Receivers for third-party signals (connected in ``AccountsConfig.ready``): sign-ins and sign-outs of
privileged people are archived, and a new session starts its idle-timeout clock.

Only compliance officers and administrators: they are the ones who can change what the archive records
(rule packs, approvals, organisation), so when they were in the portal is part of the record. Failed
sign-ins (anyone's) are archived through allauth's adapter instead: advocacy/accounts/sign_in_failures.py.
"""

from __future__ import annotations

from advocacy.org.models import Role
from advocacy.org.selectors import roles_of
from compliance.archive.privacy import source_network
from compliance.archive.services import record

PRIVILEGED = frozenset({Role.COMPLIANCE, Role.ADMIN})


def _client(request) -> dict:
    if request is None:
        return {}
    return {
        "network": source_network(request.META.get("REMOTE_ADDR", "")),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
    }


def start_idle_clock(sender, request=None, user=None, **kwargs) -> None:
    """A session renewed at sign-in: the sign-in saves it anyway, so the first page after it need not
    (``RefreshIdleSessionMiddleware``)."""
    from advocacy.accounts.middleware import stamp_refreshed

    if request is not None and hasattr(request, "session"):
        stamp_refreshed(request.session)


def privileged_sign_in(sender, request=None, user=None, **kwargs) -> None:
    roles = roles_of(user)
    if roles & PRIVILEGED:
        sociallogin = kwargs.get("sociallogin")
        record(
            "auth.signed_in",
            subject=user,
            actor=user,
            payload={
                "roles": sorted(roles & PRIVILEGED),
                "method": sociallogin.account.provider if sociallogin else "password",
                **_client(request),
            },
        )


def privileged_sign_out(sender, request=None, user=None, **kwargs) -> None:
    if user is not None and roles_of(user) & PRIVILEGED:
        record("auth.signed_out", subject=user, actor=user, payload=_client(request))
