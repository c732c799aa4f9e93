"""The audience of a set of X accounts (the sharers of a job offer): raw sum and people counted once.

``raw`` adds up each account's followers at its last complete reading: what vendors call "potential reach",
where someone following three sharers counts three times. ``unique`` counts each follower once:

* exactly, as ``COUNT(DISTINCT x_user_id)`` over the follower snapshots, while the raw sum is at most
  ``AUDIENCE_EXACT_MAX_FOLLOWERS`` (the union then reads that many index entries at most);
* beyond, as a HyperLogLog estimate: the union of the accounts' sketches (Redis ``PFCOUNT`` over their keys,
  or DataSketches' union on the embedded default), shown with its relative standard error.

Only accounts whose followers were read in full and sketched count (``accounts_read``); the others are
``accounts_unread`` and said so on the page, never guessed. Two queries at most, whatever the number of
accounts: the sketches' rows, then the exact union, or the estimate from the cache (on a miss: the stored
sketches, or one Redis command).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet, Sum

from advocacy.audience import sketches
from advocacy.audience.hashing import key_fingerprint
from advocacy.audience.models import FollowerSketch
from advocacy.relationships.models import Follower


@dataclass(frozen=True)
class Audience:
    raw: int
    unique: int
    exact: bool
    standard_error: float  # relative, one standard deviation; 0 when exact
    accounts_read: int
    accounts_unread: int

    @property
    def error_percent(self) -> float:
        return self.standard_error * 100

    @property
    def overlap(self) -> int:
        """How many follows the raw sum counts more than once."""
        return max(self.raw - self.unique, 0)


EMPTY = Audience(raw=0, unique=0, exact=True, standard_error=0.0, accounts_read=0, accounts_unread=0)


UNION_CACHE_SECONDS = 6 * 3600  # sketches are rebuilt at most once a UTC day; a stale key just expires


def _estimate(sketched: QuerySet, *, accounts: str, read: int, raw: int, built) -> int:
    """The HyperLogLog union of these accounts' sketches, cached under the sharer set's version: a page
    viewed again, or by another HR user, does not merge 2,000 sketches again (bench/bench_reach_page.py).

    The key names the backend, the hash key, the accounts (``accounts``: a digest of their ids, or of
    what determines them), how many of them are sketched and their follower sum, and the latest sketch
    build time: rebuilding any sketch moves that time forward (``built_at`` is set on every save), an
    account added or dropped changes the digest or the count. So a key is never a stale estimate. On a
    miss: one more query (the stored sketches, or the accounts whose Redis keys ``PFCOUNT`` merges)."""
    version = f"{sketches.backend_name()}|{key_fingerprint()}|{sketches.LG_K}|{accounts}|{read}|{raw}|{built}"
    key = f"audience:union:{hashlib.blake2b(version.encode(), digest_size=16).hexdigest()}"
    estimate = cache.get(key)
    if estimate is None:
        if sketches.uses_redis():
            pairs = [(account_id, b"") for account_id in sketched.values_list("account_id", flat=True)]
        else:
            pairs = list(sketched.values_list("account_id", "sketch"))
        estimate = sketches.union_count(pairs)
        cache.set(key, estimate, UNION_CACHE_SECONDS)
    return estimate


def audience_of(
    account_ids: Iterable[int] | QuerySet,
    *,
    count: int | None = None,
    version: str | None = None,
    exact_max: int | None = None,
) -> Audience:
    """The audience of these X accounts: ids, or a queryset of ids with ``count`` (how many it names) and
    ``version`` (a digest of what determines them, e.g. the sharers), which the database then reads as a
    subquery: 2,000 ids in an ``IN (...)`` list cost more to build and send than the query takes, and the
    sketches' rows are summed in the database, not returned (bench/bench_reach_page.py)."""
    if isinstance(account_ids, QuerySet):
        if count is None or version is None:
            raise TypeError("a queryset of accounts needs their count and version")
        wanted, total = account_ids, count
    else:
        wanted = sorted({int(i) for i in account_ids if i is not None})
        total, version = len(wanted), ",".join(map(str, wanted))
    if not total:
        return EMPTY
    limit = settings.AUDIENCE_EXACT_MAX_FOLLOWERS if exact_max is None else exact_max
    sketched = FollowerSketch.objects.filter(account_id__in=wanted, backend=sketches.backend_name())
    found = sketched.aggregate(read=Count("pk"), raw=Sum("followers"), built=Max("built_at"))
    read, raw = found["read"], found["raw"] or 0
    unread = total - read
    if not read:
        return Audience(0, 0, True, 0.0, 0, unread)
    if raw <= limit:
        # The snapshots as they stand (a reading may have moved on since the sketch): both counts from the
        # same rows, so the union is never above the raw sum.
        counts = Follower.objects.filter(account_id__in=sketched.values("account_id")).aggregate(
            raw=Count("pk"), unique=Count("x_user_id", distinct=True)
        )
        return Audience(counts["raw"], counts["unique"], True, 0.0, read, unread)
    estimate = _estimate(sketched, accounts=version, read=read, raw=raw, built=found["built"])
    return Audience(raw, min(estimate, raw), False, sketches.standard_error(), read, unread)
