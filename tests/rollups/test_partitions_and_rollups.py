"""The event tables at bank scale: clicks and metric snapshots in monthly partitions on PostgreSQL (a click
made through /l/ lands in its month's partition; months are created ahead; a row with no month yet waits in
the default partition and moves into its month when it is created), and the daily figures rolled up from
the real events (clicks through /l/, counts read from the sandbox), the same however often a day is rolled
up, corrected when late events arrive."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from advocacy.links import clicks
from advocacy.metrics.reading import read_due_metrics
from advocacy.rollups import partitions, services
from advocacy.rollups.models import DailyPostFigures, RollupRun
from advocacy.shares import services as share_services
from advocacy.shares.models import Share, ShareClick

pytestmark = pytest.mark.django_db
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@pytest.fixture
def post(sandbox, adviser, connect, make_item, settings):
    settings.POST_METRICS_SCHEDULE = [(dt.timedelta(days=1), dt.timedelta(minutes=1))]
    connect(adviser, "camille_x")
    share = share_services.schedule_share(adviser=adviser, item=make_item(), when=None, actor=adviser)
    assert share_services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    return Share.objects.get(pk=share.pk)


def _click(share, agent, times=1):
    for _ in range(times):
        assert Client().get(f"/l/{share.link_code}", HTTP_USER_AGENT=agent).status_code == 302
    clicks.flush()


def _partition_of_click(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM shares_shareclick WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_a_click_lands_in_its_months_partition_and_months_exist_ahead(postgresql, post):
    assert partitions.is_partitioned("shares_shareclick") and partitions.is_partitioned(
        "metrics_metricsnapshot"
    )
    _click(post, FIREFOX)
    click = ShareClick.objects.get(share=post)
    month = partitions.month_start(click.clicked_at.astimezone(dt.UTC).date())
    assert _partition_of_click(click.pk) == partitions.partition_name("shares_shareclick", month)
    have = partitions.existing("shares_shareclick")
    ahead = month
    for _ in range(3):
        ahead = partitions.next_month(ahead)
        assert partitions.partition_name("shares_shareclick", ahead) in have
    assert "shares_shareclick_default" in have


def test_a_row_of_a_month_not_created_yet_waits_in_default_then_moves_into_its_month(postgresql, post):
    far = timezone.now() + dt.timedelta(days=400)
    stray = ShareClick.objects.create(share=post, clicked_at=far, visitor="v" * 32)
    assert _partition_of_click(stray.pk) == "shares_shareclick_default"
    created = partitions.ensure(today=far.date(), months_ahead=1, since=far.date())
    month = partitions.month_start(far.astimezone(dt.UTC).date())
    assert partitions.partition_name("shares_shareclick", month) in created
    assert _partition_of_click(stray.pk) == partitions.partition_name("shares_shareclick", month)
    assert ShareClick.objects.filter(share=post).count() == 1  # moved, not copied
    assert partitions.ensure(today=far.date(), months_ahead=1, since=far.date()) == []  # already there
    new = ShareClick.objects.create(share=post, clicked_at=timezone.now(), visitor="w" * 32)
    assert new.pk > stray.pk  # one sequence for every partition: ids stay unique


def _index_definitions(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return [row[0].split(" USING ", 1)[1] for row in cursor.fetchall()]


def test_a_month_created_later_has_the_indexes_of_its_table(postgresql):
    """The dashboards' tail reads today's events by time (shares 0006, metrics 0002): a month created
    months from now must have those indexes too, not only the months the migrations found."""
    far = (timezone.now() + dt.timedelta(days=800)).date()
    partitions.ensure(today=far, months_ahead=0, since=far)
    month = partitions.month_start(far)
    clicks = _index_definitions(partitions.partition_name("shares_shareclick", month))
    snapshots = _index_definitions(partitions.partition_name("metrics_metricsnapshot", month))
    assert "btree (clicked_at) INCLUDE (share_id)" in clicks
    assert "btree (share_id, clicked_at) INCLUDE (visitor)" in clicks
    assert "btree (read_at) INCLUDE (share_id)" in snapshots
    assert "btree (share_id, read_at DESC)" in snapshots


def test_ensure_partitions_command_refuses_a_bad_month(postgresql):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("ensure_partitions", "--since", "2026-13")


def test_a_days_figures_match_its_events_and_stay_so_when_rolled_up_again(sandbox, post):
    _click(post, FIREFOX, times=2)
    _click(post, CHROME)
    requests.post(
        f"{sandbox.url}/_sandbox/metrics",
        json={"tweet_id": post.network_post_id, "impression_count": 300, "like_count": 7, "reply_count": 2},
        timeout=5,
    ).raise_for_status()
    assert read_due_metrics(now=timezone.now() + dt.timedelta(seconds=61)).read == 1
    read_day = (timezone.now() + dt.timedelta(seconds=61)).astimezone(dt.UTC).date()
    click_day = ShareClick.objects.filter(share=post).first().clicked_at.astimezone(dt.UTC).date()
    # Run once the events have settled (ROLLUP_SETTLE_SECONDS after the read): a run counts no event of
    # its last two minutes, which may still be on their way (test_a_run_counts_settled_events_only).
    later = timezone.now() + dt.timedelta(seconds=61 + settings.ROLLUP_SETTLE_SECONDS + 1)

    services.rollup_day(click_day, now=later)
    if read_day != click_day:  # the read crossed midnight UTC
        services.rollup_day(read_day, now=later)
    row = DailyPostFigures.objects.get(share=post, day=click_day)
    assert (row.adviser_id, row.clicks, row.visitors) == (post.adviser_id, 3, 2)
    read_row = DailyPostFigures.objects.get(share=post, day=read_day)
    assert (read_row.impressions, read_row.engagements) == (300, 9)

    services.rollup_day(click_day, now=later)  # again: the same rows, not twice as many
    assert DailyPostFigures.objects.filter(share=post, day=click_day).count() == 1
    assert DailyPostFigures.objects.get(share=post, day=click_day).clicks == 3
    assert RollupRun.objects.get(day=click_day).rows == DailyPostFigures.objects.filter(day=click_day).count()

    _click(post, CHROME)  # a late click: the next run of the day counts it
    services.rollup_recent(now=later + dt.timedelta(seconds=settings.ROLLUP_SETTLE_SECONDS))
    today = timezone.now().astimezone(dt.UTC).date()
    assert (
        sum(
            DailyPostFigures.objects.filter(share=post, day__gte=today - dt.timedelta(days=1)).values_list(
                "clicks", flat=True
            )
        )
        == 4
    )


def test_a_run_counts_the_settled_events_only_and_records_until_when(post, settings):
    """A run counts the events older than ``ROLLUP_SETTLE_SECONDS`` (a click waits up to a second in the
    web process and ten in Redis before it is stored): run a minute after midnight, the day is partial and
    its last minutes are left to the events; run once that margin has passed, it is complete."""
    day, midnight = dt.date(2026, 1, 5), dt.datetime(2026, 1, 6, tzinfo=dt.UTC)
    for before, visitor in ((dt.timedelta(hours=1), "a"), (dt.timedelta(seconds=30), "b")):
        ShareClick.objects.create(share=post, clicked_at=midnight - before, visitor=visitor * 32)
    run = services.rollup_day(day, now=midnight + dt.timedelta(minutes=1))
    assert run.through == midnight + dt.timedelta(minutes=1, seconds=-settings.ROLLUP_SETTLE_SECONDS)
    assert DailyPostFigures.objects.get(share=post, day=day).clicks == 1

    run = services.rollup_day(day, now=midnight + dt.timedelta(seconds=settings.ROLLUP_SETTLE_SECONDS))
    assert run.through == midnight
    assert DailyPostFigures.objects.get(share=post, day=day).clicks == 2


def test_a_day_without_events_has_no_rows(db):
    run = services.rollup_day(dt.date(2026, 1, 5))
    assert run.rows == 0 and not DailyPostFigures.objects.exists()


def test_rollup_days_command_reports_each_day_and_refuses_a_reversed_range(db, capsys):
    call_command("rollup_days", "2026-01-05", "2026-01-06")
    out = capsys.readouterr().out
    assert "2026-01-05: 0 rows" in out and "2026-01-06: 0 rows" in out
    with pytest.raises(CommandError, match="before the first"):
        call_command("rollup_days", "2026-01-06", "2026-01-05")


def test_clicks_over_a_range_read_complete_days_from_the_rollup_and_the_rest_raw(post, adviser):
    from django.contrib.auth import get_user_model

    from advocacy.rollups.selectors import clicks_by_adviser, complete_until

    today = timezone.now().astimezone(dt.UTC).date()
    start = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    two_days_ago = start + dt.timedelta(days=1, hours=10)
    for n in range(3):
        ShareClick.objects.create(share=post, clicked_at=two_days_ago, visitor=f"{n}" * 32)
    _click(post, FIREFOX)  # today, through /l/
    advisers = get_user_model().objects.filter(pk=adviser.pk)
    assert complete_until(start, end) is None
    assert clicks_by_adviser(advisers, start, end) == {adviser.pk: 4}  # nothing rolled up: all raw

    for back in (3, 2, 1):
        services.rollup_day(today - dt.timedelta(days=back))
    # Today so far, but its last ROLLUP_SETTLE_SECONDS: a partial day; today's click, seconds old, is read
    # from the events after it.
    services.rollup_day(today)
    assert complete_until(start, end) == today - dt.timedelta(days=1)
    assert clicks_by_adviser(advisers, start, end) == {adviser.pk: 4}  # the same figure
    # A click stored after its day was rolled up is only counted once the day is rolled up again: proof
    # that complete days are read from the roll-up.
    ShareClick.objects.create(share=post, clicked_at=two_days_ago, visitor="z" * 32)
    assert clicks_by_adviser(advisers, start, end) == {adviser.pk: 4}
    services.rollup_day(two_days_ago.date())
    assert clicks_by_adviser(advisers, start, end) == {adviser.pk: 5}
