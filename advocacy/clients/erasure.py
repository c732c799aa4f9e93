"""Erasing a client, and the seam that lets relationships erase what it holds about them first.

Relationships (timeline, notes, prospect link) depends on clients, not the other way round, so clients
only declares the eraser it calls and ``advocacy.relationships`` hands it in at ``ready()`` (pattern:
``advocacy.content.compliance_checks``). Without a provided eraser nothing else holds client data, and the
client row alone is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction

from advocacy.clients.privacy import client_key

if TYPE_CHECKING:
    from advocacy.clients.models import Client

RelationshipEraser = Callable[["Client"], "dict | None"]  # what it erased, added to the archive record

_provided: dict[str, RelationshipEraser] = {}


def provide_relationship_eraser(fn: RelationshipEraser) -> None:
    """Called once by the relationships app when Django starts; calling it again replaces the eraser."""
    _provided["eraser"] = fn


def erase_client(client: Client, *, by=None, reason: str = "request") -> None:
    """Delete everything held about ``client`` and archive that it happened, under a pseudonym only.

    One transaction: the relationships eraser, the client row (its consents cascade), the archive record,
    which also carries what the eraser reports (``followed_accounts``: of the adviser's X accounts, how many
    the client followed; their follower rows went and their audience sketches are rebuilt on commit)."""
    from compliance.archive.services import record

    key = client_key(client.client_ref)
    adviser = client.adviser
    with transaction.atomic():
        eraser = _provided.get("eraser")
        erased = (eraser(client) if eraser is not None else None) or {}
        client.delete()
        record(
            "client.erased",
            subject=adviser,
            actor=by,
            payload={"client_key": key, "reason": reason, **erased},
        )
