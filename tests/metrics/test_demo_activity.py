"""The demo's post activity: the sandbox's control route raises the demo posts' impressions and likes, and
the real metrics reader (tweepy to the sandbox, billed in the usage ledger) then stores them as snapshots."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import requests
from django.core.management import CommandError, call_command
from django.utils import timezone

from advocacy.metrics import demo, schedule
from advocacy.metrics.models import MetricSnapshot
from advocacy.metrics.reading import read_due_metrics
from advocacy.networks.usage.models import ApiCall
from advocacy.shares import services
from advocacy.shares.models import Share
from tests.recruitment.conftest import keep_test_connection  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(sandbox, adviser, connect, make_item):
    connect(adviser, "camille_demo")
    shares = []
    for n in range(2):
        item = make_item(title=f"Épargne {n}", text=f"Notre épargne numéro {n} est disponible en agence.")
        share = services.schedule_share(adviser=adviser, item=item, when=None, actor=adviser)
        assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
        shares.append(Share.objects.get(pk=share.pk))
    return shares


def _sandbox_metrics(sandbox) -> dict[str, dict]:
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    return {t["id"]: t["public_metrics"] for t in state["tweets"]}


def test_the_activity_raises_the_posts_on_the_sandbox_and_the_reader_stores_them(sandbox, published):
    first = demo.raise_demo_metrics(rng=random.Random(1))
    second = demo.raise_demo_metrics(rng=random.Random(2))
    assert first.posts == second.posts == 2
    counts = _sandbox_metrics(sandbox)
    raised = [counts[s.network_post_id] for s in published]
    assert sum(c["impression_count"] for c in raised) == first.impressions + second.impressions
    assert sum(c["like_count"] for c in raised) == first.likes + second.likes
    assert all(c["impression_count"] >= 30 for c in raised)  # at least 15 a round each

    now = timezone.now()
    read_due_metrics(now=now)  # enrols the posts
    report = read_due_metrics(now=schedule.first_read_at(now) + dt.timedelta(minutes=1))
    assert (report.read, report.calls) == (2, 1)
    assert ApiCall.objects.filter(purpose="metrics", endpoint="GET /2/tweets").count() == 1
    for share, sandbox_counts in zip(published, raised, strict=True):
        snapshot = MetricSnapshot.objects.get(share=share)
        assert (snapshot.impressions, snapshot.likes) == (
            sandbox_counts["impression_count"],
            sandbox_counts["like_count"],
        )


def test_a_recalled_post_is_left_alone(sandbox, published):
    Share.objects.filter(pk=published[0].pk).update(status=Share.Status.DELETED)
    assert demo.raise_demo_metrics(rng=random.Random(3)).posts == 1
    assert _sandbox_metrics(sandbox)[published[0].network_post_id]["impression_count"] == 0


def test_the_activity_refuses_anything_but_a_sandbox_on_loopback(settings, db):
    settings.X_API_BASE_URL = "https://api.x.com"
    with pytest.raises(demo.NotASandbox):
        demo.raise_demo_metrics()
    with pytest.raises(CommandError, match="refused"):
        call_command("demo_post_activity", "--once")


def test_after_the_demo_activity_and_one_read_the_demo_pages_show_the_figures(
    sandbox,
    keep_test_connection,  # noqa: F811 - the fixture imported above
    client_for,
    settings,
):
    """The demo as ``make demo`` seeds it (demo schedule: first read two minutes after posting): one round
    of activity, one metrics round, then the adviser's results, the manager's team page and the branch's
    recognition show what X counted; the compliance queue has the seeded version waiting."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from advocacy.campaigns.demo import seed_campaign
    from advocacy.content.demo import seed_content
    from advocacy.dashboards.review_times import oversight
    from advocacy.dashboards.selectors import Range
    from advocacy.networks.x.demo import seed_publishing
    from advocacy.org.demo import seed_organisation
    from advocacy.recognition.demo import seed_recognition
    from advocacy.recognition.selectors import Month, branch_recognition
    from advocacy.shares.demo import seed_shares

    settings.POST_METRICS_SCHEDULE = schedule.parse("1d=2m,7d=6h,30d=1d")
    seed_organisation()
    seed_content()
    seed_publishing()
    seed_shares()
    seed_campaign()
    assert seed_recognition() == 3
    users = get_user_model().objects
    adviser = users.get(email="adviser@demo.relais.test")
    manager = users.get(email="manager@demo.relais.test")

    raised = demo.raise_demo_metrics(rng=random.Random(4))
    assert raised.posts == Share.objects.filter(status=Share.Status.PUBLISHED).count() == 5
    now = timezone.now()
    read_due_metrics(now=now)
    report = read_due_metrics(now=now + dt.timedelta(minutes=3))
    assert report.read == 5 and report.calls >= 1
    assert sum(MetricSnapshot.objects.values_list("impressions", flat=True)) == raised.impressions

    mine = MetricSnapshot.objects.filter(share__adviser=adviser)
    adviser_impressions = sum(mine.values_list("impressions", flat=True))
    assert adviser_impressions > 0
    page = client_for(adviser).get(reverse("dashboards:my_results")).content.decode()
    assert f'<td class="num">{adviser_impressions}</td>' in page  # the chart's table, today's row
    team = client_for(manager).get(reverse("dashboards:team")).content.decode()
    assert str(adviser_impressions) in team

    ranked = branch_recognition(adviser.staff.branch_id, Month.of(timezone.now().date()))
    assert {p.name for p in ranked} == {"Camille Martin", "Julie Girard", "Antoine Roux"}
    assert any(p.engagement_per_post for p in ranked)
    assert oversight(Range.last(30, now=timezone.now()), now=timezone.now()).queue.waiting == 1
    seed_content()
    assert oversight(Range.last(30, now=timezone.now()), now=timezone.now()).queue.waiting == 1
