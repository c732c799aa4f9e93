"""Free text on PostgreSQL is read in growing seq ranges from the head (issue 13: a common word fetched
every match from the table before keeping a page). The ranges must give exactly the page the single query
gives: the same records in the same order, the same Newer/Older cursors, whatever the range width, the
cursor, and however far back the matches are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.web.paging import PAGE_SIZE, keyset_page
from compliance.archive import selectors
from compliance.archive.services import Event, record_many

SEEDED = 2_500


@pytest.fixture
def archive(postgresql):
    """``immobilier`` in one record in nine (278: more than five pages), ``zanzibar`` in two of the
    oldest records only (a rare word: the ranges must reach back to them), ``fixe`` in every one."""
    record_many(
        Event(
            "test.kind",
            subject=f"test.thing:{n}",
            payload={
                "n": n,
                "text": "Taux fixe"
                + (" crédit immobilier" if n % 9 == 0 else "")
                + (" zanzibar" if n in (3, 11) else ""),
            },
        )
        for n in range(SEEDED)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE archive_archiverecord")
    return selectors.search_records().values_list("seq", flat=True).first()


def _page(text: str, params: dict, window: int | None):
    page = keyset_page(selectors.search_records(text=text), params, key="seq", size=PAGE_SIZE, window=window)
    return [r.seq for r in page.object_list], page.newer, page.older


def _cursors(head: int) -> list[dict]:
    middle = head - SEEDED // 2
    return [
        {},
        {"before": head - 40},
        {"before": middle},
        {"before": head - SEEDED + 30},  # near the oldest test records: the last page
        {"before": head + 10_000},  # past the head (typed by hand)
        {"before": 1},
        {"after": 0},
        {"after": head - SEEDED},
        {"after": middle},
        {"after": head - 30},
        {"after": head + 5},
    ]


@pytest.mark.parametrize("text", ["immobilier", "zanzibar", "fixe", "crédit IMMOBILIER", "absent"])
def test_ranges_give_the_single_querys_page_for_every_cursor_and_width(archive, text):
    head = archive
    for params in _cursors(head):
        single = _page(text, params, window=None)
        for window in (1, 7, 50, 333, 4_096, selectors.TEXT_WINDOW):
            assert _page(text, params, window) == single, (text, params, window)


def test_a_common_word_is_paged_across_range_boundaries_with_the_older_and_newer_cursors(archive):
    """Following Older from the first page to the last, then Newer back, with ranges of 64 records (each
    page spans several ranges, and pages end inside ranges), gives every match once, newest first."""
    every = list(selectors.search_records(text="immobilier").order_by("-seq").values_list("seq", flat=True))
    assert len(every) > 5 * PAGE_SIZE
    seen, params, pages = [], {}, []
    while True:
        seqs, newer, older = _page("immobilier", params, window=64)
        pages.append((seqs, newer))
        seen += seqs
        if older is None:
            break
        params = {"before": older}
    assert seen == every
    back = []
    while newer is not None:
        seqs, newer, _older = _page("immobilier", {"after": newer}, window=64)
        back = seqs + back
    assert back + pages[-1][0] == every


def test_a_rare_word_is_found_however_far_back_in_few_queries(archive):
    """Two matches among the oldest records: the first range finds nothing, so the rest of the archive is
    read in one open range (not chased down in ever wider ranges); the page is the single query's."""
    with CaptureQueriesContext(connection) as queries:
        seqs, newer, older = _page("zanzibar", {}, window=16)
    assert len(seqs) == 2 and newer is None and older is None
    assert len(queries) == 3  # the head, the first range, the rest


def test_a_common_word_reads_only_the_first_ranges_each_through_the_full_text_index(archive):
    """The first page of a common word needs ~450 records here: with a first range of 128 records the
    second is sized from the density found and fills the page, and every range is planned through an
    index (the GIN and the primary key), not a sequential scan."""
    with CaptureQueriesContext(connection) as queries:
        seqs, _newer, older = _page("immobilier", {}, window=128)
    assert len(seqs) == PAGE_SIZE and older is not None
    ranges = [q["sql"] for q in queries if "to_tsvector" in q["sql"]]
    assert len(queries) == 1 + len(ranges) and 2 <= len(ranges) <= 3
    assert all('"seq" >=' in sql for sql in ranges)  # bounded ranges, none open
    with connection.cursor() as cursor:
        for sql in ranges:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on archive_archiverecord" not in plan, plan


def test_a_search_reads_at_most_seven_queries_whatever_the_density(archive):
    """One match in the newest range, the rest far back: the ranges grow (at least doubling) up to
    WINDOW_GROWTH first ranges, then the rest is one open range."""
    record_many([Event("test.kind", subject="test.thing:new", payload={"text": "zanzibar"})])
    with CaptureQueriesContext(connection) as queries:
        seqs, _newer, _older = _page("zanzibar", {}, window=4)
    assert len(seqs) == 3 and len(queries) <= 7
    assert seqs == _page("zanzibar", {}, window=None)[0]


def test_the_search_page_shows_the_single_querys_page_for_free_text(archive, client_for, compliance_officer):
    officer = client_for(compliance_officer)
    url = reverse("archive:search")
    for params in ({"text": "immobilier"}, {"text": "immobilier", "before": archive - 700}):
        page = officer.get(url, params).context["page"]
        cursor = {k: v for k, v in params.items() if k != "text"}
        assert ([r.seq for r in page.object_list], page.newer, page.older) == _page(
            "immobilier", cursor, window=None
        )
