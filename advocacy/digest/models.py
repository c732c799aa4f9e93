"""Who wants the weekly digest and which weeks were sent.

Opt-out: a person with no ``DigestPreference`` row gets the digest. ``DigestSent`` is the claim that makes
a week's digest go out at most once per person, however many times the task runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference"
    )
    subscribed = models.BooleanField(_("send me the weekly digest"), default=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)
    # How the last change was made: "portal" (the preferences page) or "e-mail" (the one-click link).
    changed_via = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {'subscribed' if self.subscribed else 'opted out'}"


class DigestSent(models.Model):
    """One person's digest of one week (``week`` is the Monday the covered week starts on, UTC)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="digest_once_per_week")]

    def __str__(self) -> str:
        return f"{self.user_id} week of {self.week}"
