"""Roll-up and partition tasks, run by beat (settings): both safe to run twice or to overlap."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from advocacy.rollups import partitions, services


@shared_task(ignore_result=True)
def rollup_recent_days() -> None:
    services.rollup_recent()


@shared_task(ignore_result=True)
def ensure_partitions() -> list[str]:
    """Daily: the coming months' partitions exist before their first click (``PARTITION_MONTHS_AHEAD``)."""
    return partitions.ensure(today=timezone.now().date(), months_ahead=settings.PARTITION_MONTHS_AHEAD)
