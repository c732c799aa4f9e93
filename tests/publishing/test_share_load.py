"""The engine loads a share with everything the send needs, in one query: the same rows and related objects
as a plain ``select_related`` read, the adviser's role included."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from advocacy.shares import sending, services
from advocacy.shares.models import Share

pytestmark = pytest.mark.django_db

RELATED = ("item", "version", "approved_text", "adviser", "campaign")


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def share(sandbox, adviser, connect, make_item):
    connect(adviser, "camille_x")
    return services.schedule_share(adviser=adviser, item=make_item(), when=None, actor=adviser)


def test_the_load_equals_the_querysets_rows_and_related_objects(share):
    with CaptureQueriesContext(connection) as load:
        loaded = sending._load(share.pk)
    assert len(load) == 1
    plain = Share.objects.select_related(*RELATED, "adviser__x_account").filter(pk=share.pk).get()
    assert _fields(loaded) == _fields(plain)
    for name in RELATED:
        expected, got = getattr(plain, name), getattr(loaded, name)
        assert (got is None) if expected is None else _fields(got) == _fields(expected)
    assert _fields(loaded.adviser.x_account) == _fields(plain.adviser.x_account)
    assert loaded.adviser_is_adviser is True
    with CaptureQueriesContext(connection) as queries:  # everything came with the row: no lazy loads
        seen = (loaded.item.title, loaded.version.text, loaded.adviser.x_account.username)
    assert len(queries) == 0 and all(seen)


def test_an_unknown_id_is_none_and_the_query_runs_again_after_a_rollback(share):
    assert sending._load(-1) is None
    with pytest.raises(RuntimeError), transaction.atomic():
        for _ in range(6):  # past psycopg's prepare threshold: prepared (PostgreSQL) inside a transaction...
            assert sending._load(share.pk).pk == share.pk
        raise RuntimeError("rolled back")
    assert sending._load(share.pk).pk == share.pk  # ...still usable after it rolled back
