"""Compliance's figures: the review queue against its target, time to decision per category (median,
90th percentile), findings by rule and which were acknowledged and approved anyway, recalls and how long
deletions took on the X sandbox, capture gaps; all from what the workflow and the share engine wrote;
the CSV; constant queries; only compliance."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.content.workflow import approve_version, reject_version, request_changes
from advocacy.content.workflow.decisions import findings_to_acknowledge
from advocacy.dashboards.review_times import percentile
from advocacy.org.models import Role
from advocacy.relationships.models import CaptureGap
from advocacy.shares import services
from advocacy.shares.models import Share
from compliance.review import checking
from tests.dashboards.helpers import publish
from tests.publishing.conftest import faults
from tests.review.conftest import _fresh_lexicon_cache, test_pack  # noqa: F401 - fixtures
from tests.review.factories import submitted_version

pytestmark = pytest.mark.django_db

URL, CSV_URL = "/results/compliance/", "/results/compliance/figures.csv"
REAL_NOW = timezone.now


@pytest.fixture
def clock(monkeypatch):
    def set_to(when: dt.datetime | None):
        monkeypatch.setattr(timezone, "now", (lambda: when) if when else REAL_NOW)

    return set_to


def _acknowledge_all(version) -> list[str]:
    return [f["id"] for f in findings_to_acknowledge(checking.run_checks(version))]


@pytest.fixture
def reviewed(test_pack, adviser, compliance_officer, clock):  # noqa: F811 - the fixture above
    """Three days ago: a corporate text with a warning ("dernière chance") approved 2 h after submission
    (the warning acknowledged), a market-news text sent back after 10 h, another rejected after 30 h;
    now waiting: one submitted 30 h ago (over the 24 h target), one submitted 1 h ago."""
    base = REAL_NOW() - dt.timedelta(days=3)
    clock(base)
    warned = submitted_version(adviser, text="Dernière chance pour notre livret. #PUB", category="corporate")
    back = submitted_version(adviser, text="Notre livret évolue. #PUB", category="market_news", title="B")
    rejected = submitted_version(adviser, text="Notre offre du mois. #PUB", category="market_news", title="C")
    clock(base + dt.timedelta(hours=2))
    approve_version(
        version=warned, reviewer=compliance_officer, acknowledged_finding_ids=_acknowledge_all(warned)
    )
    clock(base + dt.timedelta(hours=10))
    request_changes(version=back, reviewer=compliance_officer, comment="Préciser le taux.")
    clock(base + dt.timedelta(hours=30))
    reject_version(version=rejected, reviewer=compliance_officer, reason="Hors ligne éditoriale.")
    clock(REAL_NOW() - dt.timedelta(hours=30))
    old = submitted_version(adviser, text="Notre agence déménage. #PUB", title="D")
    clock(REAL_NOW() - dt.timedelta(hours=1))
    new = submitted_version(adviser, text="Notre agence ouvre le samedi. #PUB", title="E")
    clock(None)
    return {"warned": warned, "old": old, "new": new}


def test_queue_times_and_rules_match_the_workflow(reviewed, compliance_officer, client_for):
    response = client_for(compliance_officer).get(URL, {"days": 7})
    assert response.status_code == 200
    figures = response.context["figures"]
    queue = figures.queue
    assert (queue.waiting, queue.overdue, queue.target_hours, queue.within_half) == (2, 1, 24, 1)
    assert queue.oldest_hours == 30
    times = {c.category: c for c in figures.categories}
    assert (times["corporate"].decisions, times["corporate"].median_hours) == (1, 2.0)
    market = times["market_news"]
    assert (market.decisions, market.median_hours, market.p90_hours, market.over_target) == (2, 10.0, 30.0, 1)
    assert times["product"].decisions == 0 and times["product"].median_hours is None
    rules = {r.rule: r for r in figures.rules}
    [warning] = [r for r in rules.values() if r.severity == "warn"]
    assert (warning.fired, warning.overridden, warning.label) == (1, 1, "\u201cdernière chance\u201d")
    page = response.content.decode()
    for chart in ("review-queue-age", "review-decision-times", "review-rules"):
        assert f'id="{chart}-data"' in page


def test_percentiles_are_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([3.0], 90) == 3.0
    assert percentile([10.0, 30.0], 50) == 10.0 and percentile([10.0, 30.0], 90) == 30.0
    assert percentile([float(n) for n in range(1, 11)], 90) == 9.0


def test_recalls_and_deletion_times_come_from_the_share_engine(
    sandbox, connect, adviser, adviser2, make_item, compliance_officer, client_for
):
    from advocacy.content.models import ContentItem
    from advocacy.content.workflow.lifecycle import recall_item

    item = make_item(variants=["Deuxième formulation du livret."])
    connect(adviser, "camille_x")
    connect(adviser2, "hugo_x")
    live = [publish(adviser, item), publish(adviser2, item)]
    recall_item(item=item, actor=compliance_officer, reason="Taux erroné")
    assert ContentItem.objects.get(pk=item.pk).status == "recalled"
    faults(sandbox, rate_limit_next=1, reset_after_s=60, endpoints=["DELETE /2/tweets/:id"])
    counts = services.recall_shares(item_id=item.pk)
    assert counts["deleted"] == 1 and counts["waiting"] == 1
    figures = client_for(compliance_officer).get(URL, {"days": 7}).context["figures"]
    assert figures.recalls == 1
    deletions = figures.deletions
    assert (deletions.requested, deletions.deleted, deletions.waiting) == (2, 1, 1)
    [done] = Share.objects.filter(pk__in=[s.pk for s in live], deleted_at__isnull=False)
    assert deletions.median_minutes == pytest.approx(
        (done.deleted_at - done.delete_requested_at).total_seconds() / 60
    )


def test_capture_gaps_of_the_period_are_counted(sandbox, connect, adviser, compliance_officer, client_for):
    account = connect(adviser, "camille_x")
    CaptureGap.objects.create(account=account, after_id="10", before_id="20")
    old = CaptureGap.objects.create(account=account, after_id="1", before_id="2")
    CaptureGap.objects.filter(pk=old.pk).update(detected_at=REAL_NOW() - dt.timedelta(days=20))
    client = client_for(compliance_officer)
    week = client.get(URL, {"days": 7})
    assert week.context["figures"].gap_count == 1 and "@camille_x" in week.content.decode()
    assert client.get(URL, {"days": 30}).context["figures"].gap_count == 2


def test_the_csv_holds_the_pages_tables(reviewed, compliance_officer, client_for):
    response = client_for(compliance_officer).get(CSV_URL, {"days": 7})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "review queue" and rows[1][1:3] == ["2", "1"]
    assert ["Market news", "2", "10.0", "30.0", "1"] in rows
    assert ["Corporate", "1", "2.0", "2.0", "0"] in rows


def test_the_page_makes_the_same_queries_with_more_rows(
    test_pack,  # noqa: F811 - the fixture above
    compliance_officer,
    client_for,
    sandbox,
    connect,
    adviser,
):
    client = client_for(compliance_officer)
    account = connect(adviser, "camille_x")
    counts = []
    for n in (1, 5):
        for k in range(n):
            version = submitted_version(adviser, text=f"Dernière chance {n}-{k}. #PUB", title=f"T{n}{k}")
            if k % 2:
                approve_version(
                    version=version,
                    reviewer=compliance_officer,
                    acknowledged_finding_ids=_acknowledge_all(version),
                )
            CaptureGap.objects.create(account=account, after_id=str(k), before_id=str(k + 1))
        client.get(URL)
        with CaptureQueriesContext(connection) as page:
            client.get(URL)
        with CaptureQueriesContext(connection) as export:
            client.get(CSV_URL)
        counts.append((len(page), len(export)))
    assert counts[0] == counts[1], counts


def test_french(reviewed, compliance_officer, client_for):
    compliance_officer.staff.language = "fr"
    compliance_officer.staff.save(update_fields=["language"])
    client = client_for(compliance_officer)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    page = client.get(URL, {"days": 7}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Indicateurs de conformité" in page


@pytest.mark.parametrize(
    "role", [Role.ADVISER, Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.MARKETING, Role.HR, Role.ADMIN]
)
def test_other_roles_are_refused(role, make_staff, client_for):
    client = client_for(make_staff(role, managed_region="north" if role == Role.REGIONAL_MANAGER else None))
    for url in (URL, CSV_URL):
        assert client.get(url).status_code == 403, url
