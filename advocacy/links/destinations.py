"""Where a tracked link goes: the share's destination with UTM parameters, or nowhere (friendly 404).

The lookup is kept in the shared cache (Redis, or the database cache on the embedded default) for
``CACHE_SECONDS`` so that a popular link costs no query on the share tables, and each web process remembers a
live link for ``MEMO_SECONDS`` more (``link_views``). A recall (``stop_item``, run on commit in the process
that made it, without waiting for a worker) marks the item's links dead in the shared cache, then waits out
``MEMO_SECONDS``: when it returns, every web process answers the dead-link page.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.cache import cache
from django.utils import timezone

from advocacy.content.models import ItemStatus
from advocacy.shares.models import Share

CACHE_SECONDS = 60
MEMO_SECONDS = 0.25  # how long a web process may answer a live link from memory (link_views)
LIVE = (Share.Status.PUBLISHED, Share.Status.PUBLISHING, Share.Status.OUTCOME_UNKNOWN)
_MISSING = "-"


def _key(code: str) -> str:
    return f"relais:link:{code}"


def with_utm(url: str, *, item_id: int, share_id: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [
        ("utm_source", "x"),
        ("utm_medium", "social"),
        ("utm_campaign", str(item_id)),
        ("utm_content", str(share_id)),
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def destination(code: str) -> tuple[int, str] | None:
    """``(share_id, url with UTM)`` for a live link, None for an unknown, recalled, expired or dead one."""
    if not code or len(code) > 24:
        return None
    cached = cache.get(_key(code))
    if cached == _MISSING:
        return None
    if cached is None:
        share = (
            Share.objects.filter(link_code=code)
            .select_related("item", "version")
            .only("id", "status", "item__id", "item__status", "item__expires_at", "version__link_url")
            .first()
        )
        if share is None or not share.version.link_url:
            cache.add(_key(code), _MISSING, CACHE_SECONDS)
            return None
        cached = {
            "share": share.pk,
            "url": with_utm(share.version.link_url, item_id=share.item.pk, share_id=share.pk),
            "live": share.status in LIVE
            and share.item.status not in (ItemStatus.RECALLED, ItemStatus.EXPIRED),
            "expires": share.item.expires_at.timestamp() if share.item.expires_at else None,
        }
        # ``add``, not ``set``: a lookup that read the share just before a recall committed must not
        # overwrite the dead marker ``stop`` wrote just after.
        cache.add(_key(code), cached, CACHE_SECONDS)
    if not cached["live"] or (
        cached["expires"] is not None and cached["expires"] <= timezone.now().timestamp()
    ):
        return None
    return cached["share"], cached["url"]


def forget(codes) -> None:
    """The next redirect of these links reads the share again (a link whose destination may have changed)."""
    cache.delete_many([_key(code) for code in codes])


def stop(codes) -> None:
    """These links are dead from now on, in every web process (a recall: recalled content never comes back).
    A dead marker rather than a deletion, so that a lookup racing the recall cannot cache the link live again;
    after ``CACHE_SECONDS`` the share itself says so."""
    codes = [code for code in codes if code]
    if codes:
        cache.set_many({_key(code): _MISSING for code in codes}, CACHE_SECONDS)


def stop_item(item_id: int) -> None:
    """Every tracked link of this item's shares stops, in every web process. Called on commit of a recall
    in the process that made it, so that when the recall returns no link of the item redirects any more: the
    dead markers are in the shared cache, and the wait outlasts the memos (each lasts at most
    ``MEMO_SECONDS`` from a lookup that began before the markers were written); connected to
    ``content.signals.item_recalled`` and, for the task the recall enqueues and the beat's sweep, to
    ``shares.signals.item_shares_recalled`` (``LinksConfig.ready``)."""
    stop(Share.objects.filter(item_id=item_id).exclude(link_code="").values_list("link_code", flat=True))
    time.sleep(MEMO_SECONDS)
