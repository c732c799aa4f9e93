"""Statements PostgreSQL plans once per session instead of on every execution.

Django sends every statement as text with its values inlined (client-side binding), so PostgreSQL parses
and plans it each time. For the few statements run on every publication (the share's seven-table load,
the archive append), planning cost more backend CPU than executing; ``execute_prepared`` sends them as
``PREPARE name AS ...`` once per database session and ``EXECUTE name (...)`` afterwards, still through
Django's cursor (query logging, counting and error translation unchanged). Other backends run the SQL as
it is.

``PREPARE`` is not transactional: a statement prepared in a transaction that rolls back still exists, so
remembering it per connection object is right, and a new connection (Django reconnects after
``CONN_MAX_AGE`` or an error) starts with none. Session state does not survive a transaction-pooling
PgBouncer: Relais expects PostgreSQL directly or session pooling (docs/CONTRIBUTING-NOTES.md).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import weakref
from typing import Any

_prepared_on: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def dollar_placeholders(sql: str) -> str:
    """Django's ``%s`` placeholders as PostgreSQL's ``$1, $2...`` (and ``%%`` back to ``%``), for PREPARE."""
    numbers = itertools.count(1)
    return re.sub(r"%%|%s", lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


@functools.lru_cache(maxsize=64)
def _statement(sql: str) -> tuple[str, str]:
    """The prepared statement's name (from a digest of the text: another text never runs under an old
    name) and its ``PREPARE`` command."""
    name = "relais_" + hashlib.sha256(sql.encode()).hexdigest()[:20]
    return name, f"PREPARE {name} AS {dollar_placeholders(sql)}"


def execute_prepared(cursor, db, sql: str, params) -> None:
    """Run ``sql`` with ``params`` on Django's ``cursor`` of database ``db``; on PostgreSQL as a statement
    prepared once per session."""
    if db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    name, prepare = _statement(sql)
    prepared = _prepared_on.setdefault(db.connection, set())
    if name not in prepared:
        cursor.execute(prepare)
        prepared.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
