"""Marketing's campaign results: a campaign launched through the real fan-out (opted-in and connected
advisers of two branches, a base wording and two variants), its posts published by the share engine to the
X sandbox, their counts read by the metrics rounds, clicks through /l/; the page's figures per campaign,
per wording and per branch match those raw events; the CSVs; constant queries; only marketing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.campaigns import lifecycle
from advocacy.campaigns.models import AutoShareOptIn
from advocacy.links import clicks
from advocacy.metrics.reading import read_due_metrics
from advocacy.org.models import Role
from advocacy.shares import services
from advocacy.shares.models import Share
from tests.dashboards.helpers import click, set_metrics

pytestmark = pytest.mark.django_db

URL, CSV_URL = "/results/campaigns/", "/results/campaigns/campaigns.csv"
REAL_NOW = timezone.now


@pytest.fixture
def clock(monkeypatch):
    def set_to(when: dt.datetime | None):
        monkeypatch.setattr(timezone, "now", (lambda: when) if when else REAL_NOW)

    return set_to


def _advisers(make_staff, connect, n: int, *, branch: str, opted_in: bool = True):
    people = []
    for i in range(n):
        person = make_staff(Role.ADVISER, branch=branch, first_name=f"{branch}{i}")
        if opted_in:
            AutoShareOptIn.objects.create(adviser=person, category="market_news")
        connect(person, f"{branch}{i}_{person.pk}")
        people.append(person)
    return people


def _run(item, marketer, clock, django_capture_on_commit_callbacks, name="Printemps") -> list[Share]:
    """Create and launch a campaign whose window ends in 2 minutes (the fan-out runs on commit), then publish
    every share it scheduled, as the beat would once they are due."""
    now = REAL_NOW()
    campaign = lifecycle.create_campaign(
        item=item, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(minutes=2),
        actor=marketer, name=name,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.launch_campaign(campaign=campaign, actor=marketer)
    clock(now + dt.timedelta(minutes=2, seconds=1))
    shares = list(Share.objects.filter(campaign=campaign).order_by("pk"))
    for share in shares:
        assert services.publish_share(share_id=share.pk) in (Share.Status.PUBLISHED, None)
    clock(None)
    assert set(Share.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"published"}
    return [
        Share.objects.select_related("approved_text", "adviser__staff__branch").get(pk=s.pk) for s in shares
    ]


@pytest.fixture
def campaign_run(
    sandbox, connect, make_staff, make_item, marketer, clock, django_capture_on_commit_callbacks
):
    """6 opted-in advisers (4 Lille, 2 Nice) and 1 who did not opt in; a base wording and two variants.
    Each post gets impressions, likes and clicks that depend on its wording, so the wordings differ."""
    _advisers(make_staff, connect, 4, branch="lille")
    _advisers(make_staff, connect, 2, branch="nice")
    _advisers(make_staff, connect, 1, branch="nice", opted_in=False)
    item = make_item(
        title="Printemps",
        text="Le printemps de l'épargne commence en agence.",
        variants=["Ce printemps, votre épargne compte.", "Épargner au printemps : parlons-en."],
    )
    shares = _run(item, marketer, clock, django_capture_on_commit_callbacks)
    assert len(shares) == 6
    expected = {"variant": defaultdict(lambda: [0, 0, 0, 0]), "branch": defaultdict(lambda: [0, 0, 0, 0])}
    for n, share in enumerate(shares):
        variant = share.approved_text.variant_id
        weight = 1 if variant is None else 3
        impressions, likes, taps = 100 * weight + n, weight, weight + (n % 2)
        set_metrics(sandbox, share, impression_count=impressions, like_count=likes)
        click(share, taps)
        for key, value in (("variant", variant), ("branch", share.adviser.staff.branch.name)):
            row = expected[key][value]
            row[0], row[1], row[2], row[3] = row[0] + 1, row[1] + impressions, row[2] + likes, row[3] + taps
    clicks.flush()
    read_due_metrics(now=REAL_NOW() + dt.timedelta(hours=1, minutes=4))
    return {"campaign": shares[0].campaign, "shares": shares, "expected": expected, "item": item}


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_campaign_list_matches_the_fan_out_and_the_raw_events(campaign_run, marketer, client_for):
    response = client_for(marketer).get(URL, {"days": 7})
    assert response.status_code == 200
    [row] = response.context["rows"]
    expected = campaign_run["expected"]["branch"]
    totals = [sum(v[i] for v in expected.values()) for i in range(4)]
    assert (row.targeted, row.opted_in, row.scheduled) == (7, 6, 6)
    assert (row.published, row.impressions, row.engagements, row.clicks) == tuple(totals)
    page = response.content.decode()
    assert 'id="campaigns-results-data"' in page and "Printemps" in page
    rows = _rows(client_for(marketer).get(CSV_URL, {"days": 7}))
    assert rows[0][0] == "campaign" and rows[1][0] == "Printemps"
    assert rows[1][3:] == [str(v) for v in (7, 6, 6, *totals)]


def test_per_wording_and_per_branch_figures_match_the_raw_events(campaign_run, marketer, client_for):
    campaign = campaign_run["campaign"]
    response = client_for(marketer).get(f"/results/campaigns/{campaign.pk}/", {"days": 7})
    assert response.status_code == 200
    found = response.context["found"]
    expected = campaign_run["expected"]
    got = {v.key: [v.published, v.impressions, v.engagements, v.clicks] for v in found.variants}
    assert got == dict(expected["variant"])
    got = {b.label: [b.published, b.impressions, b.engagements, b.clicks] for b in found.branches}
    assert got == dict(expected["branch"])
    # Which wording works: the most clicks per published post (variants drew 3 or 4 clicks, the base 1 or 2).
    used_variants = [k for k in expected["variant"] if k is not None]
    if used_variants and None in expected["variant"]:
        assert found.best_variant.key in used_variants
    page = response.content.decode()
    assert 'id="campaign-variants-data"' in page and 'id="campaign-branches-data"' in page
    assert "Ce printemps" in page or "Épargner au printemps" in page
    rows = _rows(client_for(marketer).get(f"/results/campaigns/{campaign.pk}/breakdown.csv", {"days": 7}))
    branch_rows = {r[1]: r[2:] for r in rows if r[0] == "branch"}
    assert branch_rows == {k: [str(x) for x in v] for k, v in expected["branch"].items()}
    assert len([r for r in rows if r[0] == "wording"]) == len(expected["variant"])


def test_the_list_shows_20_campaigns_a_page_newest_first(make_item, marketer, client_for):
    now = REAL_NOW()
    item = make_item()
    made = [
        lifecycle.create_campaign(
            item=item, starts_at=now, ends_at=now + dt.timedelta(days=1), actor=marketer, name=f"C{n}"
        )
        for n in range(21)
    ]
    client = client_for(marketer)
    first = client.get(URL, {"days": 7})
    assert [r.campaign.pk for r in first.context["rows"]] == [c.pk for c in reversed(made)][:20]
    older = first.context["page"].older
    assert f"before={older}" in first.content.decode()
    second = client.get(URL, {"days": 7, "before": older})
    assert [r.campaign.pk for r in second.context["rows"]] == [made[0].pk]
    rows = _rows(client.get(CSV_URL, {"days": 7, "before": older}))
    assert [r[0] for r in rows[1:]] == ["C0"]  # the CSV is the page shown


def test_earned_media_value_is_a_column_only_at_the_banks_own_prices(
    campaign_run, marketer, client_for, settings
):
    from decimal import Decimal

    client = client_for(marketer)
    chart = client.get(URL, {"days": 7}).context["chart"]
    assert "Earned media value (estimate)" not in [s.label for s in chart.series]
    settings.EARNED_MEDIA_CPM, settings.EARNED_MEDIA_CPC = None, Decimal("0.40")
    response = client.get(URL, {"days": 7})
    [row] = response.context["rows"]
    [emv] = [s for s in response.context["chart"].series if s.label == "Earned media value (estimate)"]
    assert emv.values == [row.clicks * Decimal("0.40")] and emv.table_only
    assert "link clicks \u00d7 0.40 EUR (CPC)" in response.content.decode()


def test_no_wording_wins_before_any_click():
    from advocacy.dashboards.campaigns import Breakdown, Figures, Part

    parts = [Part(key=None, published=2, clicks=0), Part(key=7, published=1, clicks=0)]
    assert Breakdown(campaign=None, total=Figures(), variants=parts).best_variant is None
    parts[1].clicks = 1
    assert Breakdown(campaign=None, total=Figures(), variants=parts).best_variant.key == 7


def test_an_unknown_campaign_is_404(marketer, client_for):
    assert client_for(marketer).get("/results/campaigns/99999999/").status_code == 404
    assert client_for(marketer).get("/results/campaigns/99999999/breakdown.csv").status_code == 404


def test_a_campaign_outside_the_period_is_not_listed(campaign_run, marketer, client_for, clock):
    campaign = campaign_run["campaign"]
    type(campaign).objects.filter(pk=campaign.pk).update(
        starts_at=REAL_NOW() - dt.timedelta(days=40), ends_at=REAL_NOW() - dt.timedelta(days=35)
    )
    client = client_for(marketer)
    assert client.get(URL, {"days": 7}).context["rows"] == []
    assert len(client.get(URL, {"days": 90}).context["rows"]) == 1


def test_the_pages_make_the_same_queries_with_more_campaigns_and_posts(
    sandbox, connect, make_staff, make_item, marketer, client_for, clock, django_capture_on_commit_callbacks
):
    client = client_for(marketer)
    counts = []
    for round_, advisers in enumerate((1, 4)):
        _advisers(make_staff, connect, advisers, branch="lille" if round_ else "nice")
        item = make_item(
            title=f"C{round_}", text=f"Campagne {round_} en agence.", variants=[f"Variante {round_}"]
        )
        shares = _run(item, marketer, clock, django_capture_on_commit_callbacks, name=f"C{round_}")
        for share in shares:
            set_metrics(sandbox, share, impression_count=10, like_count=1)
            click(share)
        clicks.flush()
        read_due_metrics(now=REAL_NOW() + dt.timedelta(hours=1, minutes=4))
        campaign = shares[0].campaign
        client.get(URL)
        with CaptureQueriesContext(connection) as listing:
            response = client.get(URL)
        with CaptureQueriesContext(connection) as export:
            client.get(CSV_URL)
        with CaptureQueriesContext(connection) as detail:
            client.get(f"/results/campaigns/{campaign.pk}/")
        with CaptureQueriesContext(connection) as detail_csv:
            client.get(f"/results/campaigns/{campaign.pk}/breakdown.csv")
        assert len(response.context["rows"]) == round_ + 1
        counts.append((len(listing), len(export), len(detail), len(detail_csv)))
    assert counts[0] == counts[1], counts


def test_french(campaign_run, marketer, client_for):
    marketer.staff.language = "fr"
    marketer.staff.save(update_fields=["language"])
    client = client_for(marketer)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    page = client.get(URL, {"days": 7}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Résultats des campagnes" in page
    assert _rows(client.get(CSV_URL, {"days": 7}, HTTP_ACCEPT_LANGUAGE="fr"))[0][0] == "campagne"


@pytest.mark.parametrize(
    "role", [Role.ADVISER, Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.COMPLIANCE, Role.HR, Role.ADMIN]
)
def test_other_roles_are_refused(role, make_staff, client_for):
    client = client_for(make_staff(role, managed_region="north" if role == Role.REGIONAL_MANAGER else None))
    for url in (URL, CSV_URL, "/results/campaigns/1/", "/results/campaigns/1/breakdown.csv"):
        assert client.get(url).status_code == 403, url


# The campaigns list's items as campaigns.html wrote them before {% campaign_links %}
# (advocacy/dashboards/templatetags/campaign_rows.py).
_OLD_LINKS = (
    "{% for row in rows %}<li><a href=\"{% url 'dashboards:campaign' row.campaign.pk %}?days={{ days }}\">"
    '{{ row.campaign.name }}</a> <span class="help">{{ row.campaign.starts_at|date:"SHORT_DATE_FORMAT" }} '
    '\u2013 {{ row.campaign.ends_at|date:"SHORT_DATE_FORMAT" }}</span></li>{% endfor %}'
)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_the_campaign_links_tag_writes_what_the_template_loop_wrote(language, zone):
    from django.template import engines
    from django.utils import translation

    from advocacy.campaigns.models import Campaign
    from advocacy.dashboards.campaigns import CampaignRow

    def at(*parts):
        return dt.datetime(*parts, tzinfo=dt.UTC)

    rows = [
        CampaignRow(campaign=Campaign(pk=7, name='Taux <b>&</b> "immo"', starts_at=at(2026, 1, 31, 23, 30),
                                      ends_at=at(2026, 2, 1, 0, 30))),
        CampaignRow(campaign=Campaign(pk=123456, name="Épargne d'été", starts_at=at(2025, 12, 31, 11),
                                      ends_at=at(2026, 12, 31, 12))),
    ]  # fmt: skip
    old = engines["django"].from_string(_OLD_LINKS)
    new = engines["django"].from_string("{% load campaign_rows %}{% campaign_links rows %}")
    with translation.override(language), timezone.override(zone):
        for days in (7, 90):
            written = old.render({"rows": rows, "days": days})
            assert new.render({"rows": rows, "days": days}) == written
            assert "Taux &lt;b&gt;&amp;&lt;/b&gt; &quot;immo&quot;" in written
