"""The snapshots by time (issue 16, item 8), for the same reason as the clicks' (shares 0006): the
dashboards' tail from the tail's reads. After the partitioning (rollups 0001), so that it is made on the
partitioned table and every partition, present and to come, has it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("rollups", "0001_partition_event_tables"),
        ("shares", "0006_shareclick_click_time"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="metricsnapshot",
            index=models.Index(fields=["read_at"], include=("share",), name="snapshot_time"),
        ),
    ]
