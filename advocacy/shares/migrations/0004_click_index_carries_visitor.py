"""The clicks' (share, time) index carries the visitor hash (PostgreSQL's INCLUDE), so that counting a set of
shares' clicks and visitors over a time range reads the index only (issue 13: the adviser's home).

After the partitioning of the clicks (rollups 0001), which re-creates the indexes it knew on the
partitioned table: this one then replaces that index on every partition. On a partitioned table PostgreSQL
builds an index without CONCURRENTLY, so the buffered clicks' flush waits for the build: 14 s for 5,000,000
clicks on the bench machine."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shares", "0003_share_delete_requested"),
        ("rollups", "0001_partition_event_tables"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="shareclick", name="click_share_time"),
        migrations.AddIndex(
            model_name="shareclick",
            index=models.Index(
                fields=["share", "clicked_at"], include=("visitor",), name="click_share_time_visitor"
            ),
        ),
    ]
