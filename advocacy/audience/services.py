"""Keeping each account's follower sketch in step with the inbound capture's follower snapshots.

The capture (``relationships.polling.poll_followers``) reads an account's followers whole at most once a UTC
day and keeps their ids (``Follower``); this module reads those rows, never X. A sketch is (re)built when
its account has a complete reading newer than the one it was built from, or when it was built by another
backend or under another hash key. Safe to run twice: the second run finds nothing due.
"""

from __future__ import annotations

import logging

from django.db.models import F, Q

from advocacy.audience import sketches
from advocacy.audience.hashing import key_fingerprint
from advocacy.audience.models import FollowerSketch
from advocacy.networks.x.models import XAccount
from advocacy.relationships.models import Follower

logger = logging.getLogger(__name__)


def accounts_due(*, limit: int | None = None):
    """X accounts with a complete follower reading that their sketch does not reflect yet."""
    due = XAccount.objects.filter(capture_cursor__followers_complete_at__isnull=False).filter(
        Q(audience_sketch__isnull=True)
        | Q(audience_sketch__read_at__lt=F("capture_cursor__followers_complete_at"))
        | ~Q(audience_sketch__backend=sketches.backend_name())
        | ~Q(audience_sketch__key_fingerprint=key_fingerprint())
    )
    due = due.order_by("pk").values_list("pk", "capture_cursor__followers_complete_at")
    return list(due[:limit] if limit else due)


def refresh_sketch(account_id: int, read_at) -> FollowerSketch:
    """Build one account's sketch from its follower rows, as they stand now."""
    ids = Follower.objects.filter(account_id=account_id).values_list("x_user_id", flat=True)
    count = 0

    def counted():
        nonlocal count
        for x_user_id in ids.iterator(chunk_size=5_000):
            count += 1
            yield x_user_id

    blob = sketches.build(account_id, counted())
    sketch, _ = FollowerSketch.objects.update_or_create(
        account_id=account_id,
        defaults={
            "followers": count,
            "read_at": read_at,
            "sketch": blob,
            "backend": sketches.backend_name(),
            "key_fingerprint": key_fingerprint(),
        },
    )
    return sketch


def refresh_sketches(*, limit: int | None = 500) -> int:
    """Rebuild every sketch that is due (at most ``limit`` per run); returns how many were rebuilt."""
    done = 0
    for account_id, read_at in accounts_due(limit=limit):
        refresh_sketch(account_id, read_at)
        done += 1
    if done:
        logger.info("audience: %d follower sketches rebuilt", done)
    return done
