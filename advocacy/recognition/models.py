from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecognitionChoice(models.Model):
    """An adviser's choice to take part (no row: not taking part; recognition is opt-in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recognition"
    )
    taking_part = models.BooleanField(_("take part in the monthly recognition"), default=False)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recognition choice")
        verbose_name_plural = _("recognition choices")
        indexes = [models.Index(fields=["taking_part"], name="recognition_taking_part")]

    def __str__(self) -> str:
        return f"{self.user_id}: {'in' if self.taking_part else 'out'}"
