"""Generation stamps for cached reads: an entry records the generation it was built at and is used only
while that generation is current; a write that changes what the entry was built from bumps it.

Why stamps rather than deleting entries: the entries are per place and roles (many keys), and the write
does not know which of them it changed; one bump retires them all, each rebuilt on its next read.

``bump`` sets a new stamp at once (the writer's own next page, and tests, see the change) and again when
the transaction commits: a reader that rebuilt an entry between the first bump and the commit read the
rows as they were before, and the second bump retires what it cached. A write that goes around the
functions that bump (the Django admin, a shell) is seen when the entry's own lifetime ends, which callers
keep short.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

# What each stamp covers (its readers name it):
LIBRARY = "library"  # approved content and running campaigns: the campaign highlights


def key(name: str) -> str:
    return f"relais:generation:{name}"


def current(name: str, stamps: dict) -> str:
    """The generation of ``name`` among ``stamps`` (a ``cache.get_many`` result that asked for ``key(name)``),
    starting one when there is none yet (an empty cache), so that what is built now can be recognised."""
    stamp = stamps.get(key(name))
    if stamp is None:
        cache.add(key(name), uuid.uuid4().hex, timeout=None)
        stamp = cache.get(key(name))
    return stamp


def _set(name: str) -> None:
    cache.set(key(name), uuid.uuid4().hex, timeout=None)


def bump(name: str) -> None:
    """Retire every entry built at the current generation of ``name`` (now, and again on commit)."""
    _set(name)
    transaction.on_commit(lambda: _set(name))
