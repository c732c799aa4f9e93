"""Archive test helpers: the PostgreSQL requirement, and an attacker's hands on the archive tables.

``postgresql`` skips a test when the database is not PostgreSQL, unless RELAIS_REQUIRE_SERVICES=1 (CI), in
which case the test FAILS: CI must never pass by skipping the archive's database guarantees. (Tests that need
Redis or a Celery worker get the same treatment from the fixtures of the packages that use them.)
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

from compliance.archive.protection import sqlite_install_statements, sqlite_remove_statements


@pytest.fixture
def postgresql(db):
    if connection.vendor != "postgresql":
        message = f"needs PostgreSQL, the database is {connection.vendor} (set DATABASE_URL)"
        if os.environ.get("RELAIS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{message} and RELAIS_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(message)
    return connection


@pytest.fixture
def tamper(db):
    """Run SQL with the archive's triggers out of the way, as someone with database access would.

    PostgreSQL: ``session_replication_role = replica`` for this transaction only. SQLite: drop the triggers
    and put them back; the test's transaction rolls everything back anyway."""

    def run(sql: str, params=()):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute(sql, params)
                cursor.execute("SET LOCAL session_replication_role = origin")
            else:
                for statement in sqlite_remove_statements():
                    cursor.execute(statement)
                cursor.execute(sql, params)
                for statement in sqlite_install_statements():
                    cursor.execute(statement)

    return run
