"""``share_adviser_published`` carries the item: the team dashboard's count of the library items its
advisers shared over the period reads the index alone (issue 16, item 8)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shares", "0007_campaign_ids_carry_published"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="share", name="share_adviser_published"),
        migrations.AddIndex(
            model_name="share",
            index=models.Index(
                fields=["adviser", "published_at"], include=("id", "item"), name="share_adviser_published"
            ),
        ),
    ]
