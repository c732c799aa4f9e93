"""Reads for publishing: connections, gaps, shares. Views and tasks call these, never raw querysets."""

from __future__ import annotations

from django.db.models import QuerySet

from advocacy.publishing.models import ConnectionGap, XAccount


def x_account_of(user) -> XAccount | None:
    return XAccount.objects.filter(user_id=user.pk).first()


def needs_reconnection(user) -> bool:
    """True when X revoked the adviser's connection and they have not reconnected (the banner)."""
    return XAccount.objects.filter(
        user_id=user.pk, status=XAccount.Status.DISCONNECTED, disconnected_reason=XAccount.Reason.REVOKED
    ).exists()


def disconnected_accounts() -> QuerySet[XAccount]:
    """Accounts X refused (not the ones advisers disconnected themselves), for compliance."""
    return (
        XAccount.objects.filter(
            status=XAccount.Status.DISCONNECTED, disconnected_reason=XAccount.Reason.REVOKED
        )
        .select_related("user", "user__staff__branch")
        .order_by("-disconnected_at")
    )


def connection_gaps(*, limit: int = 200) -> QuerySet[ConnectionGap]:
    return ConnectionGap.objects.select_related("account__user", "account__user__staff__branch")[:limit]
