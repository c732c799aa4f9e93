"""What erasing a client (GDPR art. 17) removes here: the client's timeline in the relationship store
and the inbox signals about them.

Provided to ``advocacy.clients.erasure`` at start-up (the client book sits below this app). The archive's
``inbound.received`` records stay (art. 17(3)(b): a legal obligation to keep communications received); they
never named the client in the first place, only the public post and its author on X.
"""

from __future__ import annotations

from advocacy.relationships import engagers
from advocacy.relationships.models import Interaction, Signal


def erase_relationships(client) -> None:
    Signal.objects.filter(client=client).delete()
    actors = set(Interaction.objects.filter(client=client).values_list("actor_id", flat=True))
    if client.x_user_id:
        actors.add(client.x_user_id)
    engagers.forget(client.adviser_id, actors)
    Interaction.objects.filter(client=client).delete()
