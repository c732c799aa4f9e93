"""The audience of a set of X accounts (the sharers of a job offer): raw sum and people counted once.

``raw`` adds up each account's followers at its last complete reading: what vendors call "potential reach",
where someone following three sharers counts three times. ``unique`` counts each follower once:

* exactly, as ``COUNT(DISTINCT x_user_id)`` over the follower snapshots, while the raw sum is at most
  ``AUDIENCE_EXACT_MAX_FOLLOWERS`` (the union then reads that many index entries at most);
* beyond, as a HyperLogLog estimate: the union of the accounts' sketches (Redis ``PFCOUNT`` over their keys,
  or DataSketches' union on the embedded default), shown with its relative standard error.

Only accounts whose followers were read in full and sketched count (``accounts_read``); the others are
``accounts_unread`` and said so on the page, never guessed. Two queries at most, whatever the number of
accounts (one for the sketches' rows, one for the exact union), or one and a Redis command.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from advocacy.audience import sketches
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


def audience_of(account_ids: Iterable[int], *, exact_max: int | None = None) -> Audience:
    ids = sorted({int(i) for i in account_ids if i is not None})
    if not ids:
        return EMPTY
    limit = settings.AUDIENCE_EXACT_MAX_FOLLOWERS if exact_max is None else exact_max
    backend = sketches.backend_name()
    rows = list(
        FollowerSketch.objects.filter(account_id__in=ids, backend=backend).values_list(
            "account_id", "followers", "sketch" if not sketches.uses_redis() else "followers"
        )
    )
    read = [row[0] for row in rows]
    raw = sum(row[1] for row in rows)
    unread = len(ids) - len(read)
    if not read:
        return Audience(0, 0, True, 0.0, 0, unread)
    if raw <= limit:
        # The snapshots as they stand (a reading may have moved on since the sketch): both counts from the
        # same rows, so the union is never above the raw sum.
        counts = Follower.objects.filter(account_id__in=read).aggregate(
            raw=Count("pk"), unique=Count("x_user_id", distinct=True)
        )
        return Audience(counts["raw"], counts["unique"], True, 0.0, len(read), unread)
    pairs = [(row[0], row[2] if not sketches.uses_redis() else b"") for row in rows]
    estimate = min(sketches.union_count(pairs), raw)
    return Audience(raw, estimate, False, sketches.standard_error(), len(read), unread)
