"""Keeping ``Engager`` (one row per adviser and person who engaged) up to date as interactions are stored.

One ``INSERT … ON CONFLICT DO UPDATE`` per ingestion batch, in the batch's transaction: the count is added,
the first and last dates widened, the handle and name refreshed when the new rows carry them. Rows are
written in key order, so two batches touching the same people lock them in the same order (no deadlock).
Django's ``bulk_create(update_conflicts=True)`` can only set a column to the new value, not add to it, hence
the one statement written here; PostgreSQL and SQLite (3.24+) share its syntax but name the two-argument
minimum and maximum differently.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from advocacy.relationships.models import Engager, Interaction
from advocacy.relationships.signals import ENGAGEMENT_KINDS


def _summaries(rows: Iterable[Interaction]) -> list[tuple]:
    found: dict[tuple[int, str], list] = {}
    for row in rows:
        if row.kind not in ENGAGEMENT_KINDS:
            continue
        key = (row.adviser_id, row.actor_id)
        if key not in found:
            found[key] = [row.actor_username, row.actor_name, 0, row.occurred_at, row.occurred_at]
        entry = found[key]
        entry[0], entry[1] = row.actor_username or entry[0], row.actor_name or entry[1]
        entry[2] += 1
        entry[3], entry[4] = min(entry[3], row.occurred_at), max(entry[4], row.occurred_at)
    return [(*key, *found[key]) for key in sorted(found)]


def count_engagements(rows: Iterable[Interaction]) -> None:
    """Add newly stored ``rows`` to their people's summaries (call inside the transaction storing them)."""
    values = _summaries(rows)
    if not values:
        return
    table = connection.ops.quote_name(Engager._meta.db_table)
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(values))
    sql = (
        f"INSERT INTO {table} (adviser_id, actor_id, actor_username, actor_name, engagements, "  # noqa: S608
        f"first_engaged_at, last_engaged_at) VALUES {placeholders} "
        "ON CONFLICT (adviser_id, actor_id) DO UPDATE SET "
        f"engagements = {table}.engagements + excluded.engagements, "
        f"first_engaged_at = {least}({table}.first_engaged_at, excluded.first_engaged_at), "
        f"last_engaged_at = {greatest}({table}.last_engaged_at, excluded.last_engaged_at), "
        f"actor_username = CASE WHEN excluded.actor_username <> '' THEN excluded.actor_username "
        f"ELSE {table}.actor_username END, "
        "actor_name = CASE WHEN excluded.actor_name <> '' THEN excluded.actor_name "
        f"ELSE {table}.actor_name END"
    )
    params = [
        value
        for adviser_id, actor_id, username, name, count, first, last in values
        for value in (
            adviser_id,
            actor_id,
            username,
            name,
            count,
            connection.ops.adapt_datetimefield_value(first),
            connection.ops.adapt_datetimefield_value(last),
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def forget(adviser_id: int, actor_ids: Iterable[str]) -> None:
    """Erasure: the summaries of these people for this adviser go with their interactions."""
    Engager.objects.filter(adviser_id=adviser_id, actor_id__in=list(actor_ids)).delete()
