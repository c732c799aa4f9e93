"""Statements run on every publication are planned once per PostgreSQL session, and stay correct."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.db import dollar_placeholders, execute_prepared

pytestmark = pytest.mark.django_db


def test_placeholders_are_numbered_and_literal_percents_kept():
    sql = "SELECT %s, 'a%%b' WHERE x LIKE '%%z' AND y = %s"
    assert dollar_placeholders(sql) == "SELECT $1, 'a%b' WHERE x LIKE '%z' AND y = $2"


def _run(sql, params):
    with connection.cursor() as cursor:
        execute_prepared(cursor, connection, sql, params)
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)  # closes the connection: a new session
def test_the_same_text_is_prepared_once_per_session_and_gives_the_same_answers():
    sql = "SELECT CAST(%s AS INTEGER) + 1, CAST(%s AS TEXT) || '%%'"
    with CaptureQueriesContext(connection) as queries:
        assert _run(sql, [1, "a"]) == (2, "a%")
        assert _run(sql, [41, "b"]) == (42, "b%")
    statements = [q["sql"] for q in queries]
    if connection.vendor == "postgresql":
        assert [s.split()[0] for s in statements] == ["PREPARE", "EXECUTE", "EXECUTE"]
        connection.close()  # a new session has nothing prepared: it prepares again
        with CaptureQueriesContext(connection) as queries:
            assert _run(sql, [2, "c"]) == (3, "c%")
        assert [q["sql"].split()[0] for q in queries] == ["PREPARE", "EXECUTE"]
    else:
        assert len(statements) == 2 and not any(s.startswith(("PREPARE", "EXECUTE")) for s in statements)


def test_a_changed_text_never_runs_under_the_old_plan():
    assert _run("SELECT CAST(%s AS INTEGER) * 2", [4]) == (8,)
    assert _run("SELECT CAST(%s AS INTEGER) * 3", [4]) == (12,)
