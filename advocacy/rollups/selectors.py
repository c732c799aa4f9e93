"""Reading clicks and what posts' counts gained over a date range from the daily roll-up where it covers the
range, from the raw events after it: the same figures as counting every click and differencing every post's
snapshots, for the cost of reading one row per post and day.

The roll-up covers the complete days and, after them, today so far (a *partial* day: beat rolls it up every
ten minutes; its rows count the events before its ``RollupRun.through``, ``ROLLUP_SETTLE_SECONDS`` before
the run). The events take over at ``through``: the *tail* is the last ten minutes or so of the bank's
events, not the whole day (at bench scale ~53,000 clicks and ~18,000 reads a day; the whole day was the tail
until the roll-up recorded ``through``, and its join cost the branch and regional team pages and the
campaign list most of their time under load). A day not rolled up since it ended, or not at all, and the
days after it are read from the events, as before.

The raw tail never reads the bank's history of events: the tail's clicks and reads (the tail's partition
of each table) are joined to the asked shares and counted per share, then only the posts read in the tail
are differenced (their latest read of each tail day and their latest read before the tail). PostgreSQL
plans the join: from the tail's events in time order (``click_time``, ``snapshot_time``: index-only,
hashed against the scope's shares; the cost is the bank's events of the tail: ~1,200 in twelve minutes at
bench scale, against ~70,000 when the tail was the whole day) or from the shares with an index probe each
(the scope's number of shares: a few hundred for one adviser).
Before the time indexes only the second way existed: 11,000 shares for a 200-adviser region at bench
scale, 27 ms of the regional team page's SQL (16 ms then), 46 ms of the campaigns list's (15 ms). On
PostgreSQL the clicks and the reads are one stream joined once (``_tail_posts_joined_once``: the scope's
shares hashed once, not once per kind of event; ~11 ms for the region). The tail's bounds are timestamptz
parameters on the partition keys themselves, so only the tail's partition is scanned ("Subplans Removed"
in a generic plan); the reads' lookup of each post's previous read has no lower bound (it may be in any
month) and so visits every month's partition, by index on (share, read_at).

A day is complete once a roll-up counted it to its end (``through``: a run started ``ROLLUP_SETTLE_SECONDS``
after midnight; an event reaches its table within seconds, the click buffer's flush); a later re-run (a
backfill) only makes it more so. The same margin makes a partial day exact: what its run skipped is after
its ``through``, which the tail reads (``advocacy.rollups.services``).

The covered days' sums are cached (``rolled_up``): a day's rows change only when that day is rolled up
again (``rollup_day`` replaces them and its ``RollupRun`` in one transaction, with a new ``finished_at``), so
a key naming the scope, the range and each summed day's ``finished_at`` is retired by any roll-up of those
days, whatever order concurrent runs commit in. The tail is always read live.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate

from advocacy.metrics.models import MetricSnapshot
from advocacy.rollups.models import DailyPostFigures, RollupRun
from advocacy.rollups.services import engagements_of
from advocacy.shares.models import Share, ShareClick

UTC = dt.UTC


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=UTC)


def counted_to_end(day: dt.date, through: dt.datetime | None) -> bool:
    """Whether a run of ``day`` that counted the events before ``through`` holds the whole day (a complete
    day); null: an old run that never was (migration rollups 0005)."""
    return through is not None and through >= _midnight(day + dt.timedelta(days=1))


def _covered(start: dt.datetime, end: dt.datetime) -> tuple[dt.date | None, tuple, dt.datetime]:
    """What the roll-up covers of the range, from its first day on (one query): the complete days, then at
    most one partial day (rolled up before it was over: its rows count the events before its ``through``,
    today's every ten minutes). Returns the last day covered (None if the first day is not), the
    ``finished_at`` of each covered day (their generation) and where the events take over (the tail's
    start: the last covered day's ``through``, or ``start``)."""
    first, last = start.astimezone(UTC).date(), (end - dt.timedelta(microseconds=1)).astimezone(UTC).date()
    rows = RollupRun.objects.filter(day__gte=first, day__lte=last)
    runs = {day: rest for day, *rest in rows.values_list("day", "through", "finished_at")}
    until, day, finished, tail_start = None, first, [], start
    while day <= last and day in runs:
        through, finished_at = runs[day]
        if through is None or through <= _midnight(day) or through > end:
            break
        until, tail_start = day, min(through, _midnight(day + dt.timedelta(days=1)))
        finished.append(finished_at)
        if not counted_to_end(day, through):  # a partial day: the events take over from its ``through``
            break
        day += dt.timedelta(days=1)
    return until, tuple(finished), tail_start


def complete_until(start: dt.datetime, end: dt.datetime) -> dt.date | None:
    """The last day D such that every UTC day from ``start``'s to D is complete (one query); None if the
    first is not. ``start`` must be a UTC midnight."""
    until, _finished, tail_start = _covered(start, end)
    if until is None or counted_to_end(until, tail_start):
        return until
    return until - dt.timedelta(days=1) if until > start.astimezone(UTC).date() else None


def latest_run() -> RollupRun | None:
    """The roll-up run that finished last (the administrators' status page)."""
    return RollupRun.objects.order_by("-finished_at").first()


ROLLED_UP_CACHE_SECONDS = 3600
T = TypeVar("T")


def rolled_up(name: str, parts: tuple, build: Callable[[], T]) -> T:
    """What ``build`` sums from the roll-up's rows of complete days, cached under ``name`` and ``parts``:
    everything the sums depend on, i.e. the scope (ids, and any attribute the rows are grouped by), the
    range of days and the roll-up generation of each of those days (its ``RollupRun.finished_at``; not the
    latest run and the number of runs, which a re-run of an older day committing late leaves as they were),
    so a roll-up that rewrites any of them is a new key. No query on a
    hit; an hour's lifetime (a share deleted by hand is seen within it)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    key = f"rollups:{name}:{digest}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, ROLLED_UP_CACHE_SECONDS)
    return found


def clicks_by_adviser(advisers, start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """Link clicks on the shares of ``advisers`` (a queryset of users) from ``start`` (a UTC midnight) to
    ``end``, per adviser id. Three queries."""
    counts: dict[int, int] = {}
    until, _finished, tail_start = _covered(start, end)
    if until is not None:
        rolled = DailyPostFigures.objects.filter(
            adviser__in=advisers, day__gte=start.astimezone(UTC).date(), day__lte=until
        )
        for row in rolled.values("adviser_id").annotate(n=Sum("clicks")).order_by():
            counts[row["adviser_id"]] = row["n"] or 0
    if tail_start < end:
        for row in (
            ShareClick.objects.filter(
                share__adviser__in=advisers, clicked_at__gte=tail_start, clicked_at__lt=end
            )
            .values("share__adviser_id")
            .annotate(n=Count("*"))  # "*": click_share_time alone answers (index-only scan)
            .order_by()
        ):
            counts[row["share__adviser_id"]] = counts.get(row["share__adviser_id"], 0) + row["n"]
    return counts


@dataclass
class Gained:
    """What a group of posts gained over a range: X's impressions and engagements, link clicks."""

    impressions: int = 0
    engagements: int = 0
    clicks: int = 0

    def add(self, impressions: int = 0, engagements: int = 0, clicks: int = 0) -> None:
        self.impressions += impressions
        self.engagements += engagements
        self.clicks += clicks


# Columns ``DailyPostFigures`` copies from the share: a filter or key on them reads the row's own column and
# index (rollup_adviser_day, rollup_campaign_day) instead of joining the share.
_COPIED = {"adviser", "adviser_id", "campaign", "campaign_id"}


def _on_figures(path: str) -> str:
    return path if path.split("__", 1)[0] in _COPIED else f"share__{path}"


def _on_events(shares: dict) -> dict:
    return {f"share__{path}": value for path, value in shares.items()}


def _rolled(shares: dict, start: dt.datetime, until: dt.date | None):
    if until is None:
        return DailyPostFigures.objects.none()
    return DailyPostFigures.objects.filter(
        day__gte=start.astimezone(UTC).date(),
        day__lte=until,
        **{_on_figures(path): value for path, value in shares.items()},
    )


_COUNTS = ("share_id", "impressions", "likes", "reposts", "replies", "quotes")


# Up to this many posts read in the tail, their snapshots are looked up by id (an index probe per post and
# month); more (days not rolled up for long) and the posts are given as a subquery, one query either way.
_TAIL_IDS = 5000


def _tail_posts(
    shares: dict, tail_start: dt.datetime, end: dt.datetime, keys: tuple[str, ...], *, clicks=True
):
    """The shares matching ``shares`` that were clicked or read in the tail: {id: (their ``keys``' values,
    clicks in the tail, read in the tail)}. One query: on PostgreSQL with clicks, the tail's clicks and
    reads joined once to the matching shares (``_tail_posts_joined_once``); otherwise (SQLite,
    ``clicks=False``: the reads alone) the tail's clicks and its reads, each joined to the matching shares
    and counted per share (a UNION ALL of two ORM queries).

    Each side is a join PostgreSQL plans from its statistics (module docstring): the tail's events read by
    time and hashed against the scope's shares, or a probe per share. Its estimate prefers the first from a
    few hundred shares on; measured on the bench copy the probes stay cheaper up to ~3,000 shares (a branch
    of 2,000 shares: 9 ms probing, 13 ms hashing), the hash far cheaper for a region (11,000 shares: 16 ms
    against 27) or a page of campaigns (10,000: 15 against 46)."""
    if clicks and connection.vendor == "postgresql":
        return _tail_posts_joined_once(shares, tail_start, end, keys)
    # Rows as tuples: (share id, the keys' values..., clicks, reads); 1,000-odd posts for a region.
    fields = ("share_id", *(f"share__{path}" for path in keys))
    scope = _on_events(shares)
    zero = Value(0, output_field=IntegerField())
    clicked = (
        ShareClick.objects.filter(clicked_at__gte=tail_start, clicked_at__lt=end, **scope)
        .values_list(*fields)
        .annotate(tail_clicks=Count("*"), tail_reads=zero)
        .order_by()
    )
    read = (
        MetricSnapshot.objects.filter(read_at__gte=tail_start, read_at__lt=end, **scope)
        .values_list(*fields)
        .annotate(tail_clicks=zero, tail_reads=Count("*"))
        .order_by()
    )
    n = len(fields)
    posts: dict = {}
    for row in clicked.union(read, all=True) if clicks else read:
        share_id, was = row[0], posts.get(row[0])
        if was is None:
            posts[share_id] = (row[1:n], row[n], row[n + 1] > 0)
        else:
            posts[share_id] = (was[0], was[1] + row[n], was[2] or row[n + 1] > 0)
    return posts


def _tail_posts_joined_once(shares: dict, tail_start: dt.datetime, end: dt.datetime, keys: tuple[str, ...]):
    """``_tail_posts`` on PostgreSQL, clicks and reads: the tail's clicks and reads as one stream (a UNION
    ALL of the two time-index scans, each pruned to the tail's partition), joined ONCE to the scope's shares
    and counted per share. The UNION ALL of two joins hashed the scope's shares twice (11,000 for the bench
    region, ~3 ms each) and probed twice. The scope is the ORM's own SQL for
    ``Share.objects.filter(**shares)`` (the same lookups and joins, ``__any`` included); one query, none for
    an empty scope (as the ORM's)."""
    scope = Share.objects.filter(**shares).values_list("pk", *keys).order_by()
    try:
        scope_sql, scope_params = scope.query.sql_with_params()
    except EmptyResultSet:
        return {}
    qn = connection.ops.quote_name

    def events(model, time_field: str, clicked: str) -> str:
        meta = model._meta
        share, at = qn(meta.get_field("share").column), qn(meta.get_field(time_field).column)
        # Our models' table and column names, quoted; the bounds are parameters.
        return (
            f"SELECT {share} AS share_id, {clicked} AS clicked "  # noqa: S608
            f"FROM {qn(meta.db_table)} WHERE {at} >= %s AND {at} < %s"
        )

    named = "".join(f", k{i}" for i in range(len(keys)))
    grouped = "".join(f", s.k{i}" for i in range(len(keys)))
    sql = (
        f"SELECT e.share_id{grouped}, "  # noqa: S608 - our names, the ORM's scope SQL; values are parameters
        "COUNT(*) FILTER (WHERE e.clicked), COUNT(*) FILTER (WHERE NOT e.clicked) "
        f"FROM ({events(ShareClick, 'clicked_at', 'TRUE')} "
        f"UNION ALL {events(MetricSnapshot, 'read_at', 'FALSE')}) e "
        f"JOIN ({scope_sql}) s (id{named}) ON s.id = e.share_id GROUP BY e.share_id{grouped}"
    )
    n = len(keys) + 1
    with connection.cursor() as cursor:
        cursor.execute(sql, [tail_start, end, tail_start, end, *scope_params])
        return {row[0]: (tuple(row[1:n]), row[n], row[n + 1] > 0) for row in cursor.fetchall()}


def _tail_reads(posts: dict, tail_start: dt.datetime, end: dt.datetime):
    """What each post read in the tail (``posts``: ``_tail_posts``) gained on each tail day: (share id, day,
    impressions, engagements). One query: their latest read of each tail day and their latest read before
    the tail (a window partitioned by post and read day, "before" being one partition), looked up by post id
    and differenced here."""
    ids = [pk for pk, (_group, _clicks, read) in posts.items() if read]
    if not ids:
        return
    # ``__any``: the ids as one array parameter (advocacy.web.lookups), not one placeholder each.
    posts_read = {"share_id__any": ids}
    if len(ids) > _TAIL_IDS:
        posts_read = {
            "share_id__in": MetricSnapshot.objects.filter(
                share_id__any=ids, read_at__gte=tail_start, read_at__lt=end
            ).values("share_id")
        }
    day = Case(
        When(read_at__lt=tail_start, then=Value(None)),
        default=TruncDate("read_at", tzinfo=UTC),
        output_field=DateField(),
    )
    rows = (
        MetricSnapshot.objects.filter(**posts_read, read_at__lt=end)
        .annotate(
            read_day=day,
            rank=Window(RowNumber(), partition_by=[F("share_id"), day], order_by=F("read_at").desc()),
        )
        .filter(rank=1)
        .values_list(*_COUNTS, "read_day")
    )
    previous: dict[int, tuple[int, int]] = {}
    # (share id, impressions, likes, reposts, replies, quotes, read day): "before" (None) first per post.
    for share_id, impressions, *counted, day in sorted(rows, key=lambda r: (r[0], r[6] is not None, r[6])):
        counts = impressions, engagements_of(*counted)
        was = previous.get(share_id, (0, 0))
        previous[share_id] = counts
        if day is not None:
            yield share_id, day, counts[0] - was[0], counts[1] - was[1]


def _cache_scope(keys: tuple[str, ...], shares: dict) -> tuple | None:
    """What names ``figures_by``'s rolled-up sums, when they may be cached: grouped by and filtered on the
    columns the roll-up copies (the rows' own ``adviser_id``, ``campaign_id``: fixed when the day is rolled
    up, so the sums depend on the ids alone), with ids as values. None otherwise (a key or filter through
    the share's adviser's branch changes with the people, not with the roll-up: not cached)."""
    if not all(path in _COPIED for path in keys):
        return None
    scope = []
    for path, value in sorted(shares.items()):
        if path.split("__", 1)[0] not in _COPIED:
            return None
        if isinstance(value, int):
            scope.append((path, value))
        elif isinstance(value, list | tuple | set | frozenset) and all(type(v) is int for v in value):
            scope.append((path, tuple(sorted(value))))
        else:
            return None
    return keys, tuple(scope)


def figures_by(
    key: str | tuple[str, ...], shares: dict, start: dt.datetime, end: dt.datetime
) -> dict[Hashable, Gained]:
    """Impressions and engagements gained and link clicks from ``start`` (a UTC midnight) to ``end`` by the
    shares matching ``shares`` (lookups on ``Share``, e.g. ``{"adviser__in": team}``), grouped by ``key`` (a
    path from ``Share``: ``adviser_id``, ``campaign_id``, ``approved_text__variant_id``,
    ``adviser__staff__branch__name``; a tuple of paths groups by their values' tuple). Four queries: the
    complete days, their rows, the posts clicked or read in the tail (with their clicks), their reads; three
    when the complete days' sums are cached (``rolled_up``: grouped by and filtered on the roll-up's own
    ``adviser``/``campaign`` columns with ids, as the team page and the campaigns list do)."""
    keys = (key,) if isinstance(key, str) else tuple(key)
    figures: dict[tuple, Gained] = defaultdict(Gained)
    until, finished, tail_start = _covered(start, end)

    def sums() -> dict[tuple, tuple[int, int, int]]:
        rows = (
            _rolled(shares, start, until)
            .values_list(*(_on_figures(path) for path in keys))
            .annotate(i=Sum("impressions_gained"), e=Sum("engagements_gained"), c=Sum("clicks"))
            .order_by()
        )
        n = len(keys)
        return {tuple(row[:n]): (row[n] or 0, row[n + 1] or 0, row[n + 2] or 0) for row in rows}

    scope = _cache_scope(keys, shares)
    if until is None:
        summed = {}
    elif scope is None:
        summed = sums()
    else:
        summed = rolled_up("figures", (scope, start.astimezone(UTC).date(), until, finished), sums)
    for group, (impressions, engagements, clicks) in summed.items():
        figures[group].add(impressions, engagements, clicks)
    if tail_start < end:
        posts = _tail_posts(shares, tail_start, end, keys)
        for group, clicks, _read in posts.values():
            figures[group].add(clicks=clicks)
        for share_id, _day, impressions, engagements in _tail_reads(posts, tail_start, end):
            figures[posts[share_id][0]].add(impressions, engagements)
    if isinstance(key, str):
        return {group[0]: gained for group, gained in figures.items()}
    return dict(figures)


def figures_by_share_day(shares: dict, start: dt.datetime, end: dt.datetime) -> dict[tuple, Gained]:
    """The same figures per (share id, UTC day), for a day-by-day chart and a post ranking (five queries)."""
    figures: dict[tuple, Gained] = defaultdict(Gained)
    until, _finished, tail_start = _covered(start, end)
    for row in _rolled(shares, start, until).values(
        "share_id", "day", "impressions_gained", "engagements_gained", "clicks"
    ):
        figures[row["share_id"], row["day"]].add(
            row["impressions_gained"], row["engagements_gained"], row["clicks"]
        )
    if tail_start < end:
        for row in (
            ShareClick.objects.filter(clicked_at__gte=tail_start, clicked_at__lt=end, **_on_events(shares))
            .values("share_id", day=TruncDate("clicked_at", tzinfo=UTC))
            .annotate(n=Count("*"))
            .order_by()
        ):
            figures[row["share_id"], row["day"]].add(clicks=row["n"])
        posts = _tail_posts(shares, tail_start, end, (), clicks=False)
        for share_id, day, impressions, engagements in _tail_reads(posts, tail_start, end):
            figures[share_id, day].add(impressions, engagements)
    return dict(figures)
