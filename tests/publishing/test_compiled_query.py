"""The engine's compiled share query returns exactly what the queryset it was compiled from returns."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from advocacy.shares import sending, services
from advocacy.shares.compiled import CompiledQuery
from advocacy.shares.models import Share

pytestmark = pytest.mark.django_db

RELATED = ("item", "version", "approved_text", "adviser", "campaign")


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def share(sandbox, adviser, connect, make_item):
    connect(adviser, "camille_x")
    return services.schedule_share(adviser=adviser, item=make_item(), when=None, actor=adviser)


def test_the_compiled_load_equals_the_querysets_rows_and_related_objects(share):
    compiled = sending._load(share.pk)
    plain = Share.objects.select_related(*RELATED, "adviser__x_account").filter(pk=share.pk).get()
    assert _fields(compiled) == _fields(plain)
    for name in RELATED:
        expected, got = getattr(plain, name), getattr(compiled, name)
        assert (got is None) if expected is None else _fields(got) == _fields(expected)
    assert _fields(compiled.adviser.x_account) == _fields(plain.adviser.x_account)
    assert compiled.adviser_is_adviser is True
    with CaptureQueriesContext(connection) as queries:  # everything came with the row: no lazy loads
        seen = (compiled.item.title, compiled.version.text, compiled.adviser.x_account.username)
    assert len(queries) == 0 and all(seen)


def test_an_unknown_id_is_none_and_the_query_runs_again_after_a_rollback(share):
    assert sending._load(-1) is None
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sending._load(share.pk).pk == share.pk  # prepared (PostgreSQL) inside a transaction...
        raise RuntimeError("rolled back")
    assert sending._load(share.pk).pk == share.pk  # ...still usable after it rolled back


def test_a_queryset_with_the_key_twice_is_refused():
    query = CompiledQuery(lambda key: Share.objects.filter(pk=key) | Share.objects.filter(adviser_id=key))
    with pytest.raises(ValueError, match="exactly once"):
        query.get(1)
