"""The indexes of ``DailyPostFigures`` that carry what the dashboards sum (after 0003 filled the columns: a
separate migration, as PostgreSQL refuses an index on a table with pending foreign-key checks in the same
transaction)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('rollups', '0003_daily_gains_and_campaign'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='dailypostfigures',
            index=models.Index(fields=['adviser', 'day'], include=('share', 'clicks', 'impressions_gained', 'engagements_gained'), name='rollup_adviser_day'),
        ),
        migrations.AddIndex(
            model_name='dailypostfigures',
            index=models.Index(condition=models.Q(('campaign__isnull', False)), fields=['campaign', 'day'], include=('share', 'clicks', 'impressions_gained', 'engagements_gained'), name='rollup_campaign_day'),
        ),
    ]
