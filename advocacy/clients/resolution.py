"""Turning consented handles into X user ids, a hundred usernames per call, with the adviser's own account.

X identifies people by user id; interactions arrive with ids, so a client is linked once their handle
resolves. The lookup uses the adviser's connected ``XAccount`` (their token, their budget line); an adviser
without one leaves their clients pending. A handle X does not know becomes ``unknown`` (the adviser sees it
as unresolved); a failed call marks the batch ``error`` and a later run tries again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from advocacy.clients.models import Client, HandleStatus
from advocacy.networks.interface import NetworkError
from advocacy.networks.x.models import XAccount

log = logging.getLogger(__name__)

BATCH = 100  # X's limit for GET /2/users/by


def _due(now: dt.datetime):
    stale = now - dt.timedelta(days=settings.CLIENT_HANDLE_RERESOLVE_DAYS)
    return Client.objects.filter(
        Q(handle_status__in=[HandleStatus.PENDING, HandleStatus.ERROR])
        | Q(handle_status=HandleStatus.RESOLVED, handle_resolved_at__lt=stale),
        current_consent__given=True,
        current_consent__withdrawn_at__isnull=True,
    ).exclude(x_handle="")


def resolve_pending(limit: int = 1000) -> dict[str, int]:
    """Resolve up to ``limit`` due clients; returns counts by outcome."""
    from advocacy.networks.x.network import X

    now = timezone.now()
    counts = {"resolved": 0, "unknown": 0, "error": 0, "no_account": 0}
    due = list(_due(now).order_by("adviser_id", "pk").values_list("pk", "adviser_id", "x_handle")[:limit])
    by_adviser: dict[int, list[tuple[int, str]]] = {}
    for pk, adviser_id, handle in due:
        by_adviser.setdefault(adviser_id, []).append((pk, handle))
    accounts = {
        a.user_id: a
        for a in XAccount.objects.filter(user_id__in=by_adviser, status=XAccount.Status.CONNECTED)
    }
    for adviser_id, rows in by_adviser.items():
        account = accounts.get(adviser_id)
        if account is None:
            counts["no_account"] += len(rows)
            continue
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            try:
                found = X.users_by_usernames(account, sorted({h.lower() for _pk, h in batch}))
            except NetworkError as exc:
                log.warning("Handle lookup failed for adviser %s: %s", adviser_id, type(exc).__name__)
                Client.objects.filter(pk__in=[pk for pk, _h in batch]).update(
                    handle_status=HandleStatus.ERROR
                )
                counts["error"] += len(batch)
                continue
            _apply(batch, found, timezone.now(), counts)
    return counts


def _apply(batch, found, now, counts) -> None:
    with transaction.atomic():
        for pk, handle in batch:
            person = found.get(handle.lower())
            # Only a client whose handle is still the one looked up (no withdrawal or edit meanwhile).
            still = Client.objects.filter(pk=pk, x_handle=handle, current_consent__withdrawn_at__isnull=True)
            if person is None:
                still.update(handle_status=HandleStatus.UNKNOWN, x_user_id="", handle_resolved_at=now)
                counts["unknown"] += 1
            else:
                still.update(handle_status=HandleStatus.RESOLVED, x_user_id=person.id, handle_resolved_at=now)
                counts["resolved"] += 1
