"""The archive search stays fast as the archive grows (issue 13): on PostgreSQL, every search form is
planned through an index (EXPLAIN shows no sequential scan of the archive), and a search page costs the same
number of queries whatever the archive holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.web.paging import PAGE_SIZE
from compliance.archive import selectors
from compliance.archive.services import Event, record_many

SEEDED = 20_000
BATCH = 2_000


def _seed(adviser, total: int) -> None:
    """``total`` records in ~40 event types by processes, a few hundred by or about ``adviser``, a rare
    word in ten payloads: the shape of a real archive, small enough for a test, then ANALYZE so that the
    planner knows it."""
    for start in range(0, total, BATCH):
        record_many(
            Event(
                f"test.kind{n % 40}",
                subject=f"test.thing:{n}",
                actor=adviser if n % 97 == 0 else f"process-{n % 50}",
                payload={
                    "n": n,
                    "text": f"Publication {n} taux fixe" + (" zanzibar" if n % 2000 == 7 else ""),
                },
            )
            for n in range(start, min(start + BATCH, total))
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE archive_archiverecord")


def _forms(adviser) -> dict[str, dict]:
    today = timezone.localdate()
    return {
        "no filter": {},
        "adviser e-mail": {"adviser": adviser.email.upper()},
        "adviser name": {"adviser": adviser.last_name},
        # The search form offers the declared event types (events.event_types()), families by prefix.
        "event type": {"event_type": "share.published"},
        "event type prefix": {"event_type": "share."},
        "date range": {"date_from": today, "date_to": today},
        "free text": {"text": "zanzibar"},
        "network post id": {"network_post_id": "1800000000042"},
    }


def test_every_search_form_is_planned_without_a_sequential_scan_of_the_archive(postgresql, adviser):
    about_adviser_before = len(selectors.search_records(adviser=adviser.email))  # their staff record's
    _seed(adviser, SEEDED)
    newest = selectors.search_records().values_list("seq", flat=True).first()
    for name, form in _forms(adviser).items():
        for cursor in ({}, {"seq__lt": newest - 5_000}):
            page = selectors.search_records(**form).filter(**cursor)[: PAGE_SIZE + 1]
            plan = page.explain()
            assert "Seq Scan on archive_archiverecord" not in plan, f"{name} {cursor}:\n{plan}"
            if name == "free text":  # not the primary key read backwards computing every vector
                assert "archive_payload_fts" in plan, f"{name} {cursor}:\n{plan}"
    # The forms find what they should, through those plans.
    assert len(selectors.search_records(text="zanzibar")) == SEEDED // 2000
    assert len(selectors.search_records(text="FIXE zanzibar")) == SEEDED // 2000
    by_adviser = about_adviser_before + len(range(0, SEEDED, 97))
    assert len(selectors.search_records(adviser=adviser.email.upper())) == by_adviser
    assert len(selectors.search_records(adviser=adviser.last_name)) == by_adviser


def _search_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("archive:search"), params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("form", ["no filter", "adviser e-mail", "event type", "date range", "free text"])
def test_a_search_page_costs_the_same_queries_with_a_small_and_a_larger_archive(
    client_for, compliance_officer, adviser, form
):
    officer = client_for(compliance_officer)
    params = _forms(adviser)[form]
    officer.get(reverse("archive:search"))  # session and second-factor bookkeeping of the first request
    _seed(adviser, 120)
    small = _search_queries(officer, params)
    _seed(adviser, 600)
    assert _search_queries(officer, params) == small
    page = officer.get(reverse("archive:search"), params).context["page"]
    assert len(page.object_list) <= PAGE_SIZE


def test_the_search_page_reads_the_latest_verification_once(client_for, compliance_officer):
    """The banner (context processor) and the page's own line show the same run from one query (two
    before, issue 13)."""
    from compliance.archive.verification_runs import run_verification

    run_verification()
    officer = client_for(compliance_officer)
    officer.get(reverse("archive:search"))
    with CaptureQueriesContext(connection) as queries:
        body = officer.get(reverse("archive:search")).content.decode()
    reads = [q["sql"] for q in queries if 'FROM "archive_archiveverification"' in q["sql"]]
    assert len(reads) == 1, reads
    assert "Last verified" in body and "records checked" in body
