"""Post metrics: for each published share, when its public counts are read next (``MetricsTrack``) and what
each read found (``MetricSnapshot``, one row per read, never updated)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MetricsTrack(models.Model):
    """A published share whose counts Relais reads: when next (None once finished), and why it stopped."""

    class Finished(models.TextChoices):
        SCHEDULE_DONE = "schedule_done", _("last read done")
        POST_GONE = "post_gone", _("post no longer on X")
        NOT_PUBLISHED = "not_published", _("share no longer published")

    share = models.OneToOneField("shares.Share", on_delete=models.CASCADE, related_name="+")
    post_id = models.CharField(max_length=32)
    published_at = models.DateTimeField()
    next_read_at = models.DateTimeField(null=True, blank=True)
    reads = models.PositiveIntegerField(default=0)
    last_read_at = models.DateTimeField(null=True, blank=True)
    finished = models.CharField(max_length=20, choices=Finished.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_read_at"], condition=Q(next_read_at__isnull=False), name="metrics_track_due"
            )
        ]

    def __str__(self) -> str:
        return f"post {self.post_id}: next {self.next_read_at or '-'}"


class MetricSnapshot(models.Model):
    """What X said of one post at one read (``public_metrics``)."""

    share = models.ForeignKey("shares.Share", on_delete=models.CASCADE, related_name="+")
    post_id = models.CharField(max_length=32)
    read_at = models.DateTimeField()
    impressions = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    reposts = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveBigIntegerField(default=0)
    quotes = models.PositiveBigIntegerField(default=0)
    bookmarks = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["share", "-read_at"], name="metrics_snapshot_share_at"),
            # The dashboards' tail (rollups.selectors._tail_posts) from today's reads (see ShareClick's).
            models.Index(fields=["read_at"], name="snapshot_time", include=["share"]),
        ]

    def __str__(self) -> str:
        return f"post {self.post_id} at {self.read_at:%Y-%m-%d %H:%M}: {self.impressions} impressions"
