"""Publishing data: an adviser's X connection, the gaps in it, shares and their tracked links.

Tokens are stored only encrypted (``advocacy.publishing.crypto``); the model never decrypts on its own so
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
    # Refresh lease (see services.fresh_access_token): who is refreshing the single-use refresh token.
    refresh_claim = models.CharField(max_length=36, blank=True, editable=False)
    refresh_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("X account")
        verbose_name_plural = _("X accounts")

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


class ShareStatus(models.TextChoices):
    """The allowed moves are listed once, in ``advocacy.publishing.transitions.TRANSITIONS``."""

    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    OUTCOME_UNKNOWN = "outcome_unknown", _("Checking whether it was published")
    # Still unknown after X_UNKNOWN_MAX_ATTEMPTS looks: compliance decides (it may be live on X).
    UNCONFIRMED = "unconfirmed", _("Possibly live, not confirmed")
    DELETED = "deleted", _("Deleted")


ACTIVE_SHARE_STATUSES = (
    ShareStatus.SCHEDULED,
    ShareStatus.PUBLISHING,
    ShareStatus.PUBLISHED,
    ShareStatus.OUTCOME_UNKNOWN,
    ShareStatus.UNCONFIRMED,
)


class Share(models.Model):
    """One adviser publishing one approved text of one item on their X account, now or later.

    ``text`` is the approved text exactly as approved (destination link); ``sent_text`` is what went to X
    (the same with the share's tracked link), written just before the call so that after an unknown
    outcome we know exactly what to look for on the account.
    """

    Status = ShareStatus

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shares", verbose_name=_("adviser")
    )
    item = models.ForeignKey(
        "content.ContentItem", on_delete=models.PROTECT, related_name="shares", verbose_name=_("content")
    )
    version = models.ForeignKey(
        "content.ContentVersion", on_delete=models.PROTECT, related_name="shares", verbose_name=_("version")
    )
    approved_text = models.ForeignKey(
        "content.ApprovedText",
        on_delete=models.PROTECT,
        related_name="shares",
        verbose_name=_("approved text"),
    )
    text = models.TextField(_("approved text"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    sent_text = models.TextField(_("text sent"), blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    status = models.CharField(
        _("status"), max_length=20, choices=ShareStatus.choices, default=ShareStatus.SCHEDULED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # How many times the outcome was found unknown (a lost answer, a failed look): bounded by
    # X_UNKNOWN_MAX_ATTEMPTS, then the share is escalated as "possibly live, not confirmed".
    unknown_outcomes = models.PositiveSmallIntegerField(_("unknown outcomes"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("reason"), max_length=500, blank=True)
    claim_token = models.CharField(max_length=36, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    send_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    network_post_id = models.CharField(_("post id"), max_length=32, blank=True)
    post_url = models.URLField(_("post"), max_length=300, blank=True)
    account_username = models.CharField(_("X account"), max_length=32, blank=True)
    x_user_id = models.CharField(max_length=32, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    link_code = models.CharField(_("tracked link code"), max_length=24, unique=True)
    # Recall: the live post must be deleted from the adviser's account.
    delete_requested_at = models.DateTimeField(_("deletion requested"), null=True, blank=True)
    delete_not_before = models.DateTimeField(null=True, blank=True, editable=False)
    delete_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    delete_error = models.CharField(_("deletion problem"), max_length=500, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    campaign = models.ForeignKey(
        "Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name=_("campaign"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [
            # X refuses an author's duplicate anyway; we refuse it before it costs a call.
            models.UniqueConstraint(
                fields=["adviser", "item"],
                condition=models.Q(status__in=[s.value for s in ACTIVE_SHARE_STATUSES]),
                name="one_active_share_per_adviser_and_item",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="share_due"),
            models.Index(fields=["adviser", "-scheduled_for"], name="share_adviser"),
            # A manager's team panel counts each member's posts of the last 30 days (portal.selectors).
            models.Index(fields=["adviser", "published_at"], name="share_adviser_published"),
            models.Index(fields=["item", "status"], name="share_item_status"),
        ]

    def __str__(self) -> str:
        # Stored as the archive record's subject label: language-neutral, and no status (it changes; each
        # record says the status it leaves the share in).
        account = f" → @{self.account_username}" if self.account_username else ""
        return f"{self.item}{account} (share {self.pk})"


class ShareClick(models.Model):
    """One click on a share's tracked link. No IP, no cookie: ``visitor`` is a hash salted per day."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="clicks")
    clicked_at = models.DateTimeField()
    visitor = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["share", "clicked_at"], name="click_share_time")]

    def __str__(self) -> str:
        return f"{self.share_id} {self.clicked_at:%Y-%m-%d %H:%M}"


class Campaign(models.Model):
    """An approved item pushed to an audience over a time window: opted-in advisers get shares scheduled.

    Lifecycle (``advocacy.publishing.campaigns``): planned -> fanning_out (launch) -> scheduled (fan-out
    done) or failed; planned, fanning_out and scheduled may be cancelled. ``cursor`` is the last adviser id
    the fan-out handled: it advances in the same transaction as the shares of a chunk and the counters, so
    a re-run resumes where the last one stopped and the counters always match the shares.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        FANNING_OUT = "fanning_out", _("Scheduling shares")
        SCHEDULED = "scheduled", _("Shares scheduled")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    item = models.ForeignKey(
        "content.ContentItem", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("content")
    )
    name = models.CharField(_("name"), max_length=200)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    regions = models.ManyToManyField(
        "org.Region",
        blank=True,
        related_name="+",
        verbose_name=_("regions"),
        help_text=_("Leave regions and branches empty for the item's whole audience."),
    )
    branches = models.ManyToManyField(
        "org.Branch",
        blank=True,
        related_name="+",
        verbose_name=_("branches"),
        help_text=_("Leave empty for the item's whole audience."),
    )
    roles = models.JSONField(
        _("roles"),
        default=list,
        blank=True,
        help_text=_("Only advisers who also hold one of these roles; empty: every adviser."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    targeted = models.PositiveIntegerField(_("advisers targeted"), default=0)
    processed = models.PositiveIntegerField(_("advisers processed"), default=0)
    scheduled = models.PositiveIntegerField(_("shares scheduled"), default=0)
    skipped = models.PositiveIntegerField(_("advisers skipped"), default=0)
    skip_reasons = models.JSONField(_("reasons for skipping"), default=dict, blank=True)
    cursor = models.PositiveBigIntegerField(default=0, editable=False)
    last_error = models.CharField(_("problem"), max_length=500, blank=True)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fan-out finished"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["status", "ends_at"], name="campaign_running")]

    def __str__(self) -> str:
        return self.name


class AutoShareOptIn(models.Model):
    """An adviser agrees that campaigns of this category may schedule shares on their account."""

    adviser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auto_share")
    category = models.CharField(_("category"), max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["adviser", "category"], name="unique_auto_share")]

    def __str__(self) -> str:
        return f"{self.adviser_id} {self.category}"
