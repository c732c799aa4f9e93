"""Inbound capture tasks (``poll_*``: routed to the ``polling`` queue by settings)."""

from __future__ import annotations

from celery import shared_task

from advocacy.relationships.polling import poll_round
from advocacy.relationships.subscriptions import sync_subscriptions


@shared_task(ignore_result=True)
def poll_inbound() -> None:
    """Beat: one polling round (mentions since the last read). Safe to overlap a webhook: ingestion is
    idempotent, and the cursor only moves forward. Subscriptions are reconciled first, so an adviser who
    just connected is pushed from the next round on."""
    sync_subscriptions()
    poll_round()
