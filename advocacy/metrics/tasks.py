"""Post metrics tasks (``poll_*``: routed to the ``polling`` queue by settings)."""

from __future__ import annotations

from celery import shared_task

from advocacy.metrics.reading import read_due_metrics


@shared_task(ignore_result=True)
def poll_post_metrics() -> None:
    """Beat: one round of post metrics. Safe to overlap another round: a post is claimed once a UTC day."""
    read_due_metrics()
