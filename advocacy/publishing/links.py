"""Where a tracked link goes: the share's destination with UTM parameters, or nowhere (friendly 404).

The lookup is cached for ``CACHE_SECONDS`` so that a popular link costs no query; a recall deletes the
cached entries of the item's shares (``forget``), so a recalled link stops at once.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.cache import cache
from django.utils import timezone

from advocacy.content.models import ItemStatus
from advocacy.publishing.models import Share

CACHE_SECONDS = 60
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
            cache.set(_key(code), _MISSING, CACHE_SECONDS)
            return None
        cached = {
            "share": share.pk,
            "url": with_utm(share.version.link_url, item_id=share.item.pk, share_id=share.pk),
            "live": share.status in LIVE
            and share.item.status not in (ItemStatus.RECALLED, ItemStatus.EXPIRED),
            "expires": share.item.expires_at.timestamp() if share.item.expires_at else None,
        }
        cache.set(_key(code), cached, CACHE_SECONDS)
    if not cached["live"] or (
        cached["expires"] is not None and cached["expires"] <= timezone.now().timestamp()
    ):
        return None
    return cached["share"], cached["url"]


def forget(codes) -> None:
    cache.delete_many([_key(code) for code in codes])
