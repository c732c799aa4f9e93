"""A manager's team panel shows the whole team (issue 13): paged, sorted by name or branch, each member's
posts of the last 30 days counted for the page shown, in the same number of queries for any team size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/", params or {}).status_code == 200
    return len(queries)


def test_the_whole_team_is_shown_a_page_at_a_time_sorted_by_name_or_branch(
    regional_manager, make_staff, client_for
):
    team = [
        make_staff("adviser", branch="nice" if n % 2 else "toulon", last_name=f"Zed{n:03d}")
        for n in range(55)
    ]
    make_staff("adviser", branch="lille")  # another region: not in the team
    client = client_for(regional_manager)
    first = client.get("/").context["team_panel"]["page"]
    assert first.paginator.count == 55 and len(first.object_list) == 50
    assert [m.user.last_name for m in first.object_list] == sorted(u.last_name for u in team)[:50]
    rest = client.get("/", {"page": 2}).context["team_panel"]["page"].object_list
    assert {m.user_id for m in first.object_list} | {m.user_id for m in rest} == {u.pk for u in team}
    by_branch = client.get("/", {"team_sort": "branch"}).context["team_panel"]["page"].object_list
    assert [m.branch.name for m in by_branch[:28]] == ["Nice Port"] * 27 + ["Toulon Mer"]
    assert all(m.published_30d == 0 for m in first.object_list)


def test_the_team_panel_costs_the_same_queries_for_a_small_and_a_large_team(
    regional_manager, make_staff, client_for
):
    client = client_for(regional_manager)
    for _ in range(3):
        make_staff("adviser", branch="nice")
    client.get("/")
    small = _queries(client)
    for _ in range(60):
        make_staff("adviser", branch="toulon")
    assert _queries(client) == small
    assert _queries(client, {"page": 2}) == small
