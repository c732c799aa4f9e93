"""The adviser's home counts the link clicks of the last 30 days (issue 13: an all-time total read every
click the adviser ever had on every page view), and says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.links import clicks
from advocacy.shares.models import ShareClick
from tests.publishing.conftest import connect, make_item, sandbox  # noqa: F401 - fixtures
from tests.publishing.test_tracked_links import BROWSER, published  # noqa: F401 - fixture


def test_the_home_counts_the_last_30_days_of_clicks_and_says_so(published, client_for, adviser):  # noqa: F811
    Client(REMOTE_ADDR="203.0.113.9").get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    clicks.flush()
    # That click, as the table holds it 31 days later (the item's link may not live that long).
    ShareClick.objects.update(clicked_at=timezone.now() - dt.timedelta(days=31))
    for address in ("198.51.100.2", "198.51.100.3"):
        Client(REMOTE_ADDR=address).get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    clicks.flush()

    response = client_for(adviser).get("/")
    assert response.context["sharing"]["clicks"] == 2
    assert response.context["sharing"]["visitors"] == 2
    page = response.content.decode()
    assert "Link clicks, last 30 days" in page and "Visitors, last 30 days (estimate)" in page


def test_the_homes_click_figures_can_be_read_from_the_clicks_index_alone(db, adviser):
    """At bank scale PostgreSQL chose a parallel scan of the month's clicks over a probe per share (0.3-1.3 s,
    issue 13) until the figures could come from the (share, time) index carrying the visitor. Scans and hash
    joins are priced out here so the plan shows the path exists: ``Count("pk")`` or an index without the
    visitor would need the table."""
    from django.db import connection, transaction

    from advocacy.shares.selectors import RECENT_CLICK_FIGURES, recent_clicks

    if connection.vendor != "postgresql":
        pytest.skip("covering indexes and EXPLAIN's plan are PostgreSQL's")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        plan = recent_clicks(adviser).values("share__adviser_id").annotate(**RECENT_CLICK_FIGURES).explain()
    clicks_scans = [line for line in plan.splitlines() if "share_id_clicked_at_visitor" in line]
    assert clicks_scans and all("Index Only Scan using" in line for line in clicks_scans), plan
