"""Django's ``flush``, refused by the archive's triggers as it should be, except under the test runner.

Django's transactional tests empty every table with ``flush`` after each test (TRUNCATE on PostgreSQL,
DELETE on SQLite); the archive triggers would refuse that and break every such test in the project. Under
the test runner only (``settings.TESTING``), this command opens the archive's purge permit for the flush's
own transaction. Anywhere else it is Django's command unchanged, so a ``manage.py flush`` in production
fails on the archive tables rather than wiping them.
"""

from django.conf import settings
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from compliance.archive.protection import PROTECTED_TABLES, purge_permit


class Command(DjangoFlush):
    def handle(self, **options):
        if not settings.TESTING:
            return super().handle(**options)
        connection = connections[options["database"]]
        with purge_permit(connection):
            if connection.vendor == "sqlite":
                # Empty the archive while the permit row exists: the flush may delete the permit table first.
                with connection.cursor() as cursor:
                    for table in PROTECTED_TABLES:
                        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our constant table names
            return super().handle(**options)
