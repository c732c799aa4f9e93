"""Fill Engager from the interactions stored before it existed (one aggregate, any database)."""

from django.db import migrations
from django.db.models import Count, Max, Min


def backfill(apps, schema_editor):
    Interaction = apps.get_model("relationships", "Interaction")
    Engager = apps.get_model("relationships", "Engager")
    rows = (
        Interaction.objects.exclude(kind="unfollow")
        .values("adviser_id", "actor_id")
        .annotate(
            n=Count("id"),
            first=Min("occurred_at"),
            last=Max("occurred_at"),
            username=Max("actor_username"),
            name=Max("actor_name"),
        )
        .order_by()
    )
    batch = []
    for row in rows.iterator(chunk_size=5000):
        batch.append(
            Engager(
                adviser_id=row["adviser_id"],
                actor_id=row["actor_id"],
                actor_username=row["username"] or "",
                actor_name=row["name"] or "",
                engagements=row["n"],
                first_engaged_at=row["first"],
                last_engaged_at=row["last"],
            )
        )
        if len(batch) >= 5000:
            Engager.objects.bulk_create(batch)
            batch = []
    Engager.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("relationships", "0005_engagers")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
