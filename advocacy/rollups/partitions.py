"""Monthly range partitions of the event tables on PostgreSQL (declarative partitioning).

Link clicks and metric snapshots only ever grow, are read by date range and are kept for years: one
partition per UTC month keeps each month's indexes small, lets a query on a date range skip the other
months (partition pruning), and lets an old month be detached and archived whole instead of deleted row
by row. ``ensure`` creates the coming months ahead (a beat task, daily), so an insert always finds its
month; a row whose month has no partition yet (a clock far off, a backfill) lands in the table's DEFAULT
partition and is moved into its month when that month is created, in the same transaction.

Why hand-written DDL: django-postgres-extra, the maintained library for this, needs its own database
backend in ``DATABASES`` for every query of the project; four statements per month do not justify that.
The embedded SQLite default has no partitions and needs none (``ensure`` does nothing there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class Partitioned:
    table: str
    column: str


# The tables partitioned by month, and the time column each is partitioned on (migration 0002 made them).
TABLES = (
    Partitioned("shares_shareclick", "clicked_at"),
    Partitioned("metrics_metricsnapshot", "read_at"),
)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_y{month.year:04d}m{month.month:02d}"


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s",
            [table],
        )
        return cursor.fetchone() is not None


def existing(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


def _bound(month: dt.date) -> str:
    return f"{month.isoformat()} 00:00:00+00"


def create_month(spec: Partitioned, month: dt.date) -> bool:
    """Create ``spec``'s partition for ``month`` (rows of that month waiting in the default partition moved
    into it); False if it existed. One transaction: an insert meanwhile waits, nothing is lost."""
    name = partition_name(spec.table, month)
    low, high = _bound(month), _bound(next_month(month))
    default = f"{spec.table}_default"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [spec.table])
        if name in existing(spec.table):
            return False
        cursor.execute(
            f'CREATE TABLE "{name}" (LIKE "{spec.table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
        )
        cursor.execute(
            f'WITH moved AS (DELETE FROM "{default}" WHERE "{spec.column}" >= %s AND "{spec.column}" < %s '  # noqa: S608
            f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved',
            [low, high],
        )
        cursor.execute(  # bounds are dates computed here: literals (DDL takes no parameters)
            f'ALTER TABLE "{spec.table}" ATTACH PARTITION "{name}" '
            f"FOR VALUES FROM ('{low}') TO ('{high}')"
        )
    return True


def ensure(*, today: dt.date, months_ahead: int, since: dt.date | None = None) -> list[str]:
    """Every month from ``since`` (default: this month) to ``months_ahead`` months after this one exists,
    for every partitioned table; returns the partitions created. Nothing on SQLite."""
    created: list[str] = []
    last = month_start(today)
    for _ in range(months_ahead):
        last = next_month(last)
    for spec in TABLES:
        if not is_partitioned(spec.table):
            continue
        for month in months(since or today, last):
            if create_month(spec, month):
                created.append(partition_name(spec.table, month))
    return created
