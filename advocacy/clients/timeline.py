"""The seam through which a client's page reads their timeline from the relationship store.

Relationships depends on the client book, not the other way round (as for erasure, ``erasure.py``): the
client book only declares the reader it calls and ``advocacy.relationships`` hands it in at ``ready()``.
Without a provided reader a client has no timeline (an empty list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

if TYPE_CHECKING:
    from advocacy.clients.models import Client

TimelineReader = Callable[["Client"], QuerySet]

_provided: dict[str, TimelineReader] = {}


def provide_timeline_reader(fn: TimelineReader) -> None:
    """Called once by the relationships app when Django starts; calling it again replaces the reader."""
    _provided["reader"] = fn


def interactions_of(client: Client) -> QuerySet | list:
    """The client's interactions, newest first (a queryset to page by its id), or nothing at all."""
    reader = _provided.get("reader")
    return reader(client) if reader is not None else []
