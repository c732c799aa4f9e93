"""A queryset compiled to SQL once per process and database, then run by primary key many times.

Why: the publishing engine loads each share with its item, version, approved text, adviser, X account and
campaign (six joins) right before sending it. Django compiles a queryset to SQL on every evaluation, and for
that one this compilation was about a third of a publishing worker's CPU per post, for a statement that
never changes except for the id. Django has no prepared-query API, so this compiles the queryset once with a
sentinel in place of the key and keeps what ``ModelIterable`` would compute from the compiler: the SQL, the
select list, the related-object populators and the value converters. Each call then runs the SQL with the
real key and builds the instances exactly as ``ModelIterable`` does, with the same Django machinery
(``Model.from_db``, ``get_related_populators``, the compiler's converters), so the objects are
indistinguishable from the queryset's (tests compare them field by field).

On PostgreSQL psycopg prepares the statement on each connection (``DB_PREPARED_STATEMENTS``, settings):
planning a seven-table join cost PostgreSQL about 1.8 ms of CPU on every send, more than executing it.

Only for querysets whose SQL depends on nothing but the key: no ``now()`` evaluated in Python, no per-call
filters. The compiled form is kept per database alias.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

SENTINEL = -7_345_921_003  # an id no table holds, located in the compiled parameters


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slot: int
    compiler: Any
    converters: dict
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    populators: list
    annotations: dict[str, int]


class CompiledQuery:
    """``CompiledQuery(lambda key: Share.objects.select_related(...).filter(pk=key))``; ``.get(key)`` returns
    the one instance the queryset would yield for ``key``, or None."""

    def __init__(self, build: Callable[[Any], QuerySet]):
        self._build = build
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, using: str) -> _Compiled:
        compiler = self._build(SENTINEL).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = [i for i, value in enumerate(params) if value == SENTINEL]
        if len(slots) != 1 or compiler.has_extra_select:
            raise ValueError("CompiledQuery needs the key exactly once in the SQL and no extra select")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slot=slots[0],
            compiler=compiler,
            converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, using),
            annotations=dict(compiler.annotation_col_map),
        )
        self._compiled[using] = compiled
        return compiled

    def get(self, key, *, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        compiled = self._compiled.get(using) or self._compile(using)
        params = list(compiled.params)
        params[compiled.slot] = key
        db = connections[using]
        with db.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = next(iter(compiled.compiler.apply_converters([row], compiled.converters)))
        obj = compiled.model.from_db(using, compiled.init_list, row[compiled.start : compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        for name, position in compiled.annotations.items():
            setattr(obj, name, row[position])
        return obj
