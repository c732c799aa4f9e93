"""An inbound post answered from Relais: the one write other apps make on an interaction.

The reply itself (its checks, its sending, its archive record) belongs to whoever sends it; relationships
only keeps when the post was first answered, so that the timeline, the inbox and the managers' time to
answer read one column.
"""

from __future__ import annotations

from datetime import datetime

from advocacy.relationships.models import Interaction


def mark_answered(interaction_id: int, at: datetime) -> None:
    """Keep the first answer's time: a second reply to the same post does not move it."""
    Interaction.objects.filter(pk=interaction_id, answered_at=None).update(answered_at=at)
