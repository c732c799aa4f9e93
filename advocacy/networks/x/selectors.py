"""Reads for X connections: an adviser's account, revoked connections and gaps, for pages and banners."""

from __future__ import annotations

from django.db.models import QuerySet

from advocacy.networks.x.models import ConnectionGap, XAccount


def x_account_of(user) -> XAccount | None:
    """The adviser's account (one at most), kept on the user object for the rest of the request as the
    profile is (``org.selectors.profile_of``): the reconnection banner then answers from it instead of
    asking the table again (the adviser's home and My shares read the account twice before, issue 13)."""
    account = XAccount.objects.filter(user_id=user.pk).first()
    user._relais_x_account = account
    return account


def needs_reconnection(user) -> bool:
    """True when X revoked the adviser's connection and they have not reconnected (the banner): from the
    account this request already read, else one ``EXISTS``."""
    if hasattr(user, "_relais_x_account"):
        account = user._relais_x_account
        return (
            account is not None
            and account.status == XAccount.Status.DISCONNECTED
            and account.disconnected_reason == XAccount.Reason.REVOKED
        )
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
        .order_by("-disconnected_at", "-pk")
    )


def connection_gaps() -> QuerySet[ConnectionGap]:
    """Newest first by id (gaps are opened as they start), to be read a page at a time."""
    return ConnectionGap.objects.select_related("account__user", "account__user__staff__branch").order_by(
        "-pk"
    )
