"""Follows and unfollows keyed by their place in a person's story with the adviser, and the inbox signal a
new interaction makes (both applied by ``ingest`` inside its transaction).

A person's follows and unfollows alternate: ``follows:<person>:<n>`` is their n-th change, so a re-follow
after an unfollow is a new interaction, while the same observation seen twice (a replayed delivery, a poll
after the webhook) is the same key. An observation that does not change the story (a follow while already
following, an unfollow while already gone, or one older than the last change: a late replay) is dropped.
Two ingesters racing compute the same n: the unique key lets one win, the other retries and drops it.
"""

from __future__ import annotations

from advocacy.networks.interface import Activity
from advocacy.relationships.models import Interaction, Signal

FOLLOWS = {Interaction.Kind.FOLLOW, Interaction.Kind.UNFOLLOW}
# What makes a signal in the adviser's inbox when a client does it.
CLIENT_POST_KINDS = {Interaction.Kind.MENTION, Interaction.Kind.REPLY, Interaction.Kind.QUOTE}


def keyed_follows(candidates: list[tuple[Interaction, Activity]]) -> list[tuple[Interaction, Activity]]:
    """``candidates`` with follows and unfollows keyed (one query for the batch's people), the ones that
    change nothing left out."""
    follows = [(row, act) for row, act in candidates if row.kind in FOLLOWS]
    if not follows:
        return candidates
    history: dict[tuple[int, str], list] = {}
    for adviser_id, actor_id, kind, at in (
        Interaction.objects.filter(
            adviser_id__in={row.adviser_id for row, _ in follows},
            actor_id__in={row.actor_id for row, _ in follows},
            kind__in=FOLLOWS,
        )
        .order_by("pk")
        .values_list("adviser_id", "actor_id", "kind", "occurred_at")
    ):
        history.setdefault((adviser_id, actor_id), []).append((kind, at))
    kept = [(row, act) for row, act in candidates if row.kind not in FOLLOWS]
    for row, act in sorted(follows, key=lambda pair: pair[0].occurred_at):
        story = history.setdefault((row.adviser_id, row.actor_id), [])
        if story and (story[-1][0] == row.kind or row.occurred_at <= story[-1][1]):
            continue
        row.key = f"follows:{row.actor_id}:{len(story)}"[:90]
        story.append((row.kind, row.occurred_at))
        kept.append((row, act))
    return kept


def signal_for(row: Interaction) -> Signal | None:
    """The inbox signal a new interaction makes: a client's mention, reply or quote, or a client's follow."""
    if not row.client_id:
        return None
    if row.kind in CLIENT_POST_KINDS:
        kind = Signal.Kind.CLIENT_POST
    elif row.kind == Interaction.Kind.FOLLOW:
        kind = Signal.Kind.CLIENT_FOLLOW
    else:
        return None
    return Signal(
        adviser_id=row.adviser_id,
        kind=kind,
        key=f"interaction:{row.pk}",
        client_id=row.client_id,
        interaction=row,
    )
