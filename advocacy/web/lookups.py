"""``__any``: membership in a list of ids sent as ONE parameter (PostgreSQL: ``column = ANY(%s)``, the list
as an array), where ``__in`` sends one placeholder per id.

Why: a regional manager's dashboard filters five queries by the region's 200 advisers' ids. With ``__in``
Django resolves, prepares and normalises each id of each query and psycopg splits a query of 200
placeholders: ~12 ms of CPU per request on the bench machine, more than the SQL of those queries. With
``__any`` the list is one value. Elsewhere (SQLite) it is the same ``IN`` as ``__in``. An empty list matches
nothing without a query, as ``__in`` does.

Registered on integer columns and foreign keys when this module is imported (``RollupsConfig.ready``).
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, self.rhs]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*params, *self.rhs]


models.IntegerField.register_lookup(AnyOf)
models.ForeignKey.register_lookup(AnyOf)
