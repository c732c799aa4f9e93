"""Shares: schedule, publish exactly once, cancel, reschedule, and delete on recall.

The state machine is ``TRANSITIONS`` below; each move is a conditional ``UPDATE ... WHERE status IN (...)``
so that two workers can never both make it. Publishing in one picture::

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
import random
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.content import texts
from advocacy.content.models import ContentItem, ItemStatus, Origin, VersionStatus
from advocacy.org.models import Role, StaffProfile, StaffRole
from advocacy.org.selectors import roles_of
from advocacy.publishing import xclient
from advocacy.publishing.compiled import CompiledQuery
from advocacy.publishing.connections import NotConnected, fresh_account, mark_revoked, note_call_succeeded
from advocacy.publishing.models import Campaign, Share, ShareStatus, XAccount
from advocacy.publishing.transitions import RESCHEDULABLE, TRANSITIONS, transition
from compliance.archive.services import record

logger = logging.getLogger(__name__)
S = ShareStatus


LAST_OK_EVERY = dt.timedelta(seconds=60)  # XAccount.last_ok_at is refreshed at most this often


class ShareRefused(Exception):
    """A share that cannot be scheduled; ``str(exc)`` is a translated sentence for the adviser."""


# --- what an adviser may share --------------------------------------------------------------------
def can_share(user, item: ContentItem) -> bool:
    """May ``user`` share ``item`` now: an active adviser in the item's audience, item approved and valid."""
    if not user.is_active or Role.ADVISER not in roles_of(user):
        return False
    if item.status != ItemStatus.APPROVED or item.current_version_id is None:
        return False
    if item.origin == Origin.ADVISER_DRAFT:
        return item.author_id == user.pk
    from advocacy.content.selectors import library_feed_for

    return library_feed_for(user).filter(pk=item.pk).exists()


def tracked_url(code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('link_follow', args=[code])}"


def text_to_send(share: Share) -> str:
    """The approved text with its destination link swapped for the share's tracked link."""
    link = share.version.link_url
    if not link:
        return share.text
    return texts.with_tracked_link(share.text, link_url=link, tracked_url=tracked_url(share.link_code))


@dataclass(frozen=True)
class SharePreview:
    approved_text_id: int
    text: str  # exactly what will be posted (tracked link included)
    length: int
    limit: int
    tracked: bool = False  # the item has a destination link, replaced by the adviser's tracked link

    @property
    def over(self) -> bool:
        return self.length > self.limit


def preview_share(*, adviser, item: ContentItem) -> SharePreview | None:
    """What ``adviser`` would post for ``item``: their variant, disclosure, label and a tracked link."""
    from advocacy.content.selectors import text_for_adviser

    approved = text_for_adviser(item.current_version, adviser)
    if approved is None:
        return None
    version = item.current_version
    text = approved.text
    if version.link_url:
        text = texts.with_tracked_link(text, link_url=version.link_url, tracked_url=tracked_url("x" * 11))
    return SharePreview(approved.pk, text, texts.weighted_length(text), 280, tracked=bool(version.link_url))


# --- schedule / cancel / reschedule ---------------------------------------------------------------
def _check_when(item: ContentItem, when: dt.datetime, now: dt.datetime) -> None:
    if when < now - dt.timedelta(minutes=1):
        raise ShareRefused(_("This time is in the past: choose a later time."))
    if item.expires_at is not None and when >= item.expires_at:
        raise ShareRefused(
            _("This content expires on %(date)s: choose a time before then.")
            % {"date": timezone.localtime(item.expires_at).strftime("%d/%m/%Y %H:%M")}
        )
    if item.valid_from is not None and when < item.valid_from:
        raise ShareRefused(
            _("This content may not be published before %(date)s: choose a later time.")
            % {"date": timezone.localtime(item.valid_from).strftime("%d/%m/%Y %H:%M")}
        )


def schedule_share(
    *, adviser, item: ContentItem, when: dt.datetime | None, actor, campaign=None, approved_text=None
) -> Share:
    """Schedule ``item`` on the adviser's X account at ``when`` (now when None). Refuses with a reason.

    The text is chosen now (``text_for_adviser``) and stored: the adviser sees exactly what will be posted,
    and the send-time re-check compares against this snapshot.
    """
    from advocacy.content.selectors import text_for_adviser

    now = timezone.now()
    when = when or now
    if not can_share(adviser, item):
        raise ShareRefused(
            _("This content cannot be shared (it is not approved, not for you, or has ended).")
        )
    _check_when(item, when, now)
    if not XAccount.objects.filter(user_id=adviser.pk, status=XAccount.Status.CONNECTED).exists():
        raise ShareRefused(_("Connect your X account first."))
    version = item.current_version
    approved = approved_text or text_for_adviser(version, adviser)
    if approved is None or approved.version_id != version.pk:
        raise ShareRefused(_("No approved wording of this content suits you yet: ask the content team."))
    try:
        with transaction.atomic():
            share = Share.objects.create(
                adviser=adviser,
                item=item,
                version=version,
                approved_text=approved,
                text=approved.text,
                fingerprint=approved.fingerprint,
                scheduled_for=when,
                link_code=secrets.token_urlsafe(9),
                campaign=campaign,
            )
            record(
                "share.scheduled",
                subject=share,
                actor=actor,
                payload={
                    "item": item.pk,
                    "version_id": version.pk,
                    "fingerprint": approved.fingerprint,
                    "scheduled_for": when.isoformat(),
                    "campaign": getattr(campaign, "pk", None),
                    "status": S.SCHEDULED,
                },
            )
            if when <= now:
                _enqueue_publish(share.pk)
    except IntegrityError:
        raise ShareRefused(_("You have already shared or scheduled this content.")) from None
    return share


def share_now(*, adviser, item: ContentItem, actor) -> Share:
    return schedule_share(adviser=adviser, item=item, when=None, actor=actor)


def _enqueue_publish(share_id: int) -> None:
    from advocacy.publishing.tasks import publish_share

    transaction.on_commit(functools.partial(publish_share.delay, share_id))


def cancel_share(*, share: Share, actor, reason: str = "") -> bool:
    """Cancel a share that has not gone out. False when it already went out (or is going out right now)."""
    return transition(
        share,
        "cancel",
        actor=actor,
        payload={"reason": reason},
        last_error=reason[:500],
        next_attempt_at=None,
    )


def reschedule_share(*, share: Share, when: dt.datetime | None, actor) -> Share:
    """A failed or cancelled share scheduled again with the item's CURRENT approved text (a new share row, so
    that the history of the first one stays as it was)."""
    if share.status not in RESCHEDULABLE:
        raise ShareRefused(_("Only a failed or cancelled share can be scheduled again."))
    item = ContentItem.objects.select_related("current_version").get(pk=share.item_id)
    return schedule_share(adviser=share.adviser, item=item, when=when, actor=actor, campaign=share.campaign)


# --- publishing -----------------------------------------------------------------------------------
def _due_now(now: dt.datetime) -> Q:
    """The claim's condition besides the status: due, and past any retry wait."""
    return Q(scheduled_for__lte=now) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _claim(share: Share, now: dt.datetime, *, force: bool = False) -> str | None:
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


def _fail(share: Share, token: str, reason: str, *, tell: bool = True) -> str:
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
            transaction.on_commit(functools.partial(_tell_adviser_failed, share.pk))
    return S.FAILED


def _cancel_claimed(share: Share, token: str, reason: str) -> str:
    _move(
        share,
        token,
        "cancel_claimed",
        payload={"reason": reason},
        last_error=reason[:500],
        next_attempt_at=None,
    )
    return S.CANCELLED


def _retry_later(share: Share, token: str, at: dt.datetime, reason: str, *, keep_sent: bool = False) -> str:
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
    return S.SCHEDULED


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff with jitter, bounded: base x 2^(n-1), capped, times a random 0.5-1.5."""
    base = settings.X_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=min(base, settings.X_RETRY_MAX_SECONDS) * random.uniform(0.5, 1.5))


def _refusal(share: Share, now: dt.datetime) -> tuple[str, str] | None:
    """The send-time re-check. Returns (action, reason) when the share must not go out, None when it may."""
    item, version, approved = share.item, share.version, share.approved_text
    if item.status == ItemStatus.RECALLED:
        return "cancel", _("The content was recalled by compliance.")
    if share.campaign_id and share.campaign.status == Campaign.Status.CANCELLED:
        # A share of a cancelled campaign that was mid-retry when the campaign was cancelled.
        return "cancel", _("The campaign was cancelled.")
    if item.status == ItemStatus.EXPIRED or (item.expires_at is not None and item.expires_at <= now):
        return "cancel", _("The content expired before the scheduled time.")
    if item.valid_from is not None and item.valid_from > now:
        return "retry", _("The content may not be published yet.")
    if item.status != ItemStatus.APPROVED or version.status != VersionStatus.APPROVED:
        return "fail", _(
            "The content was changed after you scheduled it and the new wording is not approved yet. "
            "Once it is approved, schedule it again."
        )
    if (
        approved.fingerprint != share.fingerprint
        or approved.version_id != share.version_id
        or texts.fingerprint(share.text) != share.fingerprint
    ):
        return "fail", _("The text no longer matches its approval: it was not published.")
    adviser = share.adviser
    is_adviser = getattr(share, "adviser_is_adviser", None)  # read with the share by ``_load``
    if is_adviser is None:
        is_adviser = Role.ADVISER in roles_of(adviser)
    is_adviser = bool(is_adviser)  # SQLite answers 0/1
    if not adviser.is_active or not is_adviser:
        return "fail", _("The adviser's access has ended.")
    blocking = _blocking_findings(share.text, item)
    if blocking:
        return "fail", _("The current compliance rules refuse this text: %(why)s") % {
            "why": "; ".join(blocking)
        }
    return None


def _blocking_findings(text: str, item: ContentItem) -> list[str]:
    """Rule packs as they are NOW (they may have changed since approval)."""
    from compliance.review.checking import check_publishable_text

    report = check_publishable_text(text, item=item)
    return [finding.message for finding in report.blocking]


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

    Compiling this query (six joins) was the dearest step of a send in CPU, so it is compiled once per
    process (``compiled.CompiledQuery``): no ORDER BY/LIMIT (a primary key matches one row), and the role
    test as plain SQL rather than a compiled subquery."""
    return _SHARE_FOR_SENDING.get(share_id)


_SHARE_FOR_SENDING = CompiledQuery(
    lambda share_id: (
        Share.objects.select_related(
            "item", "version", "approved_text", "adviser", "adviser__x_account", "campaign"
        )
        .annotate(
            adviser_is_adviser=RawSQL(_adviser_role_sql(), (Role.ADVISER,), output_field=BooleanField())  # noqa: S611
        )
        .filter(pk=share_id)
        .order_by()
    )
)


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
        return _publish_after_unknown_outcome(share_id, now)
    refusal = _refusal(share, now)
    if refusal is not None:
        token = _claim(share, now)
        return None if token is None else _refuse(share, token, refusal)
    try:
        account = _usable_account(share)
    except (NotConnected, xclient.XError) as exc:
        token = _claim(share, now)
        return None if token is None else _account_trouble(share, token, exc)
    token = _claim_and_start(share, account, now)
    if token is None:
        return None  # somebody else claimed it (or it changed) between our read and our claim
    return _send(share, token, account)


def _publish_after_unknown_outcome(share_id: int, now: dt.datetime, *, force: bool = False) -> str | None:
    """A previous attempt may have posted it: look on the account before anything else (even a recall must
    know, so that the live post gets deleted); send again only when the text is not there."""
    share = _load(share_id)
    if share is None:
        return None
    token = _claim(share, now, force=force)
    if token is None:
        return None
    account, status = _account_for(share, token)
    if account is None:
        return status
    found = _look_for(share, token, account, share.sent_text)
    if found is not None:
        return found
    refusal = _refusal(share, now)
    if refusal is not None:
        return _refuse(share, token, refusal)
    sent_text = share.sent_text or text_to_send(share)
    started = timezone.now()
    with transaction.atomic():
        # Not a move (the share stays ``publishing`` under our claim): the new attempt is archived.
        if not Share.objects.filter(pk=share.pk, claim_token=token, status=S.PUBLISHING).update(
            send_started_at=started,
            sent_text=sent_text,
            account_username=account.username,
            x_user_id=account.x_user_id,
        ):
            return None  # our claim was taken over while we looked
        share.send_started_at, share.sent_text = started, sent_text
        _record_attempt(share, account)
    return _send(share, token, account)


def _refuse(share: Share, token: str, refusal: tuple[str, str]) -> str:
    action, reason = refusal
    if action == "cancel":
        return _cancel_claimed(share, token, reason)
    if action == "retry":
        return _retry_later(share, token, share.item.valid_from, reason)
    return _fail(share, token, reason)


def _usable_account(share: Share) -> XAccount:
    """The adviser's connected account, read with the share; refreshed (``fresh_account``) only when its
    access token is missing or near expiry. Raises what ``fresh_account`` raises."""
    try:
        account = share.adviser.x_account
    except XAccount.DoesNotExist:
        raise NotConnected(share.adviser_id) from None
    margin = dt.timedelta(seconds=settings.X_REFRESH_MARGIN_SECONDS)
    if account.status == XAccount.Status.CONNECTED and (
        account.expires_at is None or account.expires_at > timezone.now() + margin
    ):
        return account
    return fresh_account(account)


def _account_trouble(share: Share, token: str, exc: NotConnected | xclient.XError) -> str:
    """The claimed share's outcome when its account cannot be used now (see ``_account_for``)."""
    if isinstance(exc, XAccount.DoesNotExist | NotConnected):
        return _fail(share, token, _("Your X account is not connected."))
    if isinstance(exc, xclient.Unauthorized):
        return _fail(share, token, _("X no longer accepts the connection to your account: reconnect it."))
    if isinstance(exc, xclient.RateLimited):
        return _retry_later(share, token, exc.reset_at, "rate limited (token refresh)", keep_sent=True)
    return _retry_or_fail(share, token, exc.message or type(exc).__name__, keep_sent=True)


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
            "status": S.PUBLISHING,
        },
    )


def _send(share: Share, token: str, account: XAccount) -> str:
    """The irreversible call (no transaction is open), then the outcome."""
    sent_text = share.sent_text
    try:
        post_id = xclient.post(account, sent_text)
    except xclient.RateLimited as exc:
        return _retry_later(
            share, token, exc.reset_at, _("X's rate limit was reached; retrying after it resets.")
        )
    except xclient.OutcomeUnknown as exc:
        return _still_unknown(
            share,
            token,
            exc.message,
            timezone.now() + dt.timedelta(seconds=settings.X_UNKNOWN_RECHECK_SECONDS),
            account=account,
        )
    except xclient.Unauthorized:
        mark_revoked(account, detail="X refused the access token when publishing")
        return _fail(share, token, _("X no longer accepts the connection to your account: reconnect it."))
    except xclient.Forbidden as exc:
        return _fail(share, token, _("X refused the post: %(message)s") % {"message": exc.message})
    except xclient.ServerError as exc:
        return _retry_or_fail(share, token, exc.message)
    return _published(share, token, account, post_id, call_succeeded=True)


def _account_for(share: Share, token: str) -> tuple[XAccount | None, str | None]:
    """The adviser's account with a fresh token, or (None, resulting status) when it cannot be used now."""
    try:
        return fresh_account(XAccount.objects.get(user_id=share.adviser_id)), None
    except (XAccount.DoesNotExist, NotConnected, xclient.XError) as exc:
        return None, _account_trouble(share, token, exc)


def _retry_or_fail(share: Share, token: str, reason: str, *, keep_sent: bool = False) -> str:
    if share.attempts >= settings.X_PUBLISH_MAX_ATTEMPTS:
        return _fail(
            share,
            token,
            _("X kept failing (%(reason)s); gave up after %(n)s attempts.")
            % {"reason": reason, "n": share.attempts},
        )
    return _retry_later(share, token, timezone.now() + backoff(share.attempts), reason, keep_sent=keep_sent)


def _look_for(share: Share, token: str, account: XAccount, sent_text: str) -> str | None:
    """After an unknown outcome: is the exact text on the account? Published if so; None to send again."""
    since = share.send_started_at - dt.timedelta(minutes=5)
    try:
        posts = xclient.recent_posts(account, since=since)
    except xclient.RateLimited as exc:
        return _retry_later(share, token, exc.reset_at, "rate limited while checking", keep_sent=True)
    except xclient.Unauthorized:
        mark_revoked(account, detail="X refused the access token when checking recent posts")
        return _fail(share, token, _("X no longer accepts the connection to your account: reconnect it."))
    except xclient.XError as exc:
        return _still_unknown(
            share, token, exc.message, timezone.now() + backoff(share.attempts), account=account
        )
    for post in posts:
        if post.text == sent_text:
            return _published(
                share, token, account, post.id, recovered=True
            )
    return None


def _still_unknown(share: Share, token: str, reason: str, at: dt.datetime, *, account: XAccount) -> str:
    """The outcome is (still) unknown: look again at ``at``, or, after ``X_UNKNOWN_MAX_ATTEMPTS``, escalate
    to compliance as "possibly live, not confirmed" and tell the adviser (no more automatic looks)."""
    payload = {"reason": reason, "network": "x", "account": account.username, "attempts": share.attempts}
    if share.unknown_outcomes + 1 >= settings.X_UNKNOWN_MAX_ATTEMPTS:
        with transaction.atomic():
            if _move(
                share, token, "unconfirmed", payload=payload, last_error=reason[:500], next_attempt_at=None
            ):
                transaction.on_commit(functools.partial(_tell_adviser_unconfirmed, share.pk))
        return S.UNCONFIRMED
    _move(
        share,
        token,
        "unknown",
        payload=payload,
        next_attempt_at=at,
        last_error=reason[:500],
        unknown_outcomes=F("unknown_outcomes") + 1,
    )
    return S.OUTCOME_UNKNOWN


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
        url = xclient.post_url(account.username, post_id)
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
        "adviser": _person(share.adviser),
        "network_post_id": post_id,
        "url": url,
        "recovered_after_unknown_outcome": recovered,
    }
    if not _move(share, token, "publish", payload=payload, **fields):
        logger.error("share %s: published as %s after its claim was lost", share.pk, post_id)
        transition(share, "publish_late", payload={**payload, "claim_lost": True}, **fields)
    try:
        if call_succeeded and (account.last_ok_at is None or account.last_ok_at < now - LAST_OK_EVERY):
            note_call_succeeded(account)
        if share.item.status == ItemStatus.RECALLED:  # recalled while it was being sent: delete it too
            Share.objects.filter(pk=share.pk, status=S.PUBLISHED, delete_requested_at__isnull=True).update(
                delete_requested_at=now, delete_not_before=now
            )
    except Exception:  # the post is recorded; what follows is housekeeping
        logger.exception("share %s: published as %s; follow-up work failed", share.pk, post_id)
    return S.PUBLISHED


def _person(user) -> dict:
    """Who an adviser was at the time of the record: an archive record must read alone, years later."""
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


def recover_stale_claims(*, now: dt.datetime | None = None) -> int:
    """Shares left in ``publishing`` by a dead worker become ``outcome_unknown``: looked up, never resent."""
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.X_PUBLISH_CLAIM_STALE_SECONDS)
    reason = "worker stopped during the call"
    moved = 0
    stale = Share.objects.filter(status=S.PUBLISHING, claimed_at__lt=stale_before).select_related("item")
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


def _tell_adviser_unconfirmed(share_id: int) -> None:
    _tell_adviser(
        share_id,
        subject=gettext_lazy("We could not confirm whether a share was published"),
        template="publishing/email/share_unconfirmed.txt",
    )


def _tell_adviser_failed(share_id: int) -> None:
    _tell_adviser(
        share_id,
        subject=gettext_lazy("A share could not be published"),
        template="publishing/email/share_failed.txt",
    )


def _tell_adviser(share_id: int, *, subject, template: str) -> None:
    """E-mail the share's adviser in their language (``subject`` is a lazy or plain translatable string,
    translated once their language is active)."""
    share = Share.objects.select_related("adviser", "item").get(pk=share_id)
    user = share.adviser
    if not user.email:
        return
    language = StaffProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + str(subject)
        body = render_to_string(
            template,
            {
                "user": user,
                "share": share,
                "my_shares_url": settings.PUBLIC_BASE_URL + reverse("publishing:my_shares"),
            },
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


# --- recall ---------------------------------------------------------------------------------------
def recall_shares(*, item_id: int) -> dict:
    """Content was recalled: cancel what has not gone out, mark live posts for deletion, then delete."""
    from advocacy.publishing import links

    now = timezone.now()
    links.stop_item(item_id)  # done on commit of the recall already; again for the beat's sweep
    for share in Share.objects.filter(item_id=item_id, status__in=TRANSITIONS["cancel"][0]):
        cancel_share(share=share, actor=None, reason=_("The content was recalled by compliance."))
    # A share whose outcome is unknown may be live: look now (found: recorded as published, and deleted
    # below; not found: cancelled by the send-time re-check, since the item is recalled).
    for share_id in Share.objects.filter(item_id=item_id, status=S.OUTCOME_UNKNOWN).values_list(
        "pk", flat=True
    ):
        _publish_after_unknown_outcome(share_id, now, force=True)
    Share.objects.filter(item_id=item_id, status=S.PUBLISHED, delete_requested_at__isnull=True).update(
        delete_requested_at=now, delete_not_before=now
    )
    return delete_pending_posts(item_id=item_id)


def delete_pending_posts(*, item_id: int | None = None, limit: int = 200) -> dict:
    """Delete live posts whose deletion was requested, honouring X's delete limits (429: wait for reset)."""
    now = timezone.now()
    pending = Share.objects.filter(status=S.PUBLISHED, delete_requested_at__isnull=False).filter(
        Q(delete_not_before__isnull=True) | Q(delete_not_before__lte=now)
    )
    if item_id is not None:
        pending = pending.filter(item_id=item_id)
    counts = {"deleted": 0, "failed": 0, "waiting": 0}
    for share_id in list(pending.values_list("pk", flat=True)[:limit]):
        counts[delete_share_post(share_id=share_id)] += 1
    return counts


def delete_share_post(*, share_id: int) -> str:
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.X_PUBLISH_CLAIM_STALE_SECONDS)
    claimed = (
        Share.objects.filter(pk=share_id, status=S.PUBLISHED, delete_requested_at__isnull=False)
        .filter(Q(delete_claimed_until__isnull=True) | Q(delete_claimed_until__lt=now))
        .update(delete_claimed_until=lease)
    )
    if not claimed:
        return "waiting"
    share = Share.objects.select_related("adviser").get(pk=share_id)
    account = XAccount.objects.filter(user_id=share.adviser_id, x_user_id=share.x_user_id).first()
    try:
        if account is None:
            raise NotConnected(share.account_username)
        account = fresh_account(account)
        xclient.delete(account, share.network_post_id)
    except xclient.RateLimited as exc:
        Share.objects.filter(pk=share_id).update(
            delete_not_before=exc.reset_at,
            delete_claimed_until=None,
            delete_error=_("Waiting for X's delete limit to reset."),
        )
        return "waiting"
    except (NotConnected, xclient.Unauthorized, xclient.Forbidden) as exc:
        reason = (
            _("The adviser's X account is not connected: the post must be deleted by hand.")
            if isinstance(exc, NotConnected | xclient.Unauthorized)
            else str(exc)
        )
        Share.objects.filter(pk=share_id).update(
            delete_error=reason[:500],
            delete_claimed_until=None,
            delete_not_before=now + dt.timedelta(hours=1),
        )
        record(
            "share.delete_failed",
            subject=share,
            actor=None,
            payload={
                "item": share.item_id,
                "version_id": share.version_id,
                "network_post_id": share.network_post_id,
                "reason": reason,
            },
        )
        return "failed"
    except xclient.XError as exc:
        Share.objects.filter(pk=share_id).update(
            delete_error=exc.message[:500], delete_claimed_until=None, delete_not_before=now + backoff(1)
        )
        return "failed"
    transition(
        share,
        "delete",
        payload={
            "network": "x",
            "account": share.account_username,
            "adviser": _person(share.adviser),
            "network_post_id": share.network_post_id,
            "url": share.post_url,
            "reason": "recall",
        },
        deleted_at=timezone.now(),
        delete_error="",
        delete_claimed_until=None,
    )
    return "deleted"


def sweep_recalled_items() -> int:
    """Recalled items whose shares were not dealt with yet (the recall hook did not run): deal with them."""
    item_ids = set(
        Share.objects.filter(item__status=ItemStatus.RECALLED)
        .filter(
            Q(status__in=TRANSITIONS["cancel"][0]) | Q(status=S.PUBLISHED, delete_requested_at__isnull=True)
        )
        .values_list("item_id", flat=True)
    )
    for item_id in item_ids:
        recall_shares(item_id=item_id)
    return len(item_ids)
