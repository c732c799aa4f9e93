"""Keeping each account's follower sketch in step with the inbound capture's follower snapshots.

The capture (``relationships.polling.poll_followers``) reads an account's followers whole at most once a UTC
day and keeps their ids (``Follower``); this module reads those rows, never X. A sketch is (re)built when
its account has a complete reading newer than the one it was built from, or when it was built by another
backend or under another hash key. Safe to run twice: the second run finds nothing due.

Erasure: a HyperLogLog cannot remove one follower, so when a client is erased the follower rows of the
accounts they followed go (``relationships.erasure``) and those accounts' sketches are rebuilt from the rows
that remain (``followers_erased``: a task queued when the erasure commits). The sketches are also marked
due in the erasure's transaction, so that if the task is lost (the broker down) beat's next
``refresh_sketches`` rebuilds them (every 30 minutes).
"""

from __future__ import annotations

import logging

from django.db import transaction
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


def rebuild_sketches_of(account_ids: list[int]) -> int:
    """Rebuild these accounts' sketches (those that have one) from their follower rows as they stand, for
    the reading each was built from; returns how many were rebuilt."""
    done = 0
    for account_id, read_at in FollowerSketch.objects.filter(account_id__in=account_ids).values_list(
        "account_id", "read_at"
    ):
        refresh_sketch(account_id, read_at)
        done += 1
    if done:
        logger.info("audience: %d follower sketches rebuilt after an erasure", done)
    return done


def followers_erased(account_ids: list[int]) -> None:
    """The relationships eraser's hook (registered at ``ready()``), called inside the erasure's
    transaction: the sketches are marked due (an empty hash-key fingerprint, as a sketch under another key
    is: ``accounts_due``), then rebuilt by a task once the erasure commits."""
    FollowerSketch.objects.filter(account_id__in=account_ids).update(key_fingerprint="")
    ids = sorted(account_ids)

    def queue() -> None:
        from advocacy.audience.tasks import rebuild_sketches_of as task

        try:
            task.delay(ids)
        except Exception:  # the broker is down: the sketches are due, beat's refresh rebuilds them
            logger.exception("Could not queue the rebuild of %d sketches after an erasure", len(ids))

    transaction.on_commit(queue)
