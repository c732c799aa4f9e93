"""``share_campaign_ids`` on (campaign, published_at): the campaigns list counts its 20 campaigns' posts
published up to the period's end from the index alone (issue 16, item 8; it read their ~10,000 rows' heap
blocks, 3,100 at bank scale). Still carries the id for the dashboards' tail."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shares", "0006_shareclick_click_time"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="share", name="share_campaign_ids"),
        migrations.AddIndex(
            model_name="share",
            index=models.Index(
                condition=models.Q(("campaign__isnull", False)),
                fields=["campaign", "published_at"],
                include=("id",),
                name="share_campaign_ids",
            ),
        ),
    ]
