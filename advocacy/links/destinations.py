"""Where a tracked link goes: the share's destination with UTM parameters, or nowhere (friendly 404).

The lookup is kept in the shared cache (Redis, or the database cache on the embedded default) for
``CACHE_SECONDS`` so that a popular link costs no query on the share tables, and each web process remembers a
live link for ``MEMO_SECONDS`` more (``link_views``). A recall marks the item's links dead in the shared cache
(``advocacy.shares.link_markers.stop_item``, which this lookup honours before anything else), then waits
out ``MEMO_SECONDS``: when it returns, every web process answers the dead-link page.

Some shares go elsewhere than "the link with UTM": a job offer's apply link carries its ATS's own source
parameter (``advocacy.recruitment``). Such apps sit above links in the dependency graph, so links never
imports them: each registers a *destination shaper* from its ``AppConfig.ready()``
(``add_destination_shaper``). A shaper runs only when the lookup misses the cache, gets the share (its item
and version loaded) and returns the whole destination, or None to leave the share to the next shaper and
finally to ``with_utm``. What it returns is cached with the rest, so a shaped link costs nothing more per
click.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.cache import cache
from django.utils import timezone

from advocacy.content.models import ItemStatus
from advocacy.shares.link_markers import CACHE_SECONDS, MISSING, key
from advocacy.shares.models import Share

LIVE = (Share.Status.PUBLISHED, Share.Status.PUBLISHING, Share.Status.OUTCOME_UNKNOWN)

_shapers: list[Callable[[Share], str | None]] = []


def add_destination_shaper(shaper: Callable[[Share], str | None]) -> None:
    """Register ``shaper`` (idempotent: ``ready()`` may run twice in tests)."""
    if shaper not in _shapers:
        _shapers.append(shaper)


def _shaped(share: Share) -> str:
    for shaper in _shapers:
        url = shaper(share)
        if url:
            return url
    return with_utm(share.version.link_url, item_id=share.item.pk, share_id=share.pk)


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
    cached = cache.get(key(code))
    if cached == MISSING:
        return None
    if cached is None:
        share = (
            Share.objects.filter(link_code=code)
            .select_related("item", "version")
            .only(
                "id",
                "status",
                "item__id",
                "item__status",
                "item__category",
                "item__expires_at",
                "version__link_url",
            )
            .first()
        )
        if share is None or not share.version.link_url:
            cache.add(key(code), MISSING, CACHE_SECONDS)
            return None
        cached = {
            "share": share.pk,
            "url": _shaped(share),
            "live": share.status in LIVE
            and share.item.status not in (ItemStatus.RECALLED, ItemStatus.EXPIRED),
            "expires": share.item.expires_at.timestamp() if share.item.expires_at else None,
        }
        # ``add``, not ``set``: a lookup that read the share just before a recall committed must not
        # overwrite the dead marker ``stop`` wrote just after.
        cache.add(key(code), cached, CACHE_SECONDS)
    if not cached["live"] or (
        cached["expires"] is not None and cached["expires"] <= timezone.now().timestamp()
    ):
        return None
    return cached["share"], cached["url"]
