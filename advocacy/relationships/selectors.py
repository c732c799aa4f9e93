"""What an adviser sees of their own relationships: always their own rows only (object-level access is the
query itself: nobody reaches another adviser's interactions by id or by search)."""

from __future__ import annotations

from django.db.models import QuerySet

from advocacy.relationships.models import Interaction


def timeline_of(adviser) -> QuerySet[Interaction]:
    """Newest first (the ``interaction_timeline`` index: adviser, -occurred_at; keyset on the id)."""
    return Interaction.objects.filter(adviser=adviser).order_by("-pk")


def timeline_of_client(client) -> QuerySet[Interaction]:
    """One client's interactions, newest first (the ``interaction_client_timeline`` index: client, -id);
    handed to the client book's page through ``advocacy.clients.timeline``."""
    return Interaction.objects.filter(client=client).order_by("-pk")
