"""What posts gained over a range, read from the daily roll-up for complete days and from the raw events for
the rest (``rollups.selectors.figures_by``): the same figures as differencing every snapshot and counting
every click, whichever days are rolled up, however often, and when reads arrive late. Posts are published by
the share engine to the X sandbox and read on four UTC days by the metrics rounds (the clock moved back);
clicks through /l/ today, older ones stored on their day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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


def test_today_so_far_is_read_from_its_rows_and_only_the_events_after_them(
    reads, adviser, adviser2, regional_manager, days, settings
):
    """Today's run (partial: beat rolls today up every ten minutes) counts today's events up to its
    ``through``; the dashboards read today's rows and the events after ``through`` only, with the figures
    of the raw events. A click stored late with a time before ``through`` shows at today's next run, as a
    late click of a complete day does; one after ``through`` shows at once."""
    p = reads["p"]
    raw = _everything(reads, adviser, adviser2, regional_manager, days)
    for day in days[:3]:
        services.rollup_day(day)
    settle = dt.timedelta(seconds=settings.ROLLUP_SETTLE_SECONDS)
    run = services.rollup_day(days[3], now=REAL_NOW() + settle + dt.timedelta(seconds=30))
    assert _at(days[3], 0) < run.through < _at(days[3] + dt.timedelta(days=1), 0)
    today = DailyPostFigures.objects.get(share=p, day=days[3])  # today's read and click are before it
    assert (today.clicks, today.impressions_gained, today.engagements_gained) == (1, 120, 5)
    start, end = _range(days)
    assert complete_until(start, end) == days[2]  # today is covered, not complete
    assert _everything(reads, adviser, adviser2, regional_manager, days) == raw

    ShareClick.objects.create(share=p, clicked_at=run.through - dt.timedelta(seconds=1), visitor="y" * 32)
    ShareClick.objects.create(share=p, clicked_at=run.through + dt.timedelta(seconds=1), visitor="z" * 32)
    seen = _everything(reads, adviser, adviser2, regional_manager, days)
    assert seen["by share and day"][p.pk, days[3]] == Gained(120, 5, 2)
    assert seen["by adviser"][adviser.pk] == Gained(200, 7, 4)
    services.rollup_day(days[3], now=run.through + settle + dt.timedelta(seconds=2))
    rolled = _everything(reads, adviser, adviser2, regional_manager, days)
    assert rolled["by share and day"][p.pk, days[3]] == Gained(120, 5, 3)
    assert rolled["my days"][-1] == (days[3], 120, 5, 3)
    RollupRun.objects.all().delete()  # nothing covered: what the raw events alone say
    assert _everything(reads, adviser, adviser2, regional_manager, days) == rolled


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


def test_the_team_pages_complete_days_are_kept_until_a_roll_up_rewrites_them(
    reads, adviser2, regional_manager, days, client_for
):
    """The regional manager's team page caches the sums of its complete days (``rollups.selectors.
    rolled_up``): a hit shows the figures of a miss without reading the roll-up, in one query fewer; a click
    on yesterday stored late shows once yesterday is rolled up again (the real ``rollup_day``), and the page
    then reads the roll-up again; the raw events alone say the same."""
    today = days[3]
    for back in range(7, -1, -1):  # the page's 7 days complete but today (and the day before them)
        services.rollup_day(today - dt.timedelta(days=back))
    client = client_for(regional_manager)
    url, csv_url, week = "/results/team/", "/results/team/advisers.csv", {"days": 7}

    def hugo(response) -> tuple[int, int, int]:
        [row] = [r for r in response.context["team"].advisers if r.pk == adviser2.pk]
        return row.impressions, row.engagements, row.clicks

    def rollup_reads(queries) -> int:
        return sum("rollups_dailypostfigures" in q["sql"] for q in queries.captured_queries)

    with CaptureQueriesContext(connection) as miss:
        first = client.get(url, week)
    with CaptureQueriesContext(connection) as hit:
        again = client.get(url, week)
    # Q since it was published three days ago: 90 impressions, 3 likes, today's click.
    assert hugo(first) == hugo(again) == (90, 3, 1)
    assert rollup_reads(miss) == 1 and rollup_reads(hit) == 0 and len(hit) == len(miss) - 1
    cached_csv = client.get(csv_url, week).content
    cache.clear()
    assert client.get(csv_url, week).content == cached_csv  # a miss: the same table

    ShareClick.objects.create(share=reads["q"], clicked_at=_at(days[2], 12), visitor="z" * 32)
    assert hugo(client.get(url, week)) == (90, 3, 1)  # yesterday's roll-up does not have it yet
    services.rollup_day(days[2])
    with CaptureQueriesContext(connection) as rerun:
        after = client.get(url, week)
    assert hugo(after) == (90, 3, 2) and rollup_reads(rerun) == 1
    assert after.context["team"].total.clicks == 2
    RollupRun.objects.all().delete()  # no day complete: what the raw events alone say
    assert hugo(client.get(url, week)) == (90, 3, 2)


def test_the_raw_tail_grouped_through_joins_and_for_an_empty_scope(reads, adviser, adviser2, days):
    """The tail (nothing rolled up: all three days raw) grouped by a path through the share's adviser's
    branch and by the adviser, scoped by an id list, says what the raw events say; an empty scope reads no
    event (one query: the complete days)."""
    start, end = _range(days)
    lille, nice = adviser.staff.branch.name, adviser2.staff.branch.name
    assert lille != nice
    scope = {"adviser__any": [adviser.pk, adviser2.pk]}
    by = figures_by(("adviser__staff__branch__name", "adviser_id"), scope, start, end)
    assert by == {(lille, adviser.pk): Gained(200, 7, 3), (nice, adviser2.pk): Gained(40, 2, 1)}
    assert figures_by((), {"adviser": adviser}, start, end) == {(): Gained(200, 7, 3)}
    with CaptureQueriesContext(connection) as queries:
        assert figures_by("adviser_id", {"adviser__any": []}, start, end) == {}
    assert len(queries) == 1
