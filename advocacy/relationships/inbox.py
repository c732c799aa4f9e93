"""The webhook's durable inbox: deliveries are stored as received, then ingested in batches by workers.

Why not ingest in the request: X wants a quick 2xx and retries a slow answer, and ingesting one event per
transaction (a lock on the archive's head for each) caps intake far below a bank's traffic. The webhook
commits one row and answers; ``drain`` takes up to ``BATCH`` rows with ``FOR UPDATE SKIP LOCKED`` (several
workers drain side by side without waiting on each other), ingests their events in one transaction and
deletes the rows in it. A worker killed mid-batch rolls the whole batch back: the rows are still there for
the next drain, and ingestion's unique keys make a replay harmless.

A row that cannot be ingested (a bug or a payload we do not understand) must not block the rows behind it:
the batch is retried row by row and the failing row is set aside with its error (``failed_at``), logged,
and counted on the status page.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from advocacy.networks.x import webhooks
from advocacy.relationships.ingest import ingest
from advocacy.relationships.models import Interaction, WebhookDelivery

logger = logging.getLogger(__name__)

BATCH = 500
_PENDING_KEY = "relationships:inbox-drain-pending"


def store(body: bytes) -> None:
    """Keep a verified delivery and make sure a drain is coming (at most one queued at a time)."""
    WebhookDelivery.objects.create(body=body)
    if cache.add(_PENDING_KEY, 1, timeout=60):
        from advocacy.relationships.tasks import ingest_webhook_deliveries

        try:
            ingest_webhook_deliveries.delay()
        except Exception:  # the broker is down: the delivery is safe, the polling round drains it
            cache.delete(_PENDING_KEY)
            logger.exception("Could not queue the inbox drain; the next polling round will drain it")


def _ingest_rows(rows: list[WebhookDelivery]) -> int:
    activities = []
    for row in rows:
        activities.extend(webhooks.parse_delivery(bytes(row.body)))
    stored = ingest(activities, via=Interaction.Via.WEBHOOK)
    WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return stored


def _batch() -> tuple[int, int]:
    """One batch: (deliveries taken, interactions stored)."""
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.filter(failed_at=None)
            .order_by("pk")
            .select_for_update(skip_locked=True)[:BATCH]
        )
        if not rows:
            return 0, 0
        try:
            with transaction.atomic():
                return len(rows), _ingest_rows(rows)
        except Exception:
            logger.exception("Inbox batch of %d could not be ingested; retrying row by row", len(rows))
        stored = 0
        for row in rows:
            try:
                with transaction.atomic():
                    stored += _ingest_rows([row])
            except Exception as exc:
                logger.exception("Webhook delivery %s set aside: it cannot be ingested", row.pk)
                WebhookDelivery.objects.filter(pk=row.pk).update(
                    failed_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:300]
                )
        return len(rows), stored


def drain(*, max_batches: int | None = None) -> int:
    """Ingest what the inbox holds (all of it, or ``max_batches`` batches); the interactions stored."""
    cache.delete(_PENDING_KEY)  # a delivery stored from now on queues the next drain
    stored, batches = 0, 0
    while max_batches is None or batches < max_batches:
        taken, new = _batch()
        stored, batches = stored + new, batches + 1
        if taken < BATCH:
            break
    return stored


def backlog() -> tuple[int, int, object]:
    """For the status page: (deliveries waiting, deliveries set aside, when the oldest waiting arrived)."""
    figures = WebhookDelivery.objects.aggregate(
        waiting=Count("pk", filter=Q(failed_at=None)),
        set_aside=Count("pk", filter=Q(failed_at__isnull=False)),
        oldest=Min("received_at", filter=Q(failed_at=None)),
    )
    return figures["waiting"], figures["set_aside"], figures["oldest"]
