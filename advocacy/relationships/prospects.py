"""Prospects: people who engage with an adviser on X but are not among their clients.

One aggregate over the adviser's interactions on the ``interaction_by_person`` index (adviser, actor_id):
per person, how many times they engaged and when last, ranked by engagement then recency. A person is a
client as soon as one of the adviser's clients carries their X id (consent recorded, handle resolved), even
for interactions stored before that; turning a prospect into a client goes through the client book's add
form, which requires consent before any handle is linked.
"""

from __future__ import annotations

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from advocacy.clients.models import Client
from advocacy.relationships.models import Interaction
from advocacy.relationships.signals import ENGAGEMENT_KINDS


def prospects_of(adviser, *, q: str = "") -> QuerySet:
    """Rows of ``actor_id``, ``username``, ``name``, ``engagements``, ``last_engaged``; the adviser's own
    only (another adviser's prospects are reached by no id and no search). ``q`` finds a handle or a name."""
    is_client = Client.objects.filter(adviser_id=adviser.pk, x_user_id=OuterRef("actor_id"))
    rows = Interaction.objects.filter(
        adviser_id=adviser.pk, client__isnull=True, kind__in=ENGAGEMENT_KINDS
    ).alias(known=Exists(is_client))
    rows = rows.filter(known=False)
    q = q.strip().lstrip("@")
    if q:
        rows = rows.filter(Q(actor_username__icontains=q) | Q(actor_name__icontains=q))
    return (
        rows.values("actor_id")
        .annotate(
            username=Max("actor_username"),
            name=Max("actor_name"),
            engagements=Count("id"),
            last_engaged=Max("occurred_at"),
        )
        .order_by("-engagements", "-last_engaged", "actor_id")
    )
