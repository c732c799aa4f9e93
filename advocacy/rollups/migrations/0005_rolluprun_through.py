"""``RollupRun.through``: up to when a day's rows count events. Runs recorded before it get the day's end
when they finished after the day was over (complete days, as they were judged then), else null (their rows
are not used as a partial day: a dashboard reads that day from the events, as before)."""

import datetime as dt

from django.db import migrations, models


def complete_days_through_their_end(apps, schema_editor):
    RollupRun = apps.get_model("rollups", "RollupRun")
    for run in RollupRun.objects.filter(through__isnull=True).iterator():
        end = dt.datetime.combine(run.day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        if run.finished_at >= end:
            RollupRun.objects.filter(pk=run.pk).update(through=end)


class Migration(migrations.Migration):
    dependencies = [("rollups", "0004_daily_figures_covering_indexes")]

    operations = [
        migrations.AddField(
            model_name="rolluprun",
            name="through",
            field=models.DateTimeField(null=True, verbose_name="events counted until"),
        ),
        migrations.RunPython(complete_days_through_their_end, migrations.RunPython.noop),
    ]
