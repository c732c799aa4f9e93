"""Post metrics from X: published shares' public counts read on a schedule that thins out with age, in
batches through the network interface (billed in the usage ledger), never twice in a UTC day, and not at
all once X says the plan cannot read posts."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import requests
from django.utils import timezone

from advocacy.metrics import schedule
from advocacy.metrics.models import MetricSnapshot, MetricsTrack
from advocacy.metrics.reading import read_due_metrics
from advocacy.networks.usage import capabilities
from advocacy.networks.usage.models import ApiCall, DailyRead
from advocacy.shares import services
from advocacy.shares.models import Share

pytestmark = pytest.mark.django_db

HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
PUBLISHED = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def _control(sandbox, path: str, payload: dict) -> dict:
    response = requests.post(f"{sandbox.url}/_sandbox/{path}", json=payload, timeout=5)
    response.raise_for_status()
    return response.json()


def test_the_schedule_thins_out_hourly_then_six_hourly_then_daily_then_stops(settings):
    settings.POST_METRICS_SCHEDULE = schedule.parse("1d=1h,7d=6h,30d=1d")
    reads = [schedule.first_read_at(PUBLISHED)]
    while (following := schedule.next_read_at(PUBLISHED, reads[-1])) is not None:
        reads.append(following)
    ages = [read - PUBLISHED for read in reads]
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    assert ages[0] == HOUR
    assert sum(1 for age in ages if age <= DAY) == 24  # hourly the first day
    assert set(gaps[:23]) == {HOUR}
    assert {gap for age, gap in zip(ages[1:], gaps, strict=False) if DAY < age <= 7 * DAY} == {6 * HOUR}
    assert {gap for age, gap in zip(ages[1:], gaps, strict=False) if age > 7 * DAY} == {DAY}
    assert ages[-1] == 30 * DAY  # a last read at day 30, then none
    assert len(reads) == 24 + 24 + 23
    assert schedule.next_read_at(PUBLISHED, PUBLISHED + 31 * DAY) is None
    # already read today: the next read waits for the next UTC day, whatever the tier says
    evening = PUBLISHED.replace(hour=22)
    assert schedule.next_allowed(PUBLISHED, evening) == dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def test_a_schedule_setting_out_of_order_is_refused():
    assert schedule.parse("2h=30m,3d=1d") == [(2 * HOUR, dt.timedelta(minutes=30)), (3 * DAY, DAY)]
    for bad in ("7d=6h,1d=1h", "1d=2d", "1d", "1w=1d", ""):
        with pytest.raises(ValueError):
            schedule.parse(bad)


@pytest.fixture
def published(sandbox, adviser, connect, make_item):
    """Three shares of one adviser, published through the share engine on the sandbox."""
    connect(adviser, "camille_x")
    shares = []
    for n in range(3):
        item = make_item(title=f"Livret {n}", text=f"Notre livret numéro {n} est disponible en agence.")
        share = services.schedule_share(adviser=adviser, item=item, when=None, actor=adviser)
        assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
        shares.append(Share.objects.get(pk=share.pk))
    return shares


def _metrics_calls():
    return ApiCall.objects.filter(purpose="metrics")


def test_published_posts_are_read_in_one_batch_snapshotted_and_billed(sandbox, published):
    first = published[0]
    _control(
        sandbox, "metrics", {"tweet_id": first.network_post_id, "impression_count": 120, "like_count": 7}
    )
    assert read_due_metrics(now=timezone.now()).read == 0  # enrolled; the first read is an hour after posting

    report = read_due_metrics(now=timezone.now() + HOUR + dt.timedelta(minutes=1))
    assert (report.read, report.calls) == (3, 1)
    call = _metrics_calls().get()
    assert (call.endpoint, call.resources, str(call.cost)) == ("GET /2/tweets", 3, "0.0150")
    snapshot = MetricSnapshot.objects.get(share=first)
    assert (snapshot.impressions, snapshot.likes, snapshot.reposts) == (120, 7, 0)
    assert MetricSnapshot.objects.count() == 3
    track = MetricsTrack.objects.get(share=first)
    assert track.reads == 1 and track.next_read_at == track.last_read_at + HOUR


def test_a_post_is_never_read_twice_in_a_utc_day(sandbox, published):
    now = timezone.now()
    read_due_metrics(now=now)
    read_due_metrics(now=now + HOUR + dt.timedelta(minutes=1))
    assert _metrics_calls().count() == 1
    later = now + 2 * HOUR + dt.timedelta(minutes=2)  # due again by the hourly tier
    report = read_due_metrics(now=later)
    assert (report.read, report.calls, report.already_read_today) == (0, 0, 3)
    assert _metrics_calls().count() == 1
    assert MetricSnapshot.objects.count() == 3
    for track in MetricsTrack.objects.all():
        assert track.next_read_at == schedule.next_allowed(track.published_at, later)
        assert track.next_read_at >= schedule.next_utc_day(later)


def test_a_plan_refusal_stops_the_reads_and_gives_back_the_days_claims(sandbox, published):
    now = timezone.now()
    read_due_metrics(now=now)
    _control(sandbox, "plan", {"not_enrolled": ["GET /2/tweets"]})
    report = read_due_metrics(now=now + HOUR + dt.timedelta(minutes=1))
    assert report.stopped == "capability" and report.read == 0
    assert not capabilities.available("post_metrics")
    assert _metrics_calls().get().status == ApiCall.Status.UNAVAILABLE
    assert not DailyRead.objects.filter(kind="post_metrics").exists()
    again = read_due_metrics(now=now + 3 * HOUR)
    assert again.stopped == "capability"
    assert _metrics_calls().count() == 1  # never retried in a loop


def test_a_recalled_post_is_no_longer_read(sandbox, published):
    now = timezone.now()
    read_due_metrics(now=now)
    Share.objects.filter(pk=published[0].pk).update(status=Share.Status.DELETED)
    report = read_due_metrics(now=now + HOUR + dt.timedelta(minutes=1))
    assert report.read == 2
    assert MetricsTrack.objects.get(share=published[0]).finished == MetricsTrack.Finished.NOT_PUBLISHED


def test_beat_runs_the_rounds_on_the_polling_queue(settings):
    from advocacy.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["metrics-poll-posts"]
    assert entry["task"] == "advocacy.metrics.tasks.poll_post_metrics"
    assert entry["schedule"] == dt.timedelta(minutes=settings.POST_METRICS_POLL_MINUTES)
    route = app.amqp.router.route({}, entry["task"])
    assert route["queue"].name == "polling"


def test_a_read_is_stamped_when_x_answered_not_when_the_round_began(sandbox, published, adviser2, connect):
    """A round reads one account after another; each read is stamped with the time X answered it, so a
    read is stored within a second of its time (the daily roll-up waits ROLLUP_SETTLE_SECONDS for events
    on their way, not for a round of minutes). With X answering in 0.4 s, the second account's reads are
    stamped at least 0.8 s after the round's start."""
    connect(adviser2, "hugo_x")
    share = services.schedule_share(adviser=adviser2, item=published[0].item, when=None, actor=adviser2)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    start = timezone.now()
    read_due_metrics(now=start)  # enrols the four posts
    _control(sandbox, "faults", {"latency_ms": 400, "endpoints": ["GET /2/tweets"]})
    began = start + HOUR + dt.timedelta(minutes=1)
    report = read_due_metrics(now=began)
    assert (report.read, report.calls) == (4, 2)
    stamps = sorted({s.read_at for s in MetricSnapshot.objects.all()})
    assert len(stamps) == 2  # one per call: the account's posts come in one answer
    assert stamps[0] - began >= dt.timedelta(seconds=0.4)
    assert stamps[1] - began >= dt.timedelta(seconds=0.8)
    assert stamps[1] - began < dt.timedelta(seconds=10)
