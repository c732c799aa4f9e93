"""Shares: one adviser posting one approved text on their account, and the clicks on its tracked link.

The share points at its campaign by name (``"campaigns.Campaign"``): a campaign creates shares, the share
engine only reads whether that campaign was cancelled (``Campaign.is_cancelled``), so the share engine never
imports the campaigns app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ShareStatus(models.TextChoices):
    """The allowed moves are listed once, in ``advocacy.shares.transitions.TRANSITIONS``."""

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
        "campaigns.Campaign",
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
            # It carries the id: the dashboards' tail (rollups.selectors._tail_posts) walks a team's shares
            # from it alone, index-only, and counts their publications the same way. The item too: the team
            # dashboard counts the library items its advisers shared over the period (dashboards.team) from
            # it alone (a region's 3,400 posts of 30 days were 3,300 heap blocks at bank scale).
            models.Index(
                fields=["adviser", "published_at"], name="share_adviser_published", include=["id", "item"]
            ),
            models.Index(fields=["item", "status"], name="share_item_status"),
            # The campaign list counts each campaign's live shares (campaigns.selectors.with_live_shares):
            # through the plain campaign index that read ~555 scattered heap rows per campaign at bank scale
            # (28,000 blocks for a page of 50, 240 ms at p95); this one is counted from the index alone.
            models.Index(
                fields=["campaign"],
                condition=models.Q(status__in=[s.value for s in ACTIVE_SHARE_STATUSES]),
                name="share_campaign_live",
            ),
            # A campaign's shares by id, index-only (rollups.selectors._tail_posts for the campaign results),
            # and their publications up to a date (dashboards.campaigns._published: the list's 20 campaigns'
            # ~10,000 shares were 3,100 heap blocks at bank scale, 10-23 ms; index-only with the date).
            models.Index(
                fields=["campaign", "published_at"],
                include=["id"],
                condition=models.Q(campaign__isnull=False),
                name="share_campaign_ids",
            ),
            # Compliance's figures time the deletions asked over a period (dashboards.review_times): only
            # recalled shares carry a request: this index holds a few rows where a scan would read them all.
            models.Index(
                fields=["delete_requested_at"],
                condition=models.Q(delete_requested_at__isnull=False),
                name="share_delete_requested",
            ),
        ]

    def __str__(self) -> str:
        # Stored as the archive record's subject label: language-neutral, and no status (it changes; each
        # record says the status it leaves the share in).
        account = f" → @{self.account_username}" if self.account_username else ""
        return f"{self.item}{account} (share {self.pk})"

    # Reasons are stored as English source strings (the worker's language is not the reader's); these
    # show them in the reader's language. A reason with details filled in (an X error) has no entry in the
    # catalogue and shows as stored.
    @property
    def reason(self) -> str:
        return gettext(self.last_error) if self.last_error else ""

    @property
    def deletion_problem(self) -> str:
        return gettext(self.delete_error) if self.delete_error else ""

    # Flags for templates, answered by the state machine (``advocacy.shares.transitions``), never by a
    # template re-testing statuses.
    @property
    def can_cancel(self) -> bool:
        from advocacy.shares.transitions import can_cancel

        return can_cancel(self)

    @property
    def can_reschedule(self) -> bool:
        from advocacy.shares.transitions import can_reschedule

        return can_reschedule(self)

    @property
    def retry_pending(self) -> bool:
        from advocacy.shares.transitions import retry_pending

        return retry_pending(self)

    @property
    def deleted_from_x(self) -> bool:
        from advocacy.shares.transitions import deleted_from_x

        return deleted_from_x(self)

    @property
    def is_sending(self) -> bool:
        from advocacy.shares.transitions import is_sending

        return is_sending(self)


class ShareClick(models.Model):
    """One click on a share's tracked link. No IP, no cookie: ``visitor`` is a hash salted per day."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="clicks")
    clicked_at = models.DateTimeField()
    visitor = models.CharField(max_length=32)

    class Meta:
        # ``visitor`` carried by the index (PostgreSQL's INCLUDE; ignored where covering indexes are not
        # supported): the adviser's home counts clicks and visitors of the last 30 days over all their
        # shares from this index alone (index-only scans). Without it PostgreSQL priced a probe per share
        # above a parallel scan of the month's clicks, and chose that: 0.3-1.3 s for an adviser with a
        # thousand shares at bank scale (issue 13), 16 ms with it.
        indexes = [
            models.Index(
                fields=["share", "clicked_at"], name="click_share_time_visitor", include=["visitor"]
            ),
            # The dashboards' tail (rollups.selectors._tail_posts): today's clicks read in time order and
            # hashed against a region's or a campaign's shares, instead of an index probe per share.
            models.Index(fields=["clicked_at"], name="click_time", include=["share"]),
        ]

    def __str__(self) -> str:
        return f"{self.share_id} {self.clicked_at:%Y-%m-%d %H:%M}"
