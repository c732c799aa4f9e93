"""Daily figures per published post, rolled up from the event tables (``advocacy.rollups.services``).

One row per post and UTC day it had anything: the day's link clicks and distinct visitors (a visitor is a
hash salted per day, so a day's count is exact and days cannot be added into "unique visitors"), the post's
public counts as of the day's last read (cumulative, as X gives them), and what those counts *gained* that
day: the day's last read minus the post's latest read before the day began. Gains add up over days (the sum
over days a..b is the count at b's last read minus the count before a), so a dashboard sums rows instead of
looking up two snapshots per post. They are signed: X's counts can go down (a like withdrawn, a reply
deleted). ``adviser`` and ``campaign`` are copied from the share so that a team's or a campaign's days are
read from their own index, without a join; each index carries the summed figures (PostgreSQL: index-only
scans).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What the dashboards sum per adviser or campaign: carried by those indexes (PostgreSQL's INCLUDE; ignored
# where covering indexes are not supported).
SUMMED = ["share", "clicks", "impressions_gained", "engagements_gained"]


class DailyPostFigures(models.Model):
    day = models.DateField(_("day (UTC)"))
    share = models.ForeignKey("shares.Share", on_delete=models.CASCADE, related_name="+")
    adviser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    clicks = models.PositiveIntegerField(_("link clicks"), default=0)
    visitors = models.PositiveIntegerField(_("visitors (estimate)"), default=0)
    # The post's counts at the day's last read; null when it was not read that day.
    impressions = models.PositiveBigIntegerField(_("impressions"), null=True)
    engagements = models.PositiveBigIntegerField(_("engagements"), null=True)
    # What the day's last read adds to the latest read before the day (0 when it was not read that day).
    impressions_gained = models.BigIntegerField(_("impressions gained"), default=0)
    engagements_gained = models.BigIntegerField(_("engagements gained"), default=0)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # rollup_campaign_day (campaign, day) serves it
    )
    rolled_up_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily post figures")
        verbose_name_plural = _("daily post figures")
        constraints = [models.UniqueConstraint(fields=["day", "share"], name="rollup_day_share")]
        indexes = [
            models.Index(fields=["adviser", "day"], name="rollup_adviser_day", include=SUMMED),
            models.Index(fields=["day"], name="rollup_day"),
            models.Index(
                fields=["campaign", "day"],
                name="rollup_campaign_day",
                include=SUMMED,
                condition=models.Q(campaign__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} share {self.share_id}: {self.clicks} clicks"


class RollupRun(models.Model):
    """When each UTC day was last rolled up, up to when its rows count events, and how long it took (the
    status page and the bench read it).

    ``through``: the day's rows count the events before this instant (``rollup_day``): the day's end once
    the run started ``ROLLUP_SETTLE_SECONDS`` after it (the day is *complete*), otherwise that long before
    the run started (a *partial* day: today, rolled up every ten minutes, so that a dashboard reads the
    day's rows and only the events since ``through``). Null for a run recorded before the field that had
    not finished after its day was over (migration 0005): its rows are not used."""

    day = models.DateField(unique=True)
    finished_at = models.DateTimeField()
    through = models.DateTimeField(_("events counted until"), null=True)
    seconds = models.FloatField()
    rows = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day}: {self.rows} rows in {self.seconds:.1f} s"
