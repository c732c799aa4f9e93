"""The database refuses to change or remove archive rows; only the purge's permit lets a delete through."""

import pytest
from django.db import DatabaseError, connection, transaction

from compliance.archive.checkpoints import write_checkpoint
from compliance.archive.protection import purge_permit
from compliance.archive.services import record

TABLES = ["archive_archiverecord", "archive_archivecheckpoint"]


@pytest.fixture
def rows(db):
    record("test.one")
    write_checkpoint()


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET seq = seq + 100", "DELETE FROM {table}"])
def test_update_and_delete_on_archive_tables_are_refused_by_the_database(rows, table, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))


def test_the_purge_permit_lets_a_delete_through_only_inside_its_block(rows):
    with purge_permit(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_archivecheckpoint")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_archiverecord")


@pytest.mark.django_db(transaction=True)
def test_the_purge_permit_ends_with_its_transaction(rows):
    with purge_permit(connection):
        pass
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_archivecheckpoint")


def test_the_permit_never_allows_an_update(rows):
    with pytest.raises(DatabaseError), purge_permit(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE archive_archiverecord SET event_type = 'x'")


@pytest.mark.services
@pytest.mark.parametrize("table", [*TABLES, "archive_archivepurgedrange"])
def test_truncate_is_refused_on_postgresql(postgresql, rows, table):
    with pytest.raises(DatabaseError, match="TRUNCATE"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")


@pytest.mark.services
def test_update_and_delete_are_refused_on_postgresql_even_for_a_superuser_session(postgresql, rows):
    refused = pytest.raises(DatabaseError, match="UPDATE on archive_archiverecord refused")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE archive_archiverecord SET payload_json = '{}'")
    refused = pytest.raises(DatabaseError, match="DELETE on archive_archiverecord refused")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_archiverecord WHERE seq = 1")
