"""Keeping client data no longer than its purpose: clients with no interaction for CLIENT_RETENTION_YEARS
(counted from their last interaction, or their creation if none) are erased through ``erase_client``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from advocacy.clients.erasure import erase_client
from advocacy.clients.models import Client


def due_for_purge(now: dt.datetime | None = None):
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=365 * settings.CLIENT_RETENTION_YEARS)
    return Client.objects.filter(
        Q(last_interaction_at__lt=cutoff) | Q(last_interaction_at__isnull=True, created_at__lt=cutoff)
    ).select_related("adviser")


def purge(*, dry_run: bool = False, now: dt.datetime | None = None) -> dict[str, int]:
    """Erase the clients past retention; the report says how many were due and how many erased."""
    due = list(due_for_purge(now))
    report = {"due": len(due), "erased": 0}
    if dry_run:
        return report
    for client in due:
        erase_client(client, by=None, reason="retention")
        report["erased"] += 1
    return report
