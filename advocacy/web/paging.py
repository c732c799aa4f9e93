"""Keyset paging for lists that grow with a bank's history (the archive, shares, imports, exports).

Why not Django's ``Paginator`` there: it counts the whole list (``COUNT(*)``) and reaches page *n* with
``OFFSET``, both of which read every earlier row, so a page gets slower as history grows. A keyset page
asks for the rows just after (or before) the last key shown, through an index on that key, and reads one
row more than it shows to know whether there is another page: the cost of a page is the page.

Links carry ``?before=<key>`` (older rows, newest first) or ``?after=<key>`` (newer rows). There is no
total and no page number, on purpose. ``templates/portal/_keyset_pager.html`` renders "Newer / Older".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Max, QuerySet

# Django's row-value comparisons (``(a, b) < (x, y)``), written for composite primary keys: not in
# ``django.db.models``'s public names, hence the module path. Backends without row values get an
# equivalent AND/OR expansion from Django.
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

PAGE_SIZE = 50
# ``windowed_rows``: a range sized from the density found is read only up to this many first ranges wide.
WINDOW_GROWTH = 16


@dataclass
class KeysetPage:
    object_list: list = field(default_factory=list)
    newer: Any = None  # ``?after=`` of the newer page, None when this is the newest page
    older: Any = None  # ``?before=`` of the older page, None when this is the oldest page
    prefix: str = ""  # of the cursor's name, when a page shows several lists (``gaps_before``)

    @property
    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _cursor(value: str | None, parse: Callable[[str], Any]) -> Any:
    try:
        return parse(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _key_of(row, key: str, spell: Callable[[Any], Any]):
    return spell(getattr(row, key))


def keyset_page(
    queryset: QuerySet,
    params,
    *,
    key: str = "pk",
    size: int = PAGE_SIZE,
    prefix: str = "",
    parse: Callable[[str], Any] = int,
    spell: Callable[[Any], Any] = lambda value: value,
    window: int | None = None,
) -> KeysetPage:
    """The page of ``queryset`` (newest first by ``key``, an integer unless ``parse`` reads the cursor
    otherwise and ``spell`` writes it) that ``params`` (``request.GET``) asks for: one query of ``size + 1``
    rows. A malformed cursor reads as the first page. ``key`` must be unique (or nearly: rows sharing a key
    across a page boundary would be skipped).

    ``window``: read the rows in growing key ranges instead of one query (``windowed_rows``), for a filter
    whose index cannot stop after ``size + 1`` rows; the page is the same rows in the same order."""
    before = _cursor(params.get(f"{prefix}before"), parse)
    after = _cursor(params.get(f"{prefix}after"), parse)
    page = _keyset_page(queryset, before, after, key, size, spell, window)
    page.prefix = prefix
    return page


def windowed_rows(queryset: QuerySet, *, key: str, wanted: int, window: int, before=None, after=None) -> list:
    """The first ``wanted`` rows of ``queryset`` newest first by ``key`` (below ``before`` if given), or
    oldest first above ``after``, read in successive key ranges: ``window`` keys from the head of the table
    (or from the cursor), then a range sized from the density found so far (the keys that should hold the
    rows still missing, a quarter more, at least twice the last range), and, when nothing was found or
    that range would exceed ``WINDOW_GROWTH`` times ``window``, the rest of the table in one open range
    (so at most seven queries, the head's included). Each range is asked only for the rows still missing
    and the ranges follow each other in the page's order, so the result is exactly that of the single
    query ``queryset.filter(key < before).order_by(-key)[:wanted]`` (or its ``after`` mirror).

    Why: a filter served by a bitmap (PostgreSQL's full-text GIN index over the archive) cannot be read in
    key order, so the single query fetches every matching row from the table before it sorts and keeps a
    page (5,000 scattered heap pages for a word in 0.1 % of 5,000,000 records: 10 ms warm, ~1 s cold).
    With a key range beside it PostgreSQL intersects the bitmap with the primary key's range (a BitmapAnd)
    and reads only the range's matches; a common word fills the page in one or two ranges. A range costs
    a scan of the key's index over its width, so a rare word is not chased down the table in ever wider
    ranges (doubling cost it 8 queries and 28 ms at 5,000,000 records against 0.8 ms for the single
    query): its remaining matches are few and the open range fetches them at once.

    Keys are positive integers (a range reaching 0 is left open). The head is read once (``MAX(key)``, one
    probe of the key's index) to place the first range and clamp a cursor past it; rows added after that
    read are newer than every bound and are found by the open first (or last, ``after``) range, as by the
    single query."""
    whole = queryset.model._base_manager.using(queryset.db)
    head = whole.aggregate(head=Max(key))["head"]
    if head is None:
        return []
    rows: list = []
    covered, width, widest = 0, window, window * WINDOW_GROWTH

    def next_width(width: int) -> int | None:  # None: the rest of the table
        if not rows:
            return None
        needed = -(-covered * (wanted - len(rows)) * 5 // (len(rows) * 4))  # ceil(density estimate x 1.25)
        needed = max(needed, 2 * width)  # at least doubling: a few ranges at most before the open one
        return needed if needed <= widest else None

    if after is not None:  # oldest first: (after, after + window], then the next ranges upwards
        low = max(after, 0)
        while True:
            part = queryset.filter(**{f"{key}__gt": low})
            high = low + width if width is not None else None
            if high is not None and high < head:
                part = part.filter(**{f"{key}__lte": high})
            else:
                high = None
            rows += part.order_by(key)[: wanted - len(rows)]
            if len(rows) >= wanted or high is None:
                return rows
            covered += width
            low, width = high, next_width(width)
    # The first range is bounded above by the cursor alone (open without one); a cursor past the head is
    # placed at the head for the ranges' bounds, so that they do not walk down empty keys.
    high = head + 1 if before is None else min(before, head + 1)
    part = queryset if before is None else queryset.filter(**{f"{key}__lt": before})
    while True:
        low = high - width if width is not None else 0  # inclusive
        if low > 0:
            part = part.filter(**{f"{key}__gte": low})
        rows += part.order_by(f"-{key}")[: wanted - len(rows)]
        if len(rows) >= wanted or low <= 0:
            return rows
        covered += width
        high, width = low, next_width(width)
        part = queryset.filter(**{f"{key}__lt": high})


def _keyset_page(queryset: QuerySet, before, after, key: str, size: int, spell, window=None) -> KeysetPage:
    if after is not None:
        if window:
            rows = windowed_rows(queryset, key=key, wanted=size + 1, window=window, after=after)
        else:
            rows = list(queryset.filter(**{f"{key}__gt": after}).order_by(key)[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        page = KeysetPage(rows, newer=_key_of(rows[0], key, spell) if more and rows else None)
        page.older = _key_of(rows[-1], key, spell) if rows else None
        return page
    if window:
        rows = windowed_rows(queryset, key=key, wanted=size + 1, window=window, before=before)
    else:
        if before is not None:
            queryset = queryset.filter(**{f"{key}__lt": before})
        rows = list(queryset.order_by(f"-{key}")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        newer=_key_of(rows[0], key, spell) if before is not None and rows else None,
        older=_key_of(rows[-1], key, spell) if more else None,
    )


def query_without_cursor(params, *names: str) -> str:
    """The current query string without a paging cursor (``before``/``after``/``page`` unless ``names``
    says which), for the pager's links: another list's cursor on the same page is kept."""
    query = params.copy()
    for name in names or ("before", "after", "page"):
        query.pop(name, None)
    return query.urlencode()


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def time_cursor(moment: dt.datetime, pk: int) -> str:
    """The cursor of a row in a list newest first by (time, pk): ``<microseconds since 1970>_<pk>``
    (exact: no float, no time zone to spell in a URL)."""
    delta = moment - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}_{pk}"


def _parse_time_cursor(value: str) -> tuple[dt.datetime, int]:
    micros, pk = value.split("_")
    try:
        return _EPOCH + dt.timedelta(microseconds=int(micros)), int(pk)
    except OverflowError:  # a cursor typed by hand, beyond year 9999: the first page, as any bad cursor
        raise ValueError(value) from None


def keyset_page_by_time(
    queryset: QuerySet, params, *, time_field: str, size: int = PAGE_SIZE, prefix: str = ""
) -> KeysetPage:
    """Like ``keyset_page``, for a list newest first by ``time_field`` (ties broken by pk, newest first),
    where ids do not follow the times (an account disconnected today may be an old row). The cursor is the
    (time, pk) pair of the last row shown (``time_cursor``); every row must have a time.

    The condition is a row comparison, ``(time, pk) < (t, p)``: PostgreSQL reads it as an index range on
    (time desc, pk desc) and stops after ``size + 1`` rows, even when thousands of rows share the time (a
    mass revocation disconnects every account at one instant). Django's ``Paginator`` read page 100 of
    compliance's revoked accounts with an ``OFFSET`` of 4,950 (issue 13): 300 ms; this, 0.3 ms."""
    before = _cursor(params.get(f"{prefix}before"), _parse_time_cursor)
    after = _cursor(params.get(f"{prefix}after"), _parse_time_cursor)

    def key(row) -> str:
        return time_cursor(getattr(row, time_field), row.pk)

    if after is not None:
        moment, pk = after
        newer_rows = queryset.filter(TupleGreaterThan(Tuple(F(time_field), F("pk")), (moment, pk)))
        rows = list(newer_rows.order_by(time_field, "pk")[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        page = KeysetPage(rows, newer=key(rows[0]) if more and rows else None)
        page.older = key(rows[-1]) if rows else None
    else:
        if before is not None:
            moment, pk = before
            queryset = queryset.filter(TupleLessThan(Tuple(F(time_field), F("pk")), (moment, pk)))
        rows = list(queryset.order_by(f"-{time_field}", "-pk")[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        page = KeysetPage(
            rows,
            newer=key(rows[0]) if before is not None and rows else None,
            older=key(rows[-1]) if more else None,
        )
    page.prefix = prefix
    return page
