"""On PostgreSQL, psycopg prepares the statements run again and again (protocol level, not SQL ``PREPARE``,
so that PgBouncer >= 1.21 keeps them in transaction pooling), unless ``DB_PREPARED_STATEMENTS=0``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

STATEMENT = "SELECT CAST(%s AS INTEGER) + 1 FROM (VALUES (1)) AS prepared_statement_probe(x)"


def _options_with(value: str | None) -> dict:
    """``DATABASES["default"]["OPTIONS"]`` as advocacy.settings builds them for this database, read in a
    fresh interpreter with ``DB_PREPARED_STATEMENTS`` set to ``value`` (unset when None)."""
    env = {k: v for k, v in os.environ.items() if k != "DB_PREPARED_STATEMENTS"}
    env.update(DJANGO_SETTINGS_MODULE="advocacy.settings", DEBUG="1")  # DEBUG: no SECRET_KEY needed
    if value is not None:
        env["DB_PREPARED_STATEMENTS"] = value
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _prepared_on(wrapper) -> list[str]:
    """Run STATEMENT six times on ``wrapper`` (psycopg's threshold is five), then list what the session has
    prepared for it."""
    with wrapper.cursor() as cursor:
        for n in range(6):
            cursor.execute(STATEMENT, [n])
            assert cursor.fetchone() == (n + 1,)
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [s for (s,) in cursor.fetchall() if "prepared_statement_probe" in s]


def _connection_with(options: dict):
    other = connection.copy()
    other.settings_dict["OPTIONS"] = options
    return other


def test_the_connection_uses_psycopgs_prepared_statements_by_default():
    assert _options_with(None) == connection.settings_dict["OPTIONS"]
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 5
    with connection.cursor() as cursor:
        assert not isinstance(cursor.cursor, psycopg.ClientCursor)  # server-side binding: values apart
    prepared = _prepared_on(connection)
    assert len(prepared) == 1 and "$1" in prepared[0]  # by psycopg, with its own placeholders
    assert not prepared[0].lstrip().upper().startswith("PREPARE")


def test_db_prepared_statements_0_binds_on_the_client_and_prepares_nothing():
    options = _options_with("0")
    assert "server_side_binding" not in options and "prepare_threshold" not in options
    other = _connection_with(options)
    try:
        other.ensure_connection()
        assert other.connection.prepare_threshold is None
        with other.cursor() as cursor:
            assert isinstance(cursor.cursor, psycopg.ClientCursor)
        assert _prepared_on(other) == []
    finally:
        other.close()


def test_relais_sessions_run_without_jit_unless_asked():
    """PostgreSQL's JIT compiled dashboard queries for longer than they ran (bench/README.md): off for
    Relais's sessions by default, the server's own setting with ``DB_JIT=1`` (behind PgBouncer)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
    env = {k: v for k, v in os.environ.items() if k != "DB_JIT"}
    env.update(DJANGO_SETTINGS_MODULE="advocacy.settings", DEBUG="1", DB_JIT="1")
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "options" not in json.loads(out.stdout.strip().splitlines()[-1])
