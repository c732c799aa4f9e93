"""Sending a share: publish exactly once, with X called outside any transaction.

The state machine is ``transitions.TRANSITIONS``; each move is a conditional
``UPDATE ... WHERE status IN (...)`` so that two workers can never both make it. Publishing in one picture::

    scheduled ──claim──> publishing ──post ok──> published ──recall──> deleted
        ^   ^                 │ 429 / 5xx / refresh trouble: back to scheduled, next_attempt_at later
        │   └─────────────────┤ timeout after sending / unreadable 2xx: outcome_unknown
        │                     │ 401: failed (account disconnected) · 403: failed with X's message
        │                     │ re-check refuses: failed (adviser told) or cancelled (recalled/expired)
    outcome_unknown ──claim──> publishing (look for the exact text on the account FIRST; found = published)

A worker killed during the call leaves the share in ``publishing``; ``recover_stale_claims`` (beat) moves
such a share to ``outcome_unknown`` once its claim is older than ``X_PUBLISH_CLAIM_STALE_SECONDS``, so it
goes through the same look-before-retry path. ``send_started_at`` is written (and committed) just before
the call, so "might this share already be on X?" is a column, not a guess. The network call itself is never
inside a transaction: every write here is autocommit or a short ``atomic`` block.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.content.models import ItemStatus
from advocacy.networks import interface as net
from advocacy.networks.x.models import XAccount
from advocacy.networks.x.network import X as network
from advocacy.org.models import Role, StaffProfile, StaffRole
from advocacy.shares.models import Share, ShareStatus
from advocacy.shares.outcomes import (
    _due_now,
    _move,
    backoff,
    claim,
    fail,
    refuse,
    retry_later,
    retry_or_fail,
    still_unknown,
)
from advocacy.shares.policy import send_time_refusal, text_to_send
from advocacy.shares.transitions import TRANSITIONS, transition
from compliance.archive.services import record

logger = logging.getLogger(__name__)


LAST_OK_EVERY = dt.timedelta(seconds=60)  # XAccount.last_ok_at is refreshed at most this often


def _due(share: Share | None, now: dt.datetime) -> bool:
    """The claim's own condition, checked on a row just read (the claim UPDATE checks it again)."""
    return (
        share is not None
        and share.status in TRANSITIONS["claim"][0]
        and share.scheduled_for <= now
        and (share.next_attempt_at is None or share.next_attempt_at <= now)
    )


def _load(share_id: int) -> Share | None:
    """The share with everything the send-time re-check and the call need, in one query: whether the adviser
    still holds the adviser role included (``adviser_is_adviser``, read as ``roles_of`` would read it).

    A plain queryset: on PostgreSQL psycopg prepares its statement on each connection (settings,
    ``DB_PREPARED_STATEMENTS``), so PostgreSQL no longer plans the seven-table join on every send, and the
    ORM's compilation alone kept the publishing bench above its target (bench/README.md). No ORDER BY/LIMIT
    (a primary key matches one row)."""
    rows = list(
        Share.objects.select_related(
            "item", "version", "approved_text", "adviser", "adviser__x_account", "campaign"
        )
        .annotate(
            adviser_is_adviser=RawSQL(_adviser_role_sql(), (Role.ADVISER,), output_field=BooleanField())  # noqa: S611
        )
        .filter(pk=share_id)
        .order_by()
    )
    return rows[0] if rows else None


@functools.cache
def _adviser_role_sql() -> str:
    q = connection.ops.quote_name
    role, profile = StaffRole._meta, StaffProfile._meta
    return (
        f"EXISTS (SELECT 1 FROM {q(role.db_table)} r INNER JOIN {q(profile.db_table)} p "  # noqa: S608
        f"ON r.{q(role.get_field('profile').column)} = p.{q(profile.pk.column)} "
        f"WHERE p.{q(profile.get_field('user').column)} = {q(Share._meta.db_table)}."
        f"{q(Share._meta.get_field('adviser').column)} AND r.{q(role.get_field('role').column)} = %s)"
    )


def publish_share(*, share_id: int) -> str | None:
    """Publish one share if it is due and nobody else is on it. Safe to call any number of times, from any
    number of workers: only the caller whose claim UPDATE matches goes on. Returns the resulting status, or
    None when there was nothing to do.

    The usual case (never sent before) reads first, then claims the share, writes ``send_started_at`` and
    archives ``share.attempted`` in ONE short transaction, calls X with no transaction open, and marks it
    published (with the account's ``last_ok_at`` and ``share.published``) in a second one: two commits per
    share, and the archive's head row is locked only for the end of each. Anything unusual (a refusal, an
    account that cannot be used, a share that may already be on X) claims first and goes the careful way.
    """
    now = timezone.now()
    share = _load(share_id)
    if not _due(share, now):
        return None
    if share.send_started_at is not None:
        return publish_after_unknown_outcome(share_id, now)
    refusal = send_time_refusal(share, now)
    if refusal is not None:
        token = claim(share, now)
        return None if token is None else refuse(share, token, refusal)
    try:
        account = _usable_account(share)
    except (net.NotConnected, net.NetworkError) as exc:
        token = claim(share, now)
        return None if token is None else account_trouble(share, token, exc)
    token = _claim_and_start(share, account, now)
    if token is None:
        return None  # somebody else claimed it (or it changed) between our read and our claim
    return _send(share, token, account)


def publish_after_unknown_outcome(share_id: int, now: dt.datetime, *, force: bool = False) -> str | None:
    """A previous attempt may have posted it: look on the account before anything else (even a recall must
    know, so that the live post gets deleted); send again only when the text is not there."""
    share = _load(share_id)
    if share is None:
        return None
    token = claim(share, now, force=force)
    if token is None:
        return None
    account, status = account_for(share, token)
    if account is None:
        return status
    found = _look_for(share, token, account, share.sent_text)
    if found is not None:
        return found
    refusal = send_time_refusal(share, now)
    if refusal is not None:
        return refuse(share, token, refusal)
    sent_text = share.sent_text or text_to_send(share)
    started = timezone.now()
    with transaction.atomic():
        # Not a move (the share stays ``publishing`` under our claim): the new attempt is archived.
        if not Share.objects.filter(pk=share.pk, claim_token=token, status=ShareStatus.PUBLISHING).update(
            send_started_at=started,
            sent_text=sent_text,
            account_username=account.username,
            x_user_id=account.x_user_id,
        ):
            return None  # our claim was taken over while we looked
        share.send_started_at, share.sent_text = started, sent_text
        _record_attempt(share, account)
    return _send(share, token, account)


def _usable_account(share: Share) -> XAccount:
    """The adviser's connected account, read with the share (no query); refreshed by the network only when
    its access token is missing or near expiry. Raises what ``Network.usable`` raises."""
    try:
        account = share.adviser.x_account
    except XAccount.DoesNotExist:
        raise net.NotConnected(share.adviser_id) from None
    return network.usable(account)


def account_trouble(share: Share, token: str, exc: net.NotConnected | net.NetworkError) -> str:
    """The claimed share's outcome when its account cannot be used now (see ``account_for``)."""
    if isinstance(exc, XAccount.DoesNotExist | net.NotConnected):
        return fail(share, token, _("Your X account is not connected."))
    if isinstance(exc, net.Unauthorized):
        return fail(share, token, _("X no longer accepts the connection to your account: reconnect it."))
    if isinstance(exc, net.RateLimited):
        return retry_later(share, token, exc.reset_at, "rate limited (token refresh)", keep_sent=True)
    return retry_or_fail(share, token, exc.message or type(exc).__name__, keep_sent=True)


def _claim_and_start(share: Share, account: XAccount, now: dt.datetime) -> str | None:
    """Claim a never-sent share and mark it as being sent, archiving ``share.attempted``, in one
    transaction. None when the claim did not match (another worker, a cancellation, a new schedule)."""
    token = uuid.uuid4().hex
    sent_text = share.sent_text or text_to_send(share)
    started = timezone.now()
    claimed = transition(
        share,
        "start",
        where=_due_now(now) & Q(send_started_at__isnull=True),
        payload=_attempt_payload(share, account, sent_text, share.attempts + 1),
        claim_token=token,
        claimed_at=now,
        send_started_at=started,
        sent_text=sent_text,
        account_username=account.username,
        x_user_id=account.x_user_id,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    share.attempts += 1
    return token


def _attempt_payload(share: Share, account: XAccount, sent_text: str, attempt: int) -> dict:
    return {
        "fingerprint": share.fingerprint,
        "text": sent_text,
        "network": "x",
        "account": account.username,
        "attempt": attempt,
    }


def _record_attempt(share: Share, account: XAccount) -> None:
    """A new attempt under a claim already held (after looking for an unknown outcome): not a move."""
    record(
        "share.attempted",
        subject=share,
        actor=None,
        payload={
            "item": share.item_id,
            "version_id": share.version_id,
            **_attempt_payload(share, account, share.sent_text, share.attempts),
            "status": ShareStatus.PUBLISHING,
        },
    )


def _send(share: Share, token: str, account: XAccount) -> str:
    """The irreversible call (no transaction is open), then the outcome."""
    sent_text = share.sent_text
    try:
        post_id = network.publish(account, sent_text)
    except net.RateLimited as exc:
        return retry_later(
            share, token, exc.reset_at, _("X's rate limit was reached; retrying after it resets.")
        )
    except net.OutcomeUnknown as exc:
        return still_unknown(
            share,
            token,
            exc.message,
            timezone.now() + dt.timedelta(seconds=settings.X_UNKNOWN_RECHECK_SECONDS),
            account=account,
        )
    except net.Unauthorized:
        network.revoked(account, detail="X refused the access token when publishing")
        return fail(share, token, _("X no longer accepts the connection to your account: reconnect it."))
    except net.Forbidden as exc:
        return fail(share, token, _("X refused the post: %(message)s") % {"message": exc.message})
    except net.ServerError as exc:
        return retry_or_fail(share, token, exc.message)
    return _published(share, token, account, post_id, call_succeeded=True)


def account_for(share: Share, token: str) -> tuple[XAccount | None, str | None]:
    """The adviser's account with a fresh token, or (None, resulting status) when it cannot be used now."""
    try:
        return network.usable(XAccount.objects.get(user_id=share.adviser_id)), None
    except (XAccount.DoesNotExist, net.NotConnected, net.NetworkError) as exc:
        return None, account_trouble(share, token, exc)


def _look_for(share: Share, token: str, account: XAccount, sent_text: str) -> str | None:
    """After an unknown outcome: is the exact text on the account? Published if so; None to send again."""
    since = share.send_started_at - dt.timedelta(minutes=5)
    try:
        posts = network.recent_posts(account, since=since)
    except net.RateLimited as exc:
        return retry_later(share, token, exc.reset_at, "rate limited while checking", keep_sent=True)
    except net.Unauthorized:
        network.revoked(account, detail="X refused the access token when checking recent posts")
        return fail(share, token, _("X no longer accepts the connection to your account: reconnect it."))
    except net.NetworkError as exc:
        return still_unknown(
            share, token, exc.message, timezone.now() + backoff(share.attempts), account=account
        )
    for post in posts:
        if post.text == sent_text:
            return _published(share, token, account, post.id, recovered=True)
    return None


def _published(
    share: Share,
    token: str,
    account: XAccount,
    post_id: str,
    *,
    recovered=False,
    call_succeeded=False,
) -> str:
    """Record that X holds the post: first of all, before anything that could fail.

    The move and ``share.published`` are one transaction (one commit; the archive head is locked last). If
    our claim was taken over meanwhile (we were presumed dead), the post is live all the same: the
    ``publish_late`` move records it from whatever status the share reached, once. Only then come the
    extras (the account's ``last_ok_at``, at most once a minute per account; a recall's deletion request),
    whose failure is logged and never turns a live post into an unknown one."""
    now = timezone.now()
    try:
        url = network.post_url(account, post_id)
    except Exception:  # a live post is recorded with or without its link
        logger.exception("share %s: no URL could be built for post %s", share.pk, post_id)
        url = ""
    fields = {
        "network_post_id": post_id,
        "post_url": url,
        "published_at": now,
        "last_error": "",
        "next_attempt_at": None,
        "account_username": account.username,
        "x_user_id": account.x_user_id,
    }
    payload = {
        "text": share.sent_text,
        "fingerprint": share.fingerprint,
        "network": "x",
        "account": account.username,
        "adviser": person(share.adviser),
        "network_post_id": post_id,
        "url": url,
        "recovered_after_unknown_outcome": recovered,
    }
    if not _move(share, token, "publish", payload=payload, **fields):
        logger.error("share %s: published as %s after its claim was lost", share.pk, post_id)
        transition(share, "publish_late", payload={**payload, "claim_lost": True}, **fields)
    try:
        if call_succeeded and (account.last_ok_at is None or account.last_ok_at < now - LAST_OK_EVERY):
            network.call_succeeded(account)
        if share.item.status == ItemStatus.RECALLED:  # recalled while it was being sent: delete it too
            Share.objects.filter(
                pk=share.pk, status=ShareStatus.PUBLISHED, delete_requested_at__isnull=True
            ).update(delete_requested_at=now, delete_not_before=now)
    except Exception:  # the post is recorded; what follows is housekeeping
        logger.exception("share %s: published as %s; follow-up work failed", share.pk, post_id)
    return ShareStatus.PUBLISHED


def person(user) -> dict:
    """Who an adviser was at the time of the record: an archive record must read alone, years later."""
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


def recover_stale_claims(*, now: dt.datetime | None = None) -> int:
    """Shares left in ``publishing`` by a dead worker become ``outcome_unknown``: looked up, never resent."""
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.X_PUBLISH_CLAIM_STALE_SECONDS)
    reason = "worker stopped during the call"
    moved = 0
    stale = Share.objects.filter(status=ShareStatus.PUBLISHING, claimed_at__lt=stale_before).select_related(
        "item"
    )
    for share in stale.only(  # the item's title: the archive record's subject label, no query per share
        "pk", "item_id", "version_id", "adviser_id", "status", "attempts", "account_username", "item__title"
    ):
        moved += transition(
            share,
            "stale",
            where=Q(claimed_at__lt=stale_before),
            payload={"reason": reason, "network": "x", "attempts": share.attempts},
            next_attempt_at=now,
            last_error=reason,
            unknown_outcomes=F("unknown_outcomes") + 1,
        )
    return moved
