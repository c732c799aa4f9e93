"""The clicks by time (issue 16, item 8): the dashboards' raw tail (``rollups.selectors._tail_posts``) can
start from the tail's clicks, joined to the scope's shares, instead of one index probe per share of the scope.

After the partitioning (rollups 0001, through 0004): on PostgreSQL the index is made on the partitioned table,
so every month's partition gets its own, and a month ``partitions.create_month`` attaches later gets it
when it is attached. Built without CONCURRENTLY (PostgreSQL cannot on a partitioned table): the click
buffer's flush waits for the build, about 5 s for 5,000,000 clicks on the bench machine."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shares", "0005_share_indexes_carry_id"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="shareclick",
            index=models.Index(fields=["clicked_at"], include=("share",), name="click_time"),
        ),
    ]
