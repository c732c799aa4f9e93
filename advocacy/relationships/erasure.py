"""What erasing a client (GDPR art. 17) removes here: the client's timeline in the relationship store,
the inbox signals about them, and their follower rows on their adviser's X accounts.

Provided to ``advocacy.clients.erasure`` at start-up (the client book sits below this app). The archive's
``inbound.received`` records stay (art. 17(3)(b): a legal obligation to keep communications received); they
never named the client in the first place, only the public post and its author on X.

Followers: a client with a resolved X id who follows their adviser's account has a ``Follower`` row there
(id, handle, name), and their keyed hash is in that account's audience sketch (``advocacy.audience``), a
HyperLogLog from which one element cannot be removed. So the rows go, an ``ErasedFollower`` (a keyed hash
of the id, nothing else) stops the next follower readings of those accounts from storing them again, and
the accounts are handed to the followers-erased hook (``provide_followers_erased``: the audience app
registers it at ``ready()``; this app may not import it), which has their sketches rebuilt from the
remaining rows once the erasure commits. The same person following another employee's account is that
employee's follower, not this client record, and is not touched (docs/archive.md, "Personal data").
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.crypto import salted_hmac

from advocacy.relationships import engagers
from advocacy.relationships.models import ErasedFollower, Follower, Interaction, Signal

FollowersErased = Callable[[list[int]], None]

_hooks: dict[str, FollowersErased] = {}


def provide_followers_erased(fn: FollowersErased) -> None:
    """Called once by the audience app when Django starts; ``fn`` receives the accounts whose follower rows
    an erasure deleted, inside the erasure's transaction."""
    _hooks["followers_erased"] = fn


def follower_digest(x_user_id: str) -> str:
    """The keyed hash an ``ErasedFollower`` keeps (HMAC-SHA256 under ``SECRET_KEY``)."""
    return salted_hmac("relais.relationships.erased_follower", x_user_id, algorithm="sha256").hexdigest()


def erase_followers(adviser_id: int, x_user_id: str) -> list[int]:
    """Delete this person's follower rows on the adviser's accounts and keep them from being read again;
    the accounts concerned."""
    rows = Follower.objects.filter(account__user_id=adviser_id, x_user_id=x_user_id)
    account_ids = sorted(set(rows.values_list("account_id", flat=True)))
    if not account_ids:
        return []
    rows.delete()
    digest = follower_digest(x_user_id)
    ErasedFollower.objects.bulk_create(
        [ErasedFollower(account_id=a, digest=digest) for a in account_ids], ignore_conflicts=True
    )
    hook = _hooks.get("followers_erased")
    if hook is not None:
        hook(account_ids)
    return account_ids


def erase_relationships(client) -> dict:
    """What was erased beyond the timeline, for the ``client.erased`` record: ``followed_accounts``, how
    many of the adviser's accounts the client was following (rows deleted, sketches to rebuild)."""
    Signal.objects.filter(client=client).delete()
    actors = set(Interaction.objects.filter(client=client).values_list("actor_id", flat=True))
    followed: list[int] = []
    if client.x_user_id:
        actors.add(client.x_user_id)
        followed = erase_followers(client.adviser_id, client.x_user_id)
    engagers.forget(client.adviser_id, actors)
    Interaction.objects.filter(client=client).delete()
    return {"followed_accounts": len(followed)}
