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
