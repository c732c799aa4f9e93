"""The moves a worker holding a share's claim can make: fail, cancel, retry later, still unknown.

Each is one ``transitions.transition`` (a conditional UPDATE on the claim token, archived in the same
transaction); the sending path (``sending``) and the recall path pick among them.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.networks.x.models import XAccount
from advocacy.shares.models import Share, ShareStatus
from advocacy.shares.notices import tell_adviser_failed, tell_adviser_unconfirmed
from advocacy.shares.transitions import transition


# --- publishing -----------------------------------------------------------------------------------
def _due_now(now: dt.datetime) -> Q:
    """The claim's condition besides the status: due, and past any retry wait."""
    return Q(scheduled_for__lte=now) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def claim(share: Share, now: dt.datetime, *, force: bool = False) -> str | None:
    """Claim ``share`` without sending (to refuse it, or to look on the account first). ``force``: ignore
    the retry wait (a recall must know now whether an unknown-outcome post is live)."""
    token = uuid.uuid4().hex
    claimed = transition(
        share,
        "claim",
        where=None if force else _due_now(now),
        payload={"attempts": share.attempts + 1},
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    share.claim_token, share.attempts = token, share.attempts + 1
    return token


def _move(share: Share, token: str, action: str, *, payload: dict | None = None, **fields) -> bool:
    """Apply ``action`` to a share we hold the claim of (``transitions.transition``)."""
    return transition(share, action, token=token, payload=payload, **fields)


def fail(share: Share, token: str, reason: str, *, tell: bool = True) -> str:
    with transaction.atomic():
        if (
            _move(
                share,
                token,
                "fail",
                payload={"reason": reason, "attempts": share.attempts, "network": "x"},
                last_error=reason[:500],
                next_attempt_at=None,
                send_started_at=None,
            )
            and tell
        ):
            transaction.on_commit(functools.partial(tell_adviser_failed, share.pk))
    return ShareStatus.FAILED


def cancel_claimed(share: Share, token: str, reason: str) -> str:
    _move(
        share,
        token,
        "cancel_claimed",
        payload={"reason": reason},
        last_error=reason[:500],
        next_attempt_at=None,
    )
    return ShareStatus.CANCELLED


def retry_later(share: Share, token: str, at: dt.datetime, reason: str, *, keep_sent: bool = False) -> str:
    fields = {"next_attempt_at": at, "last_error": reason[:500]}
    if not keep_sent:
        fields["send_started_at"] = None
    _move(
        share,
        token,
        "retry",
        payload={"reason": reason, "next_attempt_at": at.isoformat(), "attempts": share.attempts},
        **fields,
    )
    return ShareStatus.SCHEDULED


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff with jitter, bounded: base x 2^(n-1), capped, times a random 0.5-1.5."""
    base = settings.X_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=min(base, settings.X_RETRY_MAX_SECONDS) * random.uniform(0.5, 1.5))


def refuse(share: Share, token: str, refusal: tuple[str, str]) -> str:
    action, reason = refusal
    if action == "cancel":
        return cancel_claimed(share, token, reason)
    if action == "retry":
        return retry_later(share, token, share.item.valid_from, reason)
    return fail(share, token, reason)


def retry_or_fail(share: Share, token: str, reason: str, *, keep_sent: bool = False) -> str:
    if share.attempts >= settings.X_PUBLISH_MAX_ATTEMPTS:
        return fail(
            share,
            token,
            _("X kept failing (%(reason)s); gave up after %(n)s attempts.")
            % {"reason": reason, "n": share.attempts},
        )
    return retry_later(share, token, timezone.now() + backoff(share.attempts), reason, keep_sent=keep_sent)


def still_unknown(share: Share, token: str, reason: str, at: dt.datetime, *, account: XAccount) -> str:
    """The outcome is (still) unknown: look again at ``at``, or, after ``X_UNKNOWN_MAX_ATTEMPTS``, escalate
    to compliance as "possibly live, not confirmed" and tell the adviser (no more automatic looks)."""
    payload = {"reason": reason, "network": "x", "account": account.username, "attempts": share.attempts}
    if share.unknown_outcomes + 1 >= settings.X_UNKNOWN_MAX_ATTEMPTS:
        with transaction.atomic():
            if _move(
                share, token, "unconfirmed", payload=payload, last_error=reason[:500], next_attempt_at=None
            ):
                transaction.on_commit(functools.partial(tell_adviser_unconfirmed, share.pk))
        return ShareStatus.UNCONFIRMED
    _move(
        share,
        token,
        "unknown",
        payload=payload,
        next_attempt_at=at,
        last_error=reason[:500],
        unknown_outcomes=F("unknown_outcomes") + 1,
    )
    return ShareStatus.OUTCOME_UNKNOWN
