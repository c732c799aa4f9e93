"""The managers' team results: figures that match what was measured (X's counts read from the sandbox by
the metrics rounds, clicks through /l/) per adviser and per branch, adoption (connected accounts, active
sharers this month and last, library content used), only the manager's scope (a drill-down id of another
branch answers 404, page and CSV), constant queries, every other role refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.dashboards.team import month_starts
from advocacy.links import clicks
from advocacy.metrics.reading import read_due_metrics
from advocacy.org.models import Role
from tests.dashboards.helpers import click, publish, set_metrics

pytestmark = pytest.mark.django_db

URL, CSV_URL = "/results/team/", "/results/team/advisers.csv"
REAL_NOW = timezone.now


@pytest.fixture
def clock(monkeypatch):
    def set_to(when: dt.datetime | None):
        monkeypatch.setattr(timezone, "now", (lambda: when) if when else REAL_NOW)

    return set_to


def _read_all() -> None:
    read_due_metrics(now=REAL_NOW() + dt.timedelta(hours=1, minutes=1))


@pytest.fixture
def south(sandbox, connect, make_staff, make_item, adviser, adviser2, clock):
    """The south region (Nice, Toulon) and one Lille adviser, seeded through the real flow:

    - Hugo (Nice): posts A (300 impressions, 10 likes, 2 reposts; 4 clicks) and B (100 impressions,
      1 reply; 1 click) today, and one post on the 2nd of last month (its reads are outside the period);
    - Inès (Toulon): post C (50 impressions, 5 likes; no click) today;
    - Yves (Toulon): no X account, no post;
    - Camille (Lille, outside the south): post L (9,999 impressions, 3 clicks) today.
    """
    toulon = make_staff(Role.ADVISER, branch="toulon", first_name="Inès", last_name="Martin")
    idle = make_staff(Role.ADVISER, branch="toulon", first_name="Yves", last_name="Blanc")
    connect(adviser2, "hugo_x")
    connect(toulon, "ines_x")
    connect(adviser, "camille_x")
    items = [
        make_item(title=f"Livret {n}", text=f"Notre livret numéro {n} est disponible.") for n in range(5)
    ]
    _this_month, last_month = month_starts(REAL_NOW())
    clock(last_month + dt.timedelta(days=1, hours=10))
    old = publish(adviser2, items[4])
    clock(None)
    a, b, c, lille = (
        publish(adviser2, items[0]),
        publish(adviser2, items[1]),
        publish(toulon, items[0]),
        publish(adviser, items[2]),
    )
    set_metrics(sandbox, a, impression_count=300, like_count=10, retweet_count=2)
    set_metrics(sandbox, b, impression_count=100, reply_count=1)
    set_metrics(sandbox, c, impression_count=50, like_count=5)
    set_metrics(sandbox, lille, impression_count=9999, like_count=99)
    _read_all()
    click(a, 4)
    click(b)
    click(lille, 3)
    clicks.flush()
    return {
        "toulon": toulon,
        "idle": idle,
        "a": a,
        "b": b,
        "c": c,
        "old": old,
        "lille": lille,
        "items": items,
    }


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_regional_manager_sees_the_figures_of_the_region_per_adviser_and_branch(
    south, regional_manager, adviser, adviser2, client_for
):
    response = client_for(regional_manager).get(URL, {"days": 7})
    assert response.status_code == 200
    team = response.context["team"]
    by_name = {row.name: row for row in team.advisers}
    assert set(by_name) == {adviser2.get_full_name(), "Inès Martin", "Yves Blanc"}  # never Lille's Camille
    hugo, ines, yves = by_name[adviser2.get_full_name()], by_name["Inès Martin"], by_name["Yves Blanc"]
    assert (hugo.shares, hugo.impressions, hugo.engagements, hugo.clicks) == (2, 400, 13, 5)
    assert (ines.shares, ines.impressions, ines.engagements, ines.clicks) == (1, 50, 5, 0)
    assert (yves.shares, yves.impressions, yves.clicks, yves.connected) == (0, 0, 0, 0)
    assert (hugo.connected, hugo.active_this_month, hugo.active_last_month) == (1, 1, 1)
    assert (ines.active_this_month, ines.active_last_month) == (1, 0)
    branches = {b.name: b for b in team.branches}
    assert set(branches) == {"Nice Port", "Toulon Mer"}
    assert (branches["Nice Port"].impressions, branches["Nice Port"].clicks) == (400, 5)
    toulon = branches["Toulon Mer"]
    assert (toulon.advisers, toulon.connected, toulon.active_this_month, toulon.impressions) == (2, 1, 1, 50)
    assert (team.total.impressions, team.total.engagements, team.total.clicks) == (450, 18, 5)
    # Library: 5 approved items, the region shared items 0 and 1 over the week (item 4 last month).
    assert (team.library_items, team.library_items_used) == (5, 2)
    page = response.content.decode()
    assert 'id="team-results-data"' in page and 'id="team-adoption-data"' in page and "<table" in page
    assert "9,999" not in page


def test_the_csv_is_the_adviser_table(south, regional_manager, adviser2, client_for):
    rows = _rows(client_for(regional_manager).get(CSV_URL, {"days": 7}))
    assert rows[0][:2] == ["adviser", "branch"] and rows[0][-4:] == [
        "posts published", "impressions", "engagements", "link clicks",
    ]  # fmt: skip
    assert [adviser2.get_full_name(), "Nice Port", "1", "1", "1", "2", "400", "13", "5"] in rows
    assert ["Yves Blanc", "Toulon Mer", "0", "0", "0", "0", "0", "0", "0"] in rows
    assert len(rows) == 1 + 3


def test_the_adviser_table_is_paged_while_branches_and_csv_count_everyone(
    make_staff, regional_manager, client_for
):
    """A region has hundreds of advisers: the per-adviser table shows 50 a page (Next / Previous), the
    branch figures and the CSV count all of them."""
    for n in range(53):
        make_staff(Role.ADVISER, branch="nice" if n % 2 else "toulon", first_name=f"P{n:02d}")
    client = client_for(regional_manager)
    first, second = client.get(URL), client.get(URL, {"days": 30, "page": 2})
    assert first.context["team"].total.advisers == 53
    assert sum(b.advisers for b in first.context["team"].branches) == 53
    shown = [list(p.context["advisers_page"].object_list) for p in (first, second)]
    assert (len(shown[0]), len(shown[1])) == (50, 3)
    assert {r.pk for r in shown[0]}.isdisjoint({r.pk for r in shown[1]})
    page = first.content.decode()
    assert len(re.findall(r'href="/results/team/\d+/\?days=', page)) == 50
    assert "Page 1 of 2" in page and "page=2" in page
    assert "days=30&amp;page=1" in second.content.decode()  # the period is kept across pages
    assert len(_rows(client.get(CSV_URL))) == 1 + 53


def test_a_branch_manager_sees_only_their_branch_and_cannot_drill_into_another(
    south, branch_manager, adviser, adviser2, client_for
):
    client = client_for(branch_manager)
    team = client.get(URL, {"days": 7}).context["team"]
    assert [row.pk for row in team.advisers] == [adviser.pk]
    assert (team.total.impressions, team.total.clicks) == (9999, 3)
    assert [b.name for b in team.branches] == ["Lille Centre"]
    mine = client.get(f"/results/team/{adviser.pk}/", {"days": 7})
    assert mine.status_code == 200 and mine.context["results"].impressions == 9999
    assert mine.context["results"].clicks == 3
    # Hugo of Nice, by id: nothing of his reaches the Lille manager, page nor CSV.
    assert client.get(f"/results/team/{adviser2.pk}/").status_code == 404
    assert client.get(f"/results/team/{adviser2.pk}/daily.csv").status_code == 404
    assert client.get(f"/results/team/{branch_manager.pk}/").status_code == 404  # not an adviser
    assert client.get("/results/team/99999999/").status_code == 404


def test_the_drill_down_shows_the_advisers_days_and_its_csv(
    south, regional_manager, adviser, adviser2, client_for
):
    client = client_for(regional_manager)
    response = client.get(f"/results/team/{adviser2.pk}/", {"days": 7})
    assert response.status_code == 200
    results = response.context["results"]
    assert (results.impressions, results.engagements, results.clicks) == (400, 13, 5)
    assert adviser2.get_full_name() in response.content.decode()
    rows = _rows(client.get(f"/results/team/{adviser2.pk}/daily.csv", {"days": 7}))
    assert rows[-1][1:] == ["400", "13", "5"]
    assert client.get(f"/results/team/{adviser.pk}/").status_code == 404  # Lille is not in the south


def test_earned_media_value_only_at_the_banks_own_prices(south, regional_manager, client_for, settings):
    from decimal import Decimal

    client = client_for(regional_manager)
    page = client.get(URL, {"days": 7}).content.decode()
    assert (
        "Earned media value" not in page and "Earned media value" not in client.get(CSV_URL).content.decode()
    )
    settings.EARNED_MEDIA_CPM, settings.EARNED_MEDIA_CPC = Decimal("12"), Decimal("0.5")
    response = client.get(URL, {"days": 7})
    # 450 impressions / 1000 x 12 + 5 clicks x 0.5 = 5.40 + 2.50
    assert response.context["team"].total.earned_media_value == Decimal("7.90")
    page = response.content.decode()
    assert "Earned media value (estimate)" in page
    assert "impressions \u00f7 1,000 \u00d7 12.00 EUR (CPM)" in page


def test_the_page_and_the_csv_make_the_same_queries_with_more_advisers_and_posts(
    sandbox, connect, make_staff, make_item, regional_manager, client_for
):
    client = client_for(regional_manager)
    counts = []
    made = 0
    for advisers in (1, 6):
        for n in range(made, advisers):
            person = make_staff(Role.ADVISER, branch="nice" if n % 2 else "toulon", first_name=f"P{n}")
            connect(person, f"p{n}_x")
            for k in range(2):
                share = publish(person, make_item(title=f"I{n}-{k}", text=f"Texte {n} {k} en agence."))
                set_metrics(sandbox, share, impression_count=10 + n, like_count=1)
                click(share)
        made = advisers
        clicks.flush()
        _read_all()
        client.get(URL)
        with CaptureQueriesContext(connection) as page:
            response = client.get(URL)
        with CaptureQueriesContext(connection) as export:
            client.get(CSV_URL)
        assert response.context["team"].total.shares == 2 * advisers
        counts.append((len(page), len(export)))
    assert counts[0] == counts[1], counts


def test_french(south, regional_manager, client_for):
    regional_manager.staff.language = "fr"
    regional_manager.staff.save(update_fields=["language"])
    client = client_for(regional_manager)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    page = client.get(URL, {"days": 7}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Résultats de l\u2019équipe" in page and "Adoption" in page
    rows = _rows(client.get(CSV_URL, {"days": 7}, HTTP_ACCEPT_LANGUAGE="fr"))
    assert rows[0][0] == "conseiller"


@pytest.mark.parametrize("role", [Role.ADVISER, Role.COMPLIANCE, Role.MARKETING, Role.HR, Role.ADMIN])
def test_other_roles_are_refused(role, make_staff, adviser, client_for):
    client = client_for(make_staff(role))
    for url in (URL, CSV_URL, f"/results/team/{adviser.pk}/", f"/results/team/{adviser.pk}/daily.csv"):
        assert client.get(url).status_code == 403, url


def test_a_period_other_than_7_30_or_90_days_is_refused(branch_manager, client_for):
    client = client_for(branch_manager)
    for bad in ("12", "abc"):
        assert client.get(URL, {"days": bad}).status_code == 400
        assert client.get(CSV_URL, {"days": bad}).status_code == 400


def test_a_manager_without_advisers_sees_zeros_and_an_empty_table(branch_manager, client_for):
    """An empty scope (a new branch): the scope's id list is empty, every figure 0, no error."""
    client = client_for(branch_manager)
    response = client.get(URL)
    assert response.status_code == 200
    team = response.context["team"]
    assert (team.total.advisers, team.total.shares, team.total.impressions, team.total.clicks) == (0, 0, 0, 0)
    assert "No adviser in your scope yet." in response.content.decode()
    assert len(_rows(client.get(CSV_URL))) == 1


# The per-adviser row as team.html wrote it before {% adviser_row %} (advocacy/dashboards/templatetags), and
# the tag, in a loop over ``rows``.
ROW_TEMPLATE = (Path(__file__).parent / "adviser_row_before.html").read_text()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_adviser_row_tag_writes_what_the_template_wrote(language):
    from django.template import engines
    from django.utils import translation

    from advocacy.dashboards.team import AdviserRow

    rows = [
        AdviserRow(pk=7, name="Hugo <b>&</b> \"Dupont\"", branch="Nice & Port", advisers=1, connected=1,
                   active_this_month=1, shares=1234, impressions=12_345_678, engagements=-3, clicks=1_000),
        AdviserRow(pk=123456, name="Yves Blanc", branch="", advisers=1),
        AdviserRow(pk=42, name="Inès", branch="Toulon", active_last_month=1, shares=2, impressions=333,
                   engagements=7, clicks=0),
    ]  # fmt: skip
    template = engines["django"].from_string(ROW_TEMPLATE)
    with translation.override(language):
        for days in (7, 90):
            old = template.render({"rows": rows, "days": days, "tag": False})
            assert template.render({"rows": rows, "days": days, "tag": True}) == old
            assert "12,345,678" in old or "12\u202f345\u202f678" in old or "12\xa0345\xa0678" in old


def test_a_rows_figures_add_every_field():
    """Branch and scope totals are their advisers' rows added up, field by field."""
    from dataclasses import fields

    from advocacy.dashboards.team import Figures

    total, row = Figures(), Figures(**{f.name: n + 1 for n, f in enumerate(fields(Figures))})
    total.add(row)
    total.add(row)
    assert total == Figures(**{f.name: 2 * (n + 1) for n, f in enumerate(fields(Figures))})


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_rows_engagement_rate_is_what_floatformat_1_wrote(language):
    """The per-adviser rate (``team_rows._tenths``) for what ``measures.rate`` gives: halves up, negatives,
    a negative that rounds to zero, whole numbers, thousands, thirds."""
    from django.template.defaultfilters import floatformat
    from django.utils import translation

    from advocacy.dashboards import measures
    from advocacy.dashboards.templatetags.team_rows import _formats, _tenths

    counts = (-3, -1, 0, 1, 7, 25, 1234, 999_999, 12_345_678)
    pairs = [(e, i) for e in counts for i in (1, 3, 7, 8, 333, 2_000)]
    pairs += [(1, 40_000), (-1, 40_000), (3, 24)]  # 0.0025, -0.0025, 12.5
    with translation.override(language):
        formats = _formats()
        for engagements, impressions in pairs:
            rate = measures.rate(engagements, impressions)
            assert _tenths(rate, formats) == floatformat(rate, 1), (engagements, impressions)
