"""Dead-link markers: when the share engine withdraws an item's shares (a recall), their tracked links must
stop at once in every web process, without waiting for a worker or for a cache entry to expire.

The markers are entries of the shared cache (Redis, or the database cache on the embedded default) under the
same keys the redirect caches live destinations in (``advocacy.links.destinations``, which reads a marker
before anything else). They live here, with the share engine that writes them, so that the share engine and
the recall never import the links app (which reads shares): the dependency goes links -> shares.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from advocacy.shares.models import Share

CACHE_SECONDS = 60  # how long a destination (or a marker) stays in the shared cache
MEMO_SECONDS = 0.25  # how long a web process may answer a live link from memory (advocacy.links.views)
MISSING = "-"  # the dead marker


def key(code: str) -> str:
    return f"relais:link:{code}"


def forget(codes) -> None:
    """The next redirect of these links reads the share again (a link whose destination may have changed)."""
    cache.delete_many([key(code) for code in codes])


def stop(codes) -> None:
    """These links are dead from now on, in every web process (a recall: recalled content never comes back).
    A dead marker rather than a deletion, so that a lookup racing the recall cannot cache the link live again;
    after ``CACHE_SECONDS`` the share itself says so."""
    codes = [code for code in codes if code]
    if codes:
        cache.set_many({key(code): MISSING for code in codes}, CACHE_SECONDS)


def stop_item(item_id: int) -> None:
    """Every tracked link of this item's shares stops, in every web process. Called on commit of a recall
    in the process that made it, so that when the recall returns no link of the item redirects any more: the
    dead markers are in the shared cache, and the wait outlasts the memos (each lasts at most
    ``MEMO_SECONDS`` from a lookup that began before the markers were written); called on
    commit by ``compliance.review.recall.recall_content``, and again by the share engine's ``recall_shares``
    (the task the recall enqueues, and the beat's sweep of recalled items nobody handled)."""
    stop(Share.objects.filter(item_id=item_id).exclude(link_code="").values_list("link_code", flat=True))
    time.sleep(MEMO_SECONDS)
