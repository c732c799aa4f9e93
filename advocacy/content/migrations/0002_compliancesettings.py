# ComplianceSettings moved here from the review app (content's validation reads it; content never imports
# compliance.review). No production install existed: the review app's initial migration no longer creates it.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplianceSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "allowed_domains",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Links may only point to these domains (and their sub-domains).",
                        verbose_name="allowed link domains",
                    ),
                ),
                (
                    "max_weighted_length",
                    models.PositiveIntegerField(
                        default=280, help_text="X counts 280 weighted characters.", verbose_name="maximum weighted length"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "compliance settings",
                "verbose_name_plural": "compliance settings",
            },
        ),
    ]
