"""Daily figures per published post, rolled up from the event tables (``advocacy.rollups.services``).

One row per post and UTC day it had anything: the day's link clicks and distinct visitors (a visitor is a
hash salted per day, so a day's count is exact and days cannot be added into "unique visitors"), and the
post's public counts as of the day's last read (cumulative, as X gives them: a dashboard differences
consecutive days). ``adviser`` is copied from the share so that a team's days are read without a join.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyPostFigures(models.Model):
    day = models.DateField(_("day (UTC)"))
    share = models.ForeignKey("shares.Share", on_delete=models.CASCADE, related_name="+")
    adviser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    clicks = models.PositiveIntegerField(_("link clicks"), default=0)
    visitors = models.PositiveIntegerField(_("visitors (estimate)"), default=0)
    # The post's counts at the day's last read; null when it was not read that day.
    impressions = models.PositiveBigIntegerField(_("impressions"), null=True)
    engagements = models.PositiveBigIntegerField(_("engagements"), null=True)
    rolled_up_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily post figures")
        verbose_name_plural = _("daily post figures")
        constraints = [models.UniqueConstraint(fields=["day", "share"], name="rollup_day_share")]
        indexes = [
            models.Index(fields=["adviser", "day"], name="rollup_adviser_day"),
            models.Index(fields=["day"], name="rollup_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} share {self.share_id}: {self.clicks} clicks"


class RollupRun(models.Model):
    """When each UTC day was last rolled up, and how long it took (the status page and the bench read it)."""

    day = models.DateField(unique=True)
    finished_at = models.DateTimeField()
    seconds = models.FloatField()
    rows = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day}: {self.rows} rows in {self.seconds:.1f} s"
