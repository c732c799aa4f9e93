"""Inbound capture tasks (``poll_*``: routed to the ``polling`` queue by settings)."""

from __future__ import annotations

from celery import shared_task

from advocacy.relationships import inbox
from advocacy.relationships.polling import poll_round
from advocacy.relationships.subscriptions import sync_subscriptions


@shared_task(ignore_result=True)
def poll_inbound() -> None:
    """Beat: one polling round (mentions since the last read, followers when due, likes and reposts of
    recent posts, each once a UTC day). Safe to overlap a webhook: ingestion is
    idempotent, and the cursor only moves forward. Subscriptions are reconciled first, so an adviser who
    just connected is pushed from the next round on."""
    sync_subscriptions()
    inbox.drain()  # a safety net: deliveries whose drain could not be queued (broker down) wait no longer
    poll_round()


@shared_task(ignore_result=True)
def ingest_webhook_deliveries() -> None:
    """Queued by the webhook (one at a time): ingest the inbox in batches."""
    inbox.drain()


@shared_task(ignore_result=True)
def weekly_signals() -> None:
    """Beat, Monday morning: each adviser's "N new people engaged with you" signal for the week just ended
    (made once per adviser and week, however often it runs)."""
    from advocacy.relationships.signals import weekly_digest

    weekly_digest()
