"""Campaigns: an approved item pushed to an audience over a time window, and advisers' auto-share opt-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    """An approved item pushed to an audience over a time window: opted-in advisers get shares scheduled.

    Lifecycle (``advocacy.campaigns.lifecycle``): planned -> fanning_out (launch) -> scheduled (fan-out
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

    class Outcome(models.TextChoices):
        """Where the campaign stands, as its runner reads it (not a column: ``selectors.outcome_of`` answers
        it from the status and the shares that exist). "Shares scheduled" is the status once the fan-out
        is over, even when it scheduled nothing because every targeted adviser was excluded."""

        PLANNED = "planned", _("Planned")
        SCHEDULING = "scheduling", _("Scheduling shares")
        SCHEDULED = "scheduled", _("Shares scheduled")
        NOTHING_SCHEDULED = "nothing_scheduled", _("No share scheduled")
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

    # Flags for templates, answered by the lifecycle's lists (``advocacy.campaigns.selectors``).
    @property
    def problem(self) -> str:
        """``last_error`` in the reader's language: it is stored as its English source (``fanout._fail``,
        ``lifecycle.cancel_campaign_shares``); older French words stay as they were stored."""
        return gettext(self.last_error) if self.last_error else ""

    @property
    def can_launch(self) -> bool:
        from advocacy.campaigns.selectors import can_launch

        return can_launch(self)

    @property
    def can_resume(self) -> bool:
        from advocacy.campaigns.selectors import can_resume

        return can_resume(self)

    @property
    def can_cancel(self) -> bool:
        from advocacy.campaigns.selectors import can_cancel

        return can_cancel(self)

    @property
    def has_launched(self) -> bool:
        from advocacy.campaigns.selectors import has_launched

        return has_launched(self)

    @property
    def is_cancelled(self) -> bool:
        """What the share engine asks of a share's campaign at send time (it never imports this app)."""
        return self.status == self.Status.CANCELLED


class AutoShareOptIn(models.Model):
    """An adviser agrees that campaigns of this category may schedule shares on their account."""

    adviser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auto_share")
    category = models.CharField(_("category"), max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["adviser", "category"], name="unique_auto_share")]

    def __str__(self) -> str:
        return f"{self.adviser_id} {self.category}"
