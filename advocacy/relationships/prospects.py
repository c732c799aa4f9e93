"""Prospects: people who engage with an adviser on X but are not among their clients.

Read from the adviser's ``Engager`` summaries (one row per person, kept by ingestion) on the
``engager_ranking`` index: by engagement, then recency, the first rows that are not a client are the page,
whatever the length of the adviser's history. A person is a client as soon as one of the adviser's clients
carries their X id (consent recorded, handle resolved), even for interactions stored before that; turning a
prospect into a client goes through the client book's add form, which requires consent before any handle
is linked.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from advocacy.clients.models import Client
from advocacy.relationships.models import Engager


def prospects_of(adviser, *, q: str = "") -> QuerySet:
    """Rows of ``actor_id``, ``username``, ``name``, ``engagements``, ``last_engaged``; the adviser's own
    only (another adviser's prospects are reached by no id and no search). ``q`` finds a handle or a name."""
    is_client = Client.objects.filter(adviser_id=adviser.pk, x_user_id=OuterRef("actor_id"))
    rows = Engager.objects.filter(adviser_id=adviser.pk).alias(known=Exists(is_client)).filter(known=False)
    q = q.strip().lstrip("@")
    if q:
        rows = rows.filter(Q(actor_username__icontains=q) | Q(actor_name__icontains=q))
    return rows.order_by("-engagements", "-last_engaged_at", "actor_id").values(
        "actor_id",
        "engagements",
        username=F("actor_username"),
        name=F("actor_name"),
        last_engaged=F("last_engaged_at"),
    )
