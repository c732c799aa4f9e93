"""A reply: one adviser answering one inbound post (a mention, a reply, a quote) from Relais.

The reply is the adviser's communication and a regulatory record: its archive events carry the full text,
the post it answers, the conversation and the archive record of the inbound post itself. The row points at
the interaction it answers only while that interaction exists: erasing the client (GDPR art. 17) deletes
the interaction, and the reply keeps the network ids alone (``in_reply_to_post_id``, ``conversation_id``),
which name nobody.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ReplyStatus(models.TextChoices):
    """The allowed moves are listed once, in ``advocacy.replies.transitions.TRANSITIONS``."""

    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Sending to X")
    SENT = "sent", _("Sent")
    OUTCOME_UNKNOWN = "outcome_unknown", _("Checking whether it was sent")
    # Still unknown after X_UNKNOWN_MAX_ATTEMPTS looks: it may be live on X, nobody knows.
    UNCONFIRMED = "unconfirmed", _("Possibly sent, not confirmed")
    FAILED = "failed", _("Not sent")


class Reply(models.Model):
    Status = ReplyStatus

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="replies", verbose_name=_("adviser")
    )
    interaction = models.ForeignKey(
        "relationships.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("post answered"),
    )
    # The inbound post's archive record (``inbound.received``): what compliance reads beside the reply, and
    # what survives the client's erasure. No database constraint: the archive's retention may purge it.
    inbound_record = models.ForeignKey(
        "archive.ArchiveRecord",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("archived inbound post"),
    )
    in_reply_to_post_id = models.CharField(_("post answered"), max_length=32)
    conversation_id = models.CharField(_("conversation"), max_length=32, blank=True)
    text = models.TextField(_("text"))
    # The form's one-time key: the same form posted twice (a double click, a reload) makes one reply.
    request_key = models.CharField(max_length=36, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    unknown_outcomes = models.PositiveSmallIntegerField(_("unknown outcomes"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("reason"), max_length=500, blank=True)
    claim_token = models.CharField(max_length=36, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    send_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    account_username = models.CharField(_("X account"), max_length=32, blank=True)
    network_post_id = models.CharField(_("post id"), max_length=32, blank=True)
    post_url = models.URLField(_("post"), blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [
            models.Index(fields=["adviser", "-id"], name="reply_by_adviser"),
            # What a worker should try now: a small partial index (sent and failed replies are most rows).
            models.Index(
                fields=["next_attempt_at"],
                name="reply_due",
                condition=models.Q(status__in=["queued", "outcome_unknown"]),
            ),
        ]

    def __str__(self) -> str:
        return f"reply {self.pk} to {self.in_reply_to_post_id}"

    @property
    def reason(self) -> str:
        """Why it was not sent (yet), in the reader's language: stored as the English source."""
        return gettext(self.last_error) if self.last_error else ""
