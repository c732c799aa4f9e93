"""What posts gained over a range, read from the daily roll-up for complete days and from the raw events for
the rest (``rollups.selectors.figures_by``): the same figures as differencing every snapshot and counting
every click, whichever days are rolled up, however often, and when reads arrive late. Posts are published by
the share engine to the X sandbox and read on four UTC days by the metrics rounds (the clock moved back);
clicks through /l/ today, older ones stored on their day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from advocacy.dashboards import selectors as dashboard_selectors
from advocacy.dashboards import team
from advocacy.links import clicks
from advocacy.metrics.models import MetricSnapshot
from advocacy.metrics.reading import read_due_metrics
from advocacy.rollups import services
from advocacy.rollups.models import DailyPostFigures, RollupRun
from advocacy.rollups.selectors import Gained, complete_until, figures_by, figures_by_share_day
from advocacy.shares import services as share_services
from advocacy.shares.models import Share, ShareClick
from tests.dashboards.helpers import BROWSER, set_metrics

pytestmark = pytest.mark.django_db
REAL_NOW = timezone.now
UTC = dt.UTC


@pytest.fixture
def days():
    today = REAL_NOW().astimezone(UTC).date()
    return [today - dt.timedelta(days=back) for back in (3, 2, 1, 0)]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


@pytest.fixture
def reads(sandbox, connect, make_item, adviser, adviser2, days, monkeypatch, settings):
    """Camille's post P and Hugo's post Q, published three days ago and read once a day since (today: now):

    - P: 100 impressions / 5 likes, 180 / 9, 180 / 7 (two likes withdrawn), 300 / 12;
    - Q: 50 / 1, 50 / 1, 70 / 2, 90 / 3;
    - clicks: P once three days ago and twice two days ago (stored on their day), P and Q once today (/l/).
    """
    settings.POST_METRICS_SCHEDULE = [(dt.timedelta(days=7), dt.timedelta(hours=1))]
    connect(adviser, "camille_x")
    connect(adviser2, "hugo_x")
    monkeypatch.setattr(timezone, "now", lambda: _at(days[0], 9))
    posts = []
    for person, n in ((adviser, 0), (adviser2, 1)):
        share = share_services.schedule_share(
            adviser=person, item=make_item(title=f"Livret {n}", text=f"Notre livret {n}."), when=None,
            actor=person,
        )  # fmt: skip
        assert share_services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
        posts.append(Share.objects.get(pk=share.pk))
    p, q = posts
    counts = {p: [(100, 5), (180, 9), (180, 7), (300, 12)], q: [(50, 1), (50, 1), (70, 2), (90, 3)]}
    for n, day in enumerate(days):
        when = _at(day, 10) if n < 3 else REAL_NOW()
        monkeypatch.setattr(timezone, "now", lambda when=when: when)
        for share, figures in counts.items():
            set_metrics(sandbox, share, impression_count=figures[n][0], like_count=figures[n][1])
        assert read_due_metrics(now=when).read == 2
    monkeypatch.setattr(timezone, "now", REAL_NOW)
    for day, visitors in ((days[0], "a"), (days[1], "bc")):
        for visitor in visitors:
            ShareClick.objects.create(share=p, clicked_at=_at(day, 12), visitor=visitor * 32)
    for share in (p, q):
        assert Client().get(f"/l/{share.link_code}", HTTP_USER_AGENT=BROWSER).status_code == 302
    clicks.flush()
    assert MetricSnapshot.objects.count() == 8
    return {"p": p, "q": q}


def _range(days):
    return _at(days[1], 0), _at(days[3] + dt.timedelta(days=1), 0)


def _everything(reads, adviser, adviser2, regional_manager, days):
    """Every reading of the two days before today and today: per adviser, per share and day, My results and
    the regional manager's team page."""
    start, end = _range(days)
    both = {"adviser__in": get_user_model().objects.filter(pk__in=[adviser.pk, adviser2.pk])}
    period = dashboard_selectors.Range.last(3, now=REAL_NOW())
    mine = dashboard_selectors.results(adviser, period)
    south = team.team(regional_manager, period, now=REAL_NOW())
    [hugo] = [row for row in south.advisers if row.pk == adviser2.pk]
    return {
        "by adviser": figures_by("adviser_id", both, start, end),
        "by share and day": figures_by_share_day(both, start, end),
        "my days": [(d.day, d.impressions, d.engagements, d.clicks) for d in mine.days],
        "my best": [(p.share_id, p.impressions, p.engagements, p.clicks) for p in mine.best],
        "team": (hugo.impressions, hugo.engagements, hugo.clicks),
    }


def test_rolled_up_days_and_the_raw_tail_give_the_figures_of_the_raw_events(
    reads, adviser, adviser2, regional_manager, days
):
    start, end = _range(days)
    p, q = reads["p"].pk, reads["q"].pk
    raw = _everything(reads, adviser, adviser2, regional_manager, days)
    assert complete_until(start, end) is None  # nothing rolled up yet: all of it from the raw events
    # Since the day before yesterday began: P 300 - 100 impressions, 12 - 5 likes; Q 90 - 50, 3 - 1.
    assert raw["by adviser"] == {adviser.pk: Gained(200, 7, 3), adviser2.pk: Gained(40, 2, 1)}
    assert raw["by share and day"] == {
        (p, days[1]): Gained(80, 4, 2), (p, days[2]): Gained(0, -2, 0), (p, days[3]): Gained(120, 5, 1),
        (q, days[1]): Gained(0, 0, 0), (q, days[2]): Gained(20, 1, 0), (q, days[3]): Gained(20, 1, 1),
    }  # fmt: skip
    assert raw["my days"] == [(days[1], 80, 4, 2), (days[2], 0, -2, 0), (days[3], 120, 5, 1)]
    assert raw["team"] == (40, 2, 1)

    for day in days:  # the three past days after they ended (complete), today before it ends (not)
        services.rollup_day(day)
    assert complete_until(start, end) == days[2]
    row = DailyPostFigures.objects.get(share_id=p, day=days[2])
    assert (row.impressions, row.engagements, row.impressions_gained, row.engagements_gained) == (
        180,
        7,
        0,
        -2,
    )
    assert _everything(reads, adviser, adviser2, regional_manager, days) == raw

    services.rollup_day(days[1])  # again: the same rows, the same figures
    assert DailyPostFigures.objects.filter(day=days[1]).count() == 2
    assert _everything(reads, adviser, adviser2, regional_manager, days) == raw


def test_a_late_read_counts_once_its_day_is_rolled_up_again(reads, adviser, adviser2, regional_manager, days):
    p = reads["p"]
    for day in days:
        services.rollup_day(day)
    # A read of today stored after today's roll-up: today is not complete, so it counts at once.
    MetricSnapshot.objects.create(share=p, post_id=p.network_post_id, read_at=REAL_NOW(), impressions=330)
    now = _everything(reads, adviser, adviser2, regional_manager, days)
    assert now["by share and day"][p.pk, days[3]].impressions == 330 - 180

    # A read of yesterday stored after yesterday's complete roll-up (a backfill): the roll-up still says what
    # yesterday's reads said, until the days from yesterday are rolled up again, in order.
    MetricSnapshot.objects.create(
        share=p, post_id=p.network_post_id, read_at=_at(days[2], 23), impressions=250
    )
    assert DailyPostFigures.objects.get(share=p, day=days[2]).impressions_gained == 0
    for day in days[2:]:
        services.rollup_day(day)
    assert DailyPostFigures.objects.get(share=p, day=days[2]).impressions_gained == 250 - 180
    rolled = _everything(reads, adviser, adviser2, regional_manager, days)
    RollupRun.objects.all().delete()  # no day complete: what the raw events alone say
    raw = _everything(reads, adviser, adviser2, regional_manager, days)
    assert rolled == raw
    assert raw["by share and day"][p.pk, days[2]].impressions == 70
    assert raw["by share and day"][p.pk, days[3]].impressions == 330 - 250
    assert raw["by adviser"][adviser.pk].impressions == 330 - 100
