"""One idempotent way in for inbound activity, whichever path it came by (webhook push or polling).

An activity is stored once per adviser and ``identity(activity)`` (X's own id of the event). The inbound
posts (mentions, replies, quotes) are archived in the same transaction as the rows that record them, so
"stored" and "archived" cannot disagree: a replayed delivery, a poll overlapping a webhook, or a worker
killed mid-batch (its transaction rolls back whole) leave each interaction stored and archived exactly
once. Two ingesters racing on the same key: the loser's insert violates the unique constraint, its
transaction rolls back (archive records included) and it retries once, finding the key already stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.db.models.functions import Coalesce, Greatest

from advocacy.clients.models import Client
from advocacy.clients.selectors import linked_by_x_user_id_for
from advocacy.networks.interface import Activity
from advocacy.networks.x.models import XAccount
from advocacy.relationships.engagers import count_engagements
from advocacy.relationships.follow_keys import keyed_follows, signal_for
from advocacy.relationships.models import Interaction, Signal
from compliance.archive.services import record_many

logger = logging.getLogger(__name__)

ARCHIVED_KINDS = {Interaction.Kind.MENTION, Interaction.Kind.REPLY, Interaction.Kind.QUOTE}


FAMILY = {"mention": "post", "reply": "post", "quote": "post", "repost": "post"}


def identity(activity: Activity) -> str:
    """The stored key: one family for every kind that is a post (a mention and a reply are the same post,
    whichever path classified it), so the same post is one interaction. A repost is keyed by who reposted
    what: polling (``reposted_by``) sees the person, not the repost's own id, which the webhook gives.
    Follows and unfollows are keyed in ``follow_keys`` (a person may follow, leave and come back)."""
    if activity.kind == "repost" and activity.target_post_id:
        return f"repost:{activity.actor.id}:{activity.target_post_id}"[:90]
    return f"{FAMILY.get(activity.kind, activity.kind)}:{activity.key}"[:90]


def _row(activity: Activity, adviser_id: int, via: str) -> Interaction:
    post = activity.post
    return Interaction(
        adviser_id=adviser_id,
        kind=activity.kind,
        key=identity(activity),
        actor_id=activity.actor.id,
        actor_username=activity.actor.username[:32],
        actor_name=activity.actor.name[:100],
        post_id=post.id if post else "",
        text=post.text if post else "",
        target_post_id=activity.target_post_id,
        conversation_id=activity.conversation_id or (post.conversation_id if post else ""),
        occurred_at=activity.occurred_at,
        via=via,
    )


def _archive_event(row: Interaction, activity: Activity, advisers: dict[int, XAccount]):
    post = activity.post
    payload = {
        "network": row.network,
        "kind": row.kind,
        "post_id": row.post_id,
        "text": row.text,
        "author_id": row.actor_id,
        "author_username": row.actor_username,
        "in_reply_to": (post.in_reply_to if post else "") or row.target_post_id,
        "conversation_id": row.conversation_id,
        "occurred_at": row.occurred_at.isoformat(),
        "via": row.via,
    }
    return ("inbound.received", advisers[row.adviser_id].user, None, payload)


def _match_clients(rows: list[Interaction]) -> None:
    """Link each row to the adviser's consented client with that X id, in one query for the whole batch;
    matching is by id, never by handle, since handles change."""
    pairs = {(row.adviser_id, row.actor_id) for row in rows}
    clients = linked_by_x_user_id_for(pairs)
    for row in rows:
        client = clients.get((row.adviser_id, row.actor_id))
        if client is not None:
            row.client_id = client.pk


def _touch_clients(rows: list[Interaction]) -> None:
    """The clients' last interaction, which relationship-data retention counts from: one UPDATE for the
    batch, never moving a date backwards."""
    latest: dict[int, object] = {}
    for row in rows:
        if row.client_id and (row.client_id not in latest or row.occurred_at > latest[row.client_id]):
            latest[row.client_id] = row.occurred_at
    if not latest:
        return
    newest = Case(*(When(pk=pk, then=Value(at)) for pk, at in latest.items()))
    Client.objects.filter(pk__in=latest).update(
        last_interaction_at=Greatest(Coalesce("last_interaction_at", newest), newest)
    )


def _insert(candidates: list[tuple[Interaction, Activity]], accounts: dict[int, XAccount]) -> int:
    """Store (and archive) the candidates not stored yet, in one transaction; the number stored."""
    with transaction.atomic():
        candidates = keyed_follows(candidates)
        if not candidates:
            return 0
        keys = {(row.adviser_id, row.key) for row, _ in candidates}
        existing = set(
            Interaction.objects.filter(
                adviser_id__in={a for a, _ in keys},
                key__in={k for _, k in keys},
            ).values_list("adviser_id", "key")
        )
        fresh: dict[tuple, tuple[Interaction, Activity]] = {}
        for row, activity in candidates:
            ident = (row.adviser_id, row.key)
            if ident not in existing and ident not in fresh:
                fresh[ident] = (row, activity)
        if not fresh:
            return 0
        rows = [row for row, _ in fresh.values()]
        _match_clients(rows)
        Interaction.objects.bulk_create(rows)
        _touch_clients(rows)
        count_engagements(rows)
        signals = [signal for signal in map(signal_for, rows) if signal is not None]
        if signals:
            Signal.objects.bulk_create(signals)
        events = [
            _archive_event(row, act, accounts) for row, act in fresh.values() if row.kind in ARCHIVED_KINDS
        ]
        if events:
            record_many(events)
        return len(fresh)


def ingest(activities: Iterable[Activity], *, via: str) -> int:
    """Store what is new among ``activities`` (for accounts Relais knows; others are logged and dropped)
    and archive the inbound posts among them. Returns how many interactions were new."""
    activities = list(activities)
    if not activities:
        return 0
    accounts = {
        account.x_user_id: account
        for account in XAccount.objects.select_related("user").filter(
            x_user_id__in={a.account_user_id for a in activities}
        )
    }
    candidates = []
    for activity in activities:
        account = accounts.get(activity.account_user_id)
        if account is None:
            logger.warning("Inbound %s for an account Relais does not know: dropped", activity.kind)
            continue
        candidates.append((_row(activity, account.user_id, via), activity))
    if not candidates:
        return 0
    by_adviser = {account.user_id: account for account in accounts.values()}
    try:
        return _insert(candidates, by_adviser)
    except IntegrityError:  # another ingester stored some of these keys between our read and our insert
        return _insert(candidates, by_adviser)
