"""Sending a reply: exactly once, with X called outside any transaction (as ``advocacy.shares.sending``).

The task may run twice, two workers may run it at once, X may time out after posting: one claim (a
conditional UPDATE in ``transitions.transition``) lets one caller through; ``send_started_at`` and
``reply.attempted`` (the full text, the post answered, the conversation, the inbound post's archive record)
are committed before the call; after an unknown outcome the next attempt first looks for the exact text
on the adviser's account and sends again only when it is not there. Once X holds the reply, ``reply.sent``,
the inbound interaction's ``answered_at`` (``relationships.answers.mark_answered``) and the supervision
entry are one transaction. Reasons are stored as their English source (``gettext_noop``) and shown in the
reader's language (``Reply.reason``).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from advocacy.networks import interface as net
from advocacy.networks.x.models import XAccount
from advocacy.networks.x.network import X as network
from advocacy.relationships.answers import mark_answered
from advocacy.replies import after_sending, policy
from advocacy.replies.models import Reply, ReplyStatus
from advocacy.replies.transitions import DUE_STATUSES, transition
from compliance.archive.services import record

logger = logging.getLogger(__name__)


def _load(reply_id: int) -> Reply | None:
    return Reply.objects.select_related("adviser", "adviser__x_account").filter(pk=reply_id).first()


def _due(reply: Reply | None, now: dt.datetime) -> bool:
    return (
        reply is not None
        and reply.status in DUE_STATUSES
        and (reply.next_attempt_at is None or reply.next_attempt_at <= now)
    )


def _due_now(now: dt.datetime) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def _refusal(reply: Reply) -> str | None:
    """The send-time re-check: the adviser still an adviser, the text still passing the rules as they are
    now (a pack may have changed since the reply was written)."""
    if not policy.may_reply(reply.adviser):
        return _("You no longer hold the adviser role: the reply was not sent.")
    report = policy.check_reply(reply.text, adviser=reply.adviser)
    if not report.ok:
        return _("The automatic checks now block this reply: %(message)s") % {
            "message": report.blocking[0].message
        }
    return None


def send_reply(*, reply_id: int) -> str | None:
    """Send one reply if it is due and nobody else is on it. Safe to call any number of times from any
    number of workers. Returns the resulting status, or None when there was nothing to do."""
    now = timezone.now()
    reply = _load(reply_id)
    if not _due(reply, now):
        return None
    if reply.send_started_at is not None:
        return _after_unknown_outcome(reply, now)
    refusal = _refusal(reply)
    if refusal is not None:
        token = _claim(reply, now)
        return None if token is None else fail(reply, token, refusal)
    try:
        account = _usable_account(reply)
    except (net.NotConnected, net.NetworkError) as exc:
        token = _claim(reply, now)
        return None if token is None else _account_trouble(reply, token, exc)
    token = uuid.uuid4().hex
    if not transition(
        reply,
        "start",
        where=_due_now(now) & Q(send_started_at__isnull=True),
        payload=_attempt_payload(reply, account, reply.attempts + 1),
        claim_token=token,
        claimed_at=now,
        send_started_at=timezone.now(),
        account_username=account.username,
        attempts=F("attempts") + 1,
    ):
        return None  # another worker claimed it between our read and our claim
    reply.attempts += 1
    return _send(reply, token, account)


def _claim(reply: Reply, now: dt.datetime) -> str | None:
    token = uuid.uuid4().hex
    if not transition(
        reply,
        "claim",
        where=_due_now(now),
        payload={"attempts": reply.attempts + 1},
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
    ):
        return None
    reply.claim_token, reply.attempts = token, reply.attempts + 1
    return token


def _attempt_payload(reply: Reply, account: XAccount, attempt: int) -> dict:
    return {
        "text": reply.text,
        "in_reply_to": reply.in_reply_to_post_id,
        "conversation_id": reply.conversation_id,
        "inbound_record": reply.inbound_record_id,
        "network": "x",
        "account": account.username,
        "attempt": attempt,
    }


def _usable_account(reply: Reply) -> XAccount:
    try:
        account = reply.adviser.x_account
    except XAccount.DoesNotExist:
        raise net.NotConnected(reply.adviser_id) from None
    return network.usable(account)


def _after_unknown_outcome(reply: Reply, now: dt.datetime) -> str | None:
    """A previous attempt may have posted it: look on the account first; send again only when absent."""
    token = _claim(reply, now)
    if token is None:
        return None
    try:
        account = network.usable(XAccount.objects.get(user_id=reply.adviser_id))
    except (XAccount.DoesNotExist, net.NotConnected, net.NetworkError) as exc:
        return _account_trouble(reply, token, exc)
    found = _look_for(reply, token, account)
    if found is not None:
        return found
    refusal = _refusal(reply)
    if refusal is not None:
        return fail(reply, token, refusal)
    with transaction.atomic():
        # Not a move (the reply stays ``sending`` under our claim): the new attempt is archived.
        if not Reply.objects.filter(pk=reply.pk, claim_token=token, status=ReplyStatus.SENDING).update(
            send_started_at=timezone.now(), account_username=account.username
        ):
            return None
        record(
            "reply.attempted",
            subject=reply,
            actor=None,
            payload={
                "reply": reply.pk,
                **_attempt_payload(reply, account, reply.attempts),
                "status": ReplyStatus.SENDING,
            },
        )
    return _send(reply, token, account)


def _look_for(reply: Reply, token: str, account: XAccount) -> str | None:
    since = reply.send_started_at - dt.timedelta(minutes=5)
    try:
        posts = network.recent_posts(account, since=since)
    except net.RateLimited as exc:
        return _retry(reply, token, exc.reset_at, "rate limited while checking", keep_sent=True)
    except net.Unauthorized:
        network.revoked(account, detail="X refused the access token when checking recent posts")
        return fail(reply, token, _("X no longer accepts the connection to your account: reconnect it."))
    except net.NetworkError as exc:
        return _still_unknown(reply, token, exc.message, timezone.now() + _backoff(reply.attempts))
    for post in posts:
        if post.text == reply.text:
            return _sent(reply, token, account, post.id, recovered=True)
    return None


def _send(reply: Reply, token: str, account: XAccount) -> str:
    """The irreversible call (no transaction open), then the outcome."""
    try:
        post_id = network.reply(account, reply.text, reply.in_reply_to_post_id)
    except net.RateLimited as exc:
        return _retry(reply, token, exc.reset_at, _("X's rate limit was reached; retrying after it resets."))
    except net.OutcomeUnknown as exc:
        at = timezone.now() + dt.timedelta(seconds=settings.X_UNKNOWN_RECHECK_SECONDS)
        return _still_unknown(reply, token, exc.message, at)
    except net.Unauthorized:
        network.revoked(account, detail="X refused the access token when replying")
        return fail(reply, token, _("X no longer accepts the connection to your account: reconnect it."))
    except net.Forbidden as exc:
        return fail(reply, token, _("X refused the reply: %(message)s") % {"message": exc.message})
    except net.NotFound:
        return fail(reply, token, _("The post you answered no longer exists on X."))
    except net.ServerError as exc:
        return _retry_or_fail(reply, token, exc.message)
    return _sent(reply, token, account, post_id)


def _sent(reply: Reply, token: str, account: XAccount, post_id: str, *, recovered: bool = False) -> str:
    """X holds the reply: record it first of all, with the answered interaction and the supervision entry
    in the same transaction."""
    now = timezone.now()
    try:
        url = network.post_url(account, post_id)
    except Exception:  # a live reply is recorded with or without its link
        logger.exception("reply %s: no URL for post %s", reply.pk, post_id)
        url = ""
    fields = {
        "network_post_id": post_id,
        "post_url": url,
        "sent_at": now,
        "last_error": "",
        "next_attempt_at": None,
        "account_username": account.username,
    }
    payload = {
        "text": reply.text,
        "in_reply_to": reply.in_reply_to_post_id,
        "conversation_id": reply.conversation_id,
        "inbound_record": reply.inbound_record_id,
        "network": "x",
        "account": account.username,
        "adviser": {
            "id": reply.adviser.pk,
            "name": reply.adviser.get_full_name() or reply.adviser.email,
            "email": reply.adviser.email,
        },
        "network_post_id": post_id,
        "url": url,
        "recovered_after_unknown_outcome": recovered,
    }
    with transaction.atomic():
        moved = transition(reply, "send", token=token, payload=payload, **fields)
        if not moved:
            logger.error("reply %s: sent as %s after its claim was lost", reply.pk, post_id)
            moved = transition(reply, "send_late", payload={**payload, "claim_lost": True}, **fields)
        if moved:
            if reply.interaction_id:
                mark_answered(reply.interaction_id, now)
            after_sending.reply_sent(reply)
    return ReplyStatus.SENT


def fail(reply: Reply, token: str, reason: str) -> str:
    transition(
        reply,
        "fail",
        token=token,
        payload={"reason": reason, "attempts": reply.attempts},
        last_error=reason[:500],
        next_attempt_at=None,
        send_started_at=None,
    )
    return ReplyStatus.FAILED


def _retry(reply: Reply, token: str, at: dt.datetime, reason: str, *, keep_sent: bool = False) -> str:
    fields = {"next_attempt_at": at, "last_error": reason[:500]}
    if not keep_sent:
        fields["send_started_at"] = None
    transition(
        reply,
        "retry",
        token=token,
        payload={"reason": reason, "next_attempt_at": at.isoformat(), "attempts": reply.attempts},
        **fields,
    )
    return ReplyStatus.QUEUED


def _backoff(attempts: int) -> dt.timedelta:
    base = settings.X_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=min(base, settings.X_RETRY_MAX_SECONDS) * random.uniform(0.5, 1.5))


def _retry_or_fail(reply: Reply, token: str, reason: str, *, keep_sent: bool = False) -> str:
    if reply.attempts >= settings.X_PUBLISH_MAX_ATTEMPTS:
        return fail(
            reply,
            token,
            _("X kept failing (%(reason)s); gave up after %(n)s attempts.")
            % {"reason": reason, "n": reply.attempts},
        )
    return _retry(reply, token, timezone.now() + _backoff(reply.attempts), reason, keep_sent=keep_sent)


def _still_unknown(reply: Reply, token: str, reason: str, at: dt.datetime) -> str:
    """Look again at ``at``; after ``X_UNKNOWN_MAX_ATTEMPTS`` unknown outcomes, stop: possibly sent."""
    payload = {"reason": reason, "attempts": reply.attempts}
    if reply.unknown_outcomes + 1 >= settings.X_UNKNOWN_MAX_ATTEMPTS:
        transition(
            reply, "unconfirmed", token=token, payload=payload, last_error=reason[:500], next_attempt_at=None
        )
        return ReplyStatus.UNCONFIRMED
    transition(
        reply,
        "unknown",
        token=token,
        payload=payload,
        next_attempt_at=at,
        last_error=reason[:500],
        unknown_outcomes=F("unknown_outcomes") + 1,
    )
    return ReplyStatus.OUTCOME_UNKNOWN


def _account_trouble(reply: Reply, token: str, exc) -> str:
    if isinstance(exc, XAccount.DoesNotExist | net.NotConnected):
        return fail(reply, token, _("Your X account is not connected."))
    if isinstance(exc, net.Unauthorized):
        return fail(reply, token, _("X no longer accepts the connection to your account: reconnect it."))
    if isinstance(exc, net.RateLimited):
        return _retry(reply, token, exc.reset_at, "rate limited (token refresh)", keep_sent=True)
    return _retry_or_fail(reply, token, exc.message or type(exc).__name__, keep_sent=True)


def recover_stale_claims(*, now: dt.datetime | None = None) -> int:
    """Replies left ``sending`` by a dead worker become ``outcome_unknown``: looked up, never resent."""
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.X_PUBLISH_CLAIM_STALE_SECONDS)
    moved = 0
    for reply in Reply.objects.filter(status=ReplyStatus.SENDING, claimed_at__lt=stale_before).only(
        "pk", "adviser_id", "status", "attempts", "in_reply_to_post_id"
    ):
        moved += transition(
            reply,
            "stale",
            where=Q(claimed_at__lt=stale_before),
            payload={"reason": "worker stopped during the call", "attempts": reply.attempts},
            next_attempt_at=now,
            last_error="worker stopped during the call",
            unknown_outcomes=F("unknown_outcomes") + 1,
        )
    return moved


def replies_due(*, limit: int = 1000, now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Reply.objects.filter(status__in=DUE_STATUSES)
        .filter(_due_now(now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
