"""Refuse UPDATE, DELETE and TRUNCATE on the archive's records, checkpoints and purge anchors, in the
database itself (PostgreSQL trigger function, SQLite triggers). See compliance/archive/protection.py for the
statements and for the permit that only the retention purge opens."""

from django.db import migrations


def install(apps, schema_editor):
    from compliance.archive.protection import install as install_triggers

    install_triggers(schema_editor)


def remove(apps, schema_editor):
    from compliance.archive.protection import remove as remove_triggers

    remove_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]
    operations = [migrations.RunPython(install, remove, elidable=False)]
