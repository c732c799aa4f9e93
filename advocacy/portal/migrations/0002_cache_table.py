"""The table of Django's database cache (settings: ``CACHES`` without ``REDIS_URL``).

``manage.py createcachetable`` is not run by ``migrate``; a migration is, everywhere (``make demo``, the
test database, a release). The table is named explicitly (createcachetable's table-name argument) rather
than read from ``CACHES``, so it exists whichever cache a deployment configures today and a switch from
Redis back to the embedded default needs no extra step. Safe to re-run: an existing table is kept.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "relais_cache"  # settings.CACHES["default"]["LOCATION"] without REDIS_URL


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
