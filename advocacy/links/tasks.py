"""Tracked-link tasks (routed to the ``publishing`` queue by settings)."""

from __future__ import annotations

from celery import shared_task

from advocacy.links import clicks


@shared_task(ignore_result=True)
def flush_link_clicks() -> None:
    """Beat: write the clicks buffered in Redis by the web processes to the database."""
    clicks.flush()
