"""The share state machine: every move of a share's status goes through ``transition`` (or, for a batch,
``transition_many``), and nothing else writes ``Share.status``.

Why one door: when some moves went through the table and others were hard-coded, one path (a post that
went live after its claim had been taken over) forgot to archive, and a post was live on X with no
``share.published`` record. Here each move is one conditional ``UPDATE … WHERE status IN (…)``; it returns
whether *this* caller made the move, and only then appends the move's archive event, in the same
transaction. Two workers can never both make a move, and a move that did not happen is never archived.

``TRANSITIONS`` lists exactly the moves the code makes (a test checks that every action is used and that no
other code writes a share's status). ``EVENT_STATUS`` says which status each archive event leaves a share
in: replaying a share's events from ``scheduled`` (its status at creation) gives its current status, which
``manage.py verify_shares`` checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.utils import timezone

from advocacy.shares.models import Share, ShareStatus
from compliance.archive.services import Event, record, record_many

# action -> (statuses it may start from, status it leads to, archive event type)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    # A never-sent share is claimed and marked as being sent in one move (send_started_at written).
    "start": (
        frozenset({ShareStatus.SCHEDULED, ShareStatus.OUTCOME_UNKNOWN}),
        ShareStatus.PUBLISHING,
        "share.attempted",
    ),
    # Claimed without sending yet: to refuse it at send time, or to look on the account first.
    "claim": (
        frozenset({ShareStatus.SCHEDULED, ShareStatus.OUTCOME_UNKNOWN}),
        ShareStatus.PUBLISHING,
        "share.claimed",
    ),
    "publish": (frozenset({ShareStatus.PUBLISHING}), ShareStatus.PUBLISHED, "share.published"),
    # The post went live after our claim was taken over (we were presumed dead): the truth is recorded
    # whatever the share's status has become meanwhile, once (only from a status that is not published).
    "publish_late": (
        frozenset(
            {
                ShareStatus.PUBLISHING,
                ShareStatus.OUTCOME_UNKNOWN,
                ShareStatus.UNCONFIRMED,
                ShareStatus.SCHEDULED,
                ShareStatus.FAILED,
                ShareStatus.CANCELLED,
            }
        ),
        ShareStatus.PUBLISHED,
        "share.published",
    ),
    "retry": (frozenset({ShareStatus.PUBLISHING}), ShareStatus.SCHEDULED, "share.retry_scheduled"),
    "unknown": (frozenset({ShareStatus.PUBLISHING}), ShareStatus.OUTCOME_UNKNOWN, "share.outcome_unknown"),
    # Outcome still unknown after X_UNKNOWN_MAX_ATTEMPTS: escalated to compliance, no more automatic looks.
    "unconfirmed": (frozenset({ShareStatus.PUBLISHING}), ShareStatus.UNCONFIRMED, "share.unconfirmed"),
    # A worker died during the call (its claim is stale): looked up later, never resent blindly.
    "stale": (frozenset({ShareStatus.PUBLISHING}), ShareStatus.OUTCOME_UNKNOWN, "share.outcome_unknown"),
    "fail": (frozenset({ShareStatus.PUBLISHING}), ShareStatus.FAILED, "share.failed"),
    "cancel": (
        frozenset({ShareStatus.SCHEDULED}),
        ShareStatus.CANCELLED,
        "share.cancelled",
    ),  # unknown outcome: look first
    "cancel_claimed": (frozenset({ShareStatus.PUBLISHING}), ShareStatus.CANCELLED, "share.cancelled"),
    "delete": (frozenset({ShareStatus.PUBLISHED}), ShareStatus.DELETED, "share.deleted"),
}

# A failed or cancelled share may be scheduled again: as a NEW share (its history stays as it was).
RESCHEDULABLE = frozenset({ShareStatus.FAILED, ShareStatus.CANCELLED})

# The status each archive event leaves a share in (events absent here do not move it).
EVENT_STATUS: dict[str, str] = {"share.scheduled": ShareStatus.SCHEDULED} | {
    event: to for _from, to, event in TRANSITIONS.values()
}


# --- What the table allows, for the pages: a button shows exactly when the service would make the move. ---
def can_cancel(share: Share) -> bool:
    """The adviser may cancel: the share is in a status the "cancel" move starts from."""
    return share.status in TRANSITIONS["cancel"][0]


def can_reschedule(share: Share) -> bool:
    """A failed or cancelled share may be scheduled again (as a new share, ``reschedule_share``)."""
    return share.status in RESCHEDULABLE


def retry_pending(share: Share) -> bool:
    """An attempt failed and the "retry" move put the share back to wait: its last error is worth showing."""
    return bool(share.last_error) and share.status == TRANSITIONS["retry"][1]


def deleted_from_x(share: Share) -> bool:
    """Published, then deleted (after a recall): the status the "delete" move leads to."""
    return share.status == TRANSITIONS["delete"][1]


def is_sending(share: Share, now: dt.datetime | None = None) -> bool:
    """Due and handed to a worker, or being sent: what the adviser reads is "sending", not "scheduled" (a
    share made with "share now" is scheduled for now until a worker claims it)."""
    if share.status == TRANSITIONS["start"][1]:
        return True
    now = now or timezone.now()
    waiting_to_retry = share.next_attempt_at is not None and share.next_attempt_at > now
    return share.status == ShareStatus.SCHEDULED and share.scheduled_for <= now and not waiting_to_retry


def transition(
    share: Share,
    action: str,
    *,
    token: str | None = None,
    where: Q | None = None,
    actor=None,
    payload: dict | None = None,
    **fields,
) -> bool:
    """Move ``share`` by ``action`` if it is in one of the action's starting statuses (and holds ``token``,
    and matches ``where``, when given). Returns True when this call made the move; the archive event
    (``payload`` plus ``item``, ``version_id`` and the new ``status``) is then appended in the same
    transaction. Safe to call from any number of workers: at most one wins.

    ``fields`` are written with the status; plain values are also set on ``share`` (expressions such as
    ``F("attempts") + 1`` are the caller's to mirror)."""
    allowed_from, to, event = TRANSITIONS[action]
    with transaction.atomic():
        rows = Share.objects.filter(pk=share.pk, status__in=allowed_from)
        if token is not None:
            rows = rows.filter(claim_token=token)
        if where is not None:
            rows = rows.filter(where)
        if not rows.update(status=to, **fields):
            return False
        share.status = to
        for name, value in fields.items():
            if not isinstance(value, Combinable):
                setattr(share, name, value)
        record(event, subject=share, actor=actor, payload=_payload(share, to, payload))
    return True


def transition_many(
    share_ids: Iterable[int], action: str, *, actor=None, payload: dict | None = None, **fields
) -> list[int]:
    """``transition`` for a batch (campaign cancellation): the shares still in a starting status are locked,
    moved in one UPDATE and archived one event each in one append. Returns the ids moved. Call it inside
    the caller's transaction (the lock holds until it ends)."""
    allowed_from, to, event = TRANSITIONS[action]
    with transaction.atomic():
        shares = list(
            Share.objects.select_for_update(of=("self",))
            .filter(pk__in=list(share_ids), status__in=allowed_from)
            .select_related("item")
            .only("pk", "item_id", "version_id", "adviser_id", "account_username", "item__title")
            .order_by("pk")
        )
        if not shares:
            return []
        Share.objects.filter(pk__in=[s.pk for s in shares], status__in=allowed_from).update(
            status=to, **fields
        )
        record_many([Event(event, share, actor, _payload(share, to, payload)) for share in shares])
    return [share.pk for share in shares]


def _payload(share: Share, status: str, extra: dict | None) -> dict:
    return {"item": share.item_id, "version_id": share.version_id, **(extra or {}), "status": status}


def replayed_status(event_types: Iterable[str]) -> str:
    """The status a share's archived events (in seq order) leave it in, from ``scheduled`` at creation."""
    status = ShareStatus.SCHEDULED
    for event_type in event_types:
        status = EVENT_STATUS.get(event_type, status)
    return status
