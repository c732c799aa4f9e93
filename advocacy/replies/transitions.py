"""The reply state machine: every move of ``Reply.status`` goes through ``transition``, nothing else.

As for shares (``advocacy.shares.transitions``, whose lesson this repeats): each move is one conditional
``UPDATE … WHERE status IN (…)`` that returns whether *this* caller made it, and only then appends the
move's archive event, in the same transaction. Two workers never both make a move, and a move that did not
happen is never archived. A reply is created ``queued`` (archived as ``reply.queued`` by
``services.queue_reply``)::

    queued ──start──> sending ──X answered──> sent
      ^  ^              │ 429 / 5xx / refresh trouble: retry (back to queued, later)
      │  └──────────────┤ timeout after sending / unreadable 2xx: unknown
      │                 │ 401, 403, the re-check refuses: fail
    outcome_unknown ──claim──> sending (look for the exact text on the account FIRST; found = sent)
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.db.models.expressions import Combinable

from advocacy.replies.models import Reply, ReplyStatus
from compliance.archive.services import record

S = ReplyStatus
# action -> (statuses it may start from, status it leads to, archive event type)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    # Never sent before: claimed and marked as being sent in one move (send_started_at written).
    "start": (frozenset({S.QUEUED}), S.SENDING, "reply.attempted"),
    # Claimed without sending: to look on the account after an unknown outcome, or to refuse at send time.
    "claim": (frozenset({S.QUEUED, S.OUTCOME_UNKNOWN}), S.SENDING, "reply.claimed"),
    "send": (frozenset({S.SENDING}), S.SENT, "reply.sent"),
    # X holds the reply although our claim was taken over (we were presumed dead): recorded once, whatever
    # status the reply reached meanwhile.
    "send_late": (
        frozenset({S.SENDING, S.QUEUED, S.OUTCOME_UNKNOWN, S.UNCONFIRMED, S.FAILED}),
        S.SENT,
        "reply.sent",
    ),
    "retry": (frozenset({S.SENDING}), S.QUEUED, "reply.retry_scheduled"),
    "unknown": (frozenset({S.SENDING}), S.OUTCOME_UNKNOWN, "reply.outcome_unknown"),
    # A worker died during the call (its claim is stale): looked up later, never resent blindly.
    "stale": (frozenset({S.SENDING}), S.OUTCOME_UNKNOWN, "reply.outcome_unknown"),
    "unconfirmed": (frozenset({S.SENDING}), S.UNCONFIRMED, "reply.unconfirmed"),
    "fail": (frozenset({S.SENDING}), S.FAILED, "reply.failed"),
}

# The status each archive event leaves a reply in (replaying a reply's events gives its status).
EVENT_STATUS: dict[str, str] = {"reply.queued": S.QUEUED} | {
    event: to for _from, to, event in TRANSITIONS.values()
}
DUE_STATUSES = (S.QUEUED, S.OUTCOME_UNKNOWN)


def is_waiting(reply: Reply) -> bool:
    """Not settled yet (queued, being sent, being looked up): the adviser's page says it is on its way."""
    return reply.status in DUE_STATUSES or reply.status == TRANSITIONS["start"][1]


def was_sent(reply: Reply) -> bool:
    return reply.status == TRANSITIONS["send"][1]


def transition(
    reply: Reply,
    action: str,
    *,
    token: str | None = None,
    where: Q | None = None,
    payload: dict | None = None,
    **fields,
) -> bool:
    """Move ``reply`` by ``action`` if it is in one of the action's starting statuses (and holds ``token``
    and matches ``where`` when given). True when this call made the move; its archive event (``payload``
    plus ``reply`` and the new ``status``, subject the reply) is then appended in the same transaction.
    Safe from any number of workers: at most one wins. Plain values in ``fields`` are mirrored on
    ``reply``."""
    allowed_from, to, event = TRANSITIONS[action]
    with transaction.atomic():
        rows = Reply.objects.filter(pk=reply.pk, status__in=allowed_from)
        if token is not None:
            rows = rows.filter(claim_token=token)
        if where is not None:
            rows = rows.filter(where)
        if not rows.update(status=to, **fields):
            return False
        reply.status = to
        for name, value in fields.items():
            if not isinstance(value, Combinable):
                setattr(reply, name, value)
        record(event, subject=reply, actor=None, payload={"reply": reply.pk, **(payload or {}), "status": to})
    return True


def replayed_status(event_types) -> str:
    status = S.QUEUED
    for event_type in event_types:
        status = EVENT_STATUS.get(event_type, status)
    return status
