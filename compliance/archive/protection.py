"""Database-level protection of the archive tables, and the one permit that lifts it.

Migration 0002 installs these triggers; the statements live here so that the tests (which must drop them
on SQLite to play the attacker) and the migration use the same text. Changing them needs a new migration.

* PostgreSQL: one trigger function refuses UPDATE always, and DELETE and TRUNCATE unless the
  transaction-local setting ``relais.archive_purge`` is ``on`` (``SET LOCAL``: it ends with the
  transaction, whatever happens). Statement-level triggers, so they also refuse TRUNCATE.
* SQLite: BEFORE UPDATE triggers that always abort, BEFORE DELETE triggers that abort unless the
  ``archive_purge_permit`` table holds a row (inserted and removed by the purge in its transaction).
  SQLite has no TRUNCATE.

Triggers are not a defence against a database superuser: they stop accidents, application bugs and
casual edits. Tampering by someone who can disable them is what the hash chain, the checkpoints and the
external checkpoint file detect.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction

PROTECTED_TABLES = ("archive_archiverecord", "archive_archivecheckpoint", "archive_archivepurgedrange")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION relais_archive_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('relais.archive_purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'relais archive: % on % refused: the archive is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only manage.py purge_archive may delete records, after their retention period.';
END
$$;
"""


def pg_install_statements() -> list[str]:
    statements = [PG_FUNCTION]
    for table in PROTECTED_TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION relais_archive_refuse_change();",
        ]
    return statements


def pg_remove_statements() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in PROTECTED_TABLES] + [
        "DROP FUNCTION IF EXISTS relais_archive_refuse_change();"
    ]


def sqlite_install_statements() -> list[str]:
    statements = []
    for table in PROTECTED_TABLES:
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'relais archive: UPDATE on {table} refused: append-only archive'); END;",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "  # noqa: S608 - constants
            f"WHEN NOT EXISTS (SELECT 1 FROM archive_purge_permit) BEGIN "
            f"SELECT RAISE(ABORT, 'relais archive: DELETE on {table} refused: append-only archive'); END;",
        ]
    return statements


def sqlite_remove_statements() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {t}_{op};" for t in PROTECTED_TABLES for op in ("no_update", "no_delete")
    ]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": pg_install_statements, "sqlite": sqlite_install_statements}.get(vendor)
    if statements is None:
        raise NotImplementedError(f"the archive's protection has no triggers for {vendor}")
    for sql in statements():
        schema_editor.execute(sql, None)


def remove(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": pg_remove_statements, "sqlite": sqlite_remove_statements}.get(vendor)
    for sql in statements() if statements else []:
        schema_editor.execute(sql, None)


@contextmanager
def purge_permit(connection):
    """Let DELETE (and TRUNCATE on PostgreSQL) through for the body of this block, in one transaction.

    The permit is withdrawn before the block's transaction commits (SQLite: the permit row is deleted;
    PostgreSQL: the transaction-local setting is switched off, which also covers a block nested in a longer
    transaction), and an exception rolls the permit back with everything else."""
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL relais.archive_purge = 'on'")
            else:
                cursor.execute(
                    "INSERT INTO archive_purge_permit (id, granted_at) VALUES (1, CURRENT_TIMESTAMP) "
                    "ON CONFLICT (id) DO NOTHING"
                )
        yield
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL relais.archive_purge = 'off'")
            else:
                cursor.execute("DELETE FROM archive_purge_permit")
