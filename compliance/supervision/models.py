"""The supervision queue: one entry per reply sent from Relais, in the queue when sampled or flagged.

Every sent reply gets an entry, sampled or not, so that "was this reply considered?" is a row, not a
guess: the sweep (``services.sweep_unsupervised``) finds a sent reply with none, and the sample's rate can
be read back from the entries. The queue itself is the entries ``in_queue`` and not reviewed yet.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Flag(models.TextChoices):
    """What the supervision lexicons look for, in the inbound post and in the reply."""

    COMPLAINT = "complaint", _("Complaint")
    ADVICE_REQUEST = "advice_request", _("Advice request")
    PERSONAL_DATA = "personal_data", _("Personal data")


class SupervisionItem(models.Model):
    class Reason(models.TextChoices):
        FLAGGED = "flagged", _("Flagged by the lexicon")
        SAMPLED = "sampled", _("Sampled")
        NOT_SAMPLED = "not_sampled", _("Not sampled")

    class Decision(models.TextChoices):
        PENDING = "", _("Waiting for review")
        REVIEWED = "reviewed", _("Reviewed")
        ESCALATED = "escalated", _("Escalated")

    reply = models.OneToOneField(
        "replies.Reply", on_delete=models.PROTECT, related_name="supervision", verbose_name=_("reply")
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("adviser")
    )
    in_queue = models.BooleanField(_("in the queue"))
    reason = models.CharField(_("why"), max_length=16, choices=Reason.choices)
    rate_percent = models.PositiveSmallIntegerField(_("sampling rate (%)"))
    # One column per flag, so that the queue's filter is an indexable equality on every database.
    complaint = models.BooleanField(_("complaint"), default=False)
    advice_request = models.BooleanField(_("advice request"), default=False)
    personal_data = models.BooleanField(_("personal data"), default=False)
    # What raised each flag, for the page: [{"flag", "where": "inbound" | "reply", "matched"}].
    flag_details = models.JSONField(_("flags"), default=list, blank=True)
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        verbose_name = _("supervision entry")
        verbose_name_plural = _("supervision entries")
        indexes = [
            # The queue, oldest first by id: a partial index holding only what waits.
            models.Index(
                fields=["id"],
                condition=models.Q(in_queue=True, reviewed_at=None),
                name="supervision_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"supervision of reply {self.reply_id}"

    @property
    def flags(self) -> list[str]:
        return [flag for flag in Flag.values if getattr(self, flag)]


class SamplingRate(models.Model):
    """A compliance officer's override of ``SUPERVISION_SAMPLE_PERCENT`` for one adviser."""

    adviser = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="supervision_rate",
        verbose_name=_("adviser"),
    )
    percent = models.PositiveSmallIntegerField(_("sampling rate (%)"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set"), auto_now=True)

    class Meta:
        verbose_name = _("sampling rate")
        verbose_name_plural = _("sampling rates")

    def __str__(self) -> str:
        return f"{self.adviser_id}: {self.percent} %"
