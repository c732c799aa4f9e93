"""Link clicks and metric snapshots become tables partitioned by UTC month, on PostgreSQL only.

Each table is rebuilt: renamed aside, a partitioned table of the same columns created in its place (primary
key ``(id, <time column>)``, as PostgreSQL requires the partition key in every unique index; ids still come
from one sequence, so ``id`` alone stays unique), a DEFAULT partition, one partition per month of the
existing rows up to three months ahead, the rows copied, the old table dropped, the indexes Django declared
re-created on the partitioned table. Django's model state does not change (``id`` remains its primary key),
so nothing else in the code knows. Irreversible by design: the data stays partitioned.
"""

import datetime as dt

from django.db import migrations

from advocacy.rollups import partitions

REBUILDS = [
    {
        "table": "shares_shareclick",
        "column": "clicked_at",
        "columns": "id bigint NOT NULL DEFAULT nextval('{seq}'), share_id bigint NOT NULL, "
        "clicked_at timestamptz NOT NULL, visitor varchar(32) NOT NULL",
        "names": "id, share_id, clicked_at, visitor",
        "foreign_keys": [("share_id", "shares_share")],
        "indexes": ["CREATE INDEX click_share_time ON shares_shareclick (share_id, clicked_at)"],
    },
    {
        "table": "metrics_metricsnapshot",
        "column": "read_at",
        "columns": "id bigint NOT NULL DEFAULT nextval('{seq}'), share_id bigint NOT NULL, "
        "post_id varchar(32) NOT NULL, read_at timestamptz NOT NULL, "
        + ", ".join(
            f"{name} bigint NOT NULL CHECK ({name} >= 0)"
            for name in ("impressions", "likes", "reposts", "replies", "quotes", "bookmarks")
        ),
        "names": "id, share_id, post_id, read_at, impressions, likes, reposts, replies, quotes, bookmarks",
        "foreign_keys": [("share_id", "shares_share")],
        "indexes": [
            "CREATE INDEX metrics_snapshot_share_at ON metrics_metricsnapshot (share_id, read_at DESC)"
        ],
    },
]


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    cursor = schema_editor.connection.cursor()
    today = dt.datetime.now(dt.UTC).date()
    for spec in REBUILDS:
        table, column = spec["table"], spec["column"]
        old, seq = f"{table}_unpartitioned", f"{table}_pid_seq"
        cursor.execute(f'SELECT min("{column}"), max("{column}"), max(id) FROM "{table}"')
        first, last, max_id = cursor.fetchone()
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        cursor.execute(f'CREATE SEQUENCE "{seq}"')
        columns = spec["columns"].format(seq=seq)
        cursor.execute(
            f'CREATE TABLE "{table}" ({columns}, PRIMARY KEY (id, "{column}")) PARTITION BY RANGE ("{column}")'
        )
        cursor.execute(f'ALTER SEQUENCE "{seq}" OWNED BY "{table}".id')
        for fk_column, target in spec["foreign_keys"]:
            cursor.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_{fk_column}_fk" FOREIGN KEY ("{fk_column}") '
                f'REFERENCES "{target}" (id) DEFERRABLE INITIALLY DEFERRED'
            )
        for statement in spec["indexes"]:
            cursor.execute(f"DROP INDEX IF EXISTS {statement.split()[2]}")  # the old table's, same name
            cursor.execute(statement)
        cursor.execute(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT')
        start = min(first.date(), today) if first else today
        end = max(last.date(), today) if last else today
        for _ in range(3):
            end = partitions.next_month(partitions.month_start(end))
        for month in partitions.months(start, end):
            low = f"{month.isoformat()} 00:00:00+00"
            high = f"{partitions.next_month(month).isoformat()} 00:00:00+00"
            cursor.execute(  # bounds are dates we computed: literals (DDL takes no parameters)
                f'CREATE TABLE "{partitions.partition_name(table, month)}" PARTITION OF "{table}" '
                f"FOR VALUES FROM ('{low}') TO ('{high}')"
            )
        names = spec["names"]
        cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{old}"')  # noqa: S608
        cursor.execute(f'DROP TABLE "{old}"')
        cursor.execute("SELECT setval(%s, %s, %s)", [seq, (max_id or 0) + 1, False])
        cursor.execute(f'ANALYZE "{table}"')


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("shares", "0002_share_campaign_live"),
        ("metrics", "0001_initial"),
    ]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
