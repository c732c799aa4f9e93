"""The adviser's home counts the link clicks of the last 30 days (issue 13: an all-time total read every
click the adviser ever had on every page view), and says so."""

from __future__ import annotations

import datetime as dt

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
