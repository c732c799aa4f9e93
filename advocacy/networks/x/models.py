"""The X integration's data: an adviser's X connection and the gaps in it.

Tokens are stored only encrypted (``advocacy.networks.crypto``); the model never decrypts on its own so
that a token is only ever in memory for the call that needs it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class XAccount(models.Model):
    """One adviser's X account. One per adviser, and an X account belongs to one adviser only."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        DISCONNECTED = "disconnected", _("Disconnected")

    class Reason(models.TextChoices):
        NONE = "", _("None")
        REVOKED = "revoked", _("X no longer accepts the connection (revoked or expired)")
        BY_ADVISER = "by_adviser", _("Disconnected by the adviser")
        KEY_LOST = "key_lost", _("The stored tokens can no longer be decrypted")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="x_account",
        verbose_name=_("adviser"),
    )
    x_user_id = models.CharField(_("X user id"), max_length=32, unique=True)
    username = models.CharField(_("X username"), max_length=32)
    access_token_encrypted = models.TextField(_("access token (encrypted)"), blank=True, editable=False)
    refresh_token_encrypted = models.TextField(_("refresh token (encrypted)"), blank=True, editable=False)
    expires_at = models.DateTimeField(_("access token expires"), null=True, blank=True)
    scopes = models.CharField(_("scopes"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONNECTED, db_index=True
    )
    disconnected_reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    disconnected_at = models.DateTimeField(_("disconnected"), null=True, blank=True)
    connected_at = models.DateTimeField(_("connected"))
    last_ok_at = models.DateTimeField(_("last successful call"), null=True, blank=True)
    # Refresh lease (see ``connections.fresh_account``): who is refreshing the single-use refresh token.
    refresh_claim = models.CharField(max_length=36, blank=True, editable=False)
    refresh_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("X account")
        verbose_name_plural = _("X accounts")
        indexes = [
            # Compliance's list of connections X refused, newest first, paged: after a mass revocation it
            # holds every adviser of the bank (issue 13), so the sort and the count read only this index.
            models.Index(
                models.F("disconnected_at").desc(),
                models.F("id").desc(),
                name="xaccount_revoked_recent",
                condition=models.Q(status="disconnected", disconnected_reason="revoked"),
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"

    def __repr__(self) -> str:  # never the token columns
        return f"<XAccount {self.pk} @{self.username} {self.status}>"

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED

    @property
    def profile_url(self) -> str:
        return f"https://x.com/{self.username}"


class ConnectionGap(models.Model):
    """A period during which an adviser's account was meant to be connected but X refused us.

    Opened when X refuses the tokens (401 / invalid_grant), closed when the adviser reconnects. Nothing is
    published or captured during a gap; compliance sees the list.
    """

    account = models.ForeignKey(
        XAccount, on_delete=models.CASCADE, related_name="gaps", verbose_name=_("X account")
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("connection gap")
        verbose_name_plural = _("connection gaps")
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(ended_at=None), name="one_open_gap_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.started_at:%Y-%m-%d %H:%M} → {self.ended_at or '…'}"
