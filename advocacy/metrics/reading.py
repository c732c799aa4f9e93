"""Reading published posts' public counts from X: one round takes the posts that are due, reads them in
batches of up to 100 ids per adviser's account through the network interface (``X.post_metrics``, which
writes the usage ledger), stores a snapshot per post and sets its next read from the schedule.

Rules that keep the bill honest: a post is read at most once per UTC day (``first_read_today``: the claim
is taken before the call and given back if the call fails, since X billed nothing then); when X answers that
the plan cannot read posts, the capability is marked unavailable (by ``X``) and rounds stop calling; at 100 %
of the month's budget rounds pause, like all polling. No transaction is open during a call to X.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from advocacy.metrics import schedule
from advocacy.metrics.models import MetricSnapshot, MetricsTrack
from advocacy.networks.interface import NetworkError, Unavailable
from advocacy.networks.usage import budget, capabilities, reads
from advocacy.networks.x.models import XAccount
from advocacy.networks.x.network import X
from advocacy.shares.models import Share, ShareStatus

logger = logging.getLogger(__name__)

BATCH = 100  # X returns up to 100 posts per GET /2/tweets
READ_KIND = "post_metrics"
RETRY_AFTER = dt.timedelta(hours=1)  # after X failed to answer (5xx, unreachable, account unusable)


@dataclass
class RoundReport:
    enrolled: int = 0
    read: int = 0
    calls: int = 0
    already_read_today: int = 0
    finished: int = 0
    stopped: str = ""  # "capability", "budget": why the round did not (or no longer) call X


def enrol_published(*, now: dt.datetime) -> int:
    """Start tracking shares published within the schedule's span that are not tracked yet."""
    span = settings.POST_METRICS_SCHEDULE[-1][0]
    tracked = MetricsTrack.objects.values("share_id")
    shares = (
        Share.objects.filter(status=ShareStatus.PUBLISHED, published_at__gte=now - span)
        .exclude(network_post_id="")
        .exclude(pk__in=tracked)
        .values_list("pk", "network_post_id", "published_at")
    )
    rows = [
        MetricsTrack(share_id=pk, post_id=post_id, published_at=at, next_read_at=schedule.first_read_at(at))
        for pk, post_id, at in shares
    ]
    MetricsTrack.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _finish(tracks: list[MetricsTrack], reason: str, report: RoundReport) -> None:
    for track in tracks:
        track.next_read_at, track.finished = None, reason
    MetricsTrack.objects.bulk_update(tracks, ["next_read_at", "finished"])
    report.finished += len(tracks)


def _later(tracks: list[MetricsTrack], when: dt.datetime) -> None:
    for track in tracks:
        track.next_read_at = when
    MetricsTrack.objects.bulk_update(tracks, ["next_read_at"])


def _snapshot(track: MetricsTrack, counts: dict, now: dt.datetime) -> MetricSnapshot:
    return MetricSnapshot(
        share_id=track.share_id,
        post_id=track.post_id,
        read_at=now,
        impressions=counts.get("impression_count", 0),
        likes=counts.get("like_count", 0),
        reposts=counts.get("retweet_count", 0),
        replies=counts.get("reply_count", 0),
        quotes=counts.get("quote_count", 0),
        bookmarks=counts.get("bookmark_count", 0),
    )


def _stored(
    tracks: list[MetricsTrack], counts: dict[str, dict], now: dt.datetime, report: RoundReport
) -> None:
    found = [t for t in tracks if t.post_id in counts]
    MetricSnapshot.objects.bulk_create([_snapshot(t, counts[t.post_id], now) for t in found])
    for track in found:
        track.reads += 1
        track.last_read_at = now
        track.next_read_at = schedule.next_read_at(track.published_at, now)
        if track.next_read_at is None:
            track.finished = MetricsTrack.Finished.SCHEDULE_DONE
            report.finished += 1
    MetricsTrack.objects.bulk_update(found, ["reads", "last_read_at", "next_read_at", "finished"])
    report.read += len(found)
    _finish([t for t in tracks if t.post_id not in counts], MetricsTrack.Finished.POST_GONE, report)


def _answered_at(now: dt.datetime, began: float) -> dt.datetime:
    """When X answered, on the round's clock: its ``now`` plus the time the round has taken so far. A
    round of thousands of accounts (one call per account and 100 posts) takes minutes; stamped with the
    round's start, a read would be stored minutes after its ``read_at``, later than the daily roll-up
    waits for an event (``ROLLUP_SETTLE_SECONDS``), and missed by the dashboards until today's next run."""
    return now + dt.timedelta(seconds=time.monotonic() - began)


def _read_account(
    account: XAccount, tracks: list[MetricsTrack], now: dt.datetime, report: RoundReport, began: float
) -> bool:
    """Read one account's due posts; False when the round must stop (capability refused, budget reached)."""
    claimed = []
    for track in tracks:
        if reads.first_read_today(READ_KIND, track.post_id):
            claimed.append(track)
        else:
            report.already_read_today += 1
            when = schedule.next_allowed(track.published_at, now)
            if when is None:
                _finish([track], MetricsTrack.Finished.SCHEDULE_DONE, report)
            else:
                _later([track], when)
    try:
        account = X.usable(account)
    except NetworkError as exc:
        logger.info("post metrics: account %s unusable (%s)", account.pk, exc.message)
        reads.forget_read_today(READ_KIND, [t.post_id for t in claimed])
        _later(claimed, now + RETRY_AFTER)
        return True
    for start in range(0, len(claimed), BATCH):
        batch, rest = claimed[start : start + BATCH], claimed[start + BATCH :]
        try:
            counts = X.post_metrics(account, [t.post_id for t in batch])
        except Unavailable:
            reads.forget_read_today(READ_KIND, [t.post_id for t in batch + rest])
            report.stopped = "capability"
            return False
        except NetworkError as exc:
            logger.info("post metrics: X did not answer for account %s (%s)", account.pk, exc.message)
            reads.forget_read_today(READ_KIND, [t.post_id for t in batch])
            _later(batch, now + RETRY_AFTER)
            continue
        report.calls += 1
        _stored(batch, counts, _answered_at(now, began), report)
        if not budget.polling_allowed():
            reads.forget_read_today(READ_KIND, [t.post_id for t in rest])
            report.stopped = "budget"
            return False
    return True


def read_due_metrics(*, now: dt.datetime | None = None, limit: int = 5000) -> RoundReport:
    """One round: enrol newly published shares, then read the posts that are due (oldest due first)."""
    now, began = now or timezone.now(), time.monotonic()
    report = RoundReport()
    if not capabilities.available("post_metrics"):
        report.stopped = "capability"
        return report
    if not budget.polling_allowed():
        report.stopped = "budget"
        return report
    report.enrolled = enrol_published(now=now)
    due = list(
        MetricsTrack.objects.filter(next_read_at__lte=now)
        .select_related("share")
        .order_by("next_read_at")[:limit]
    )
    gone = [t for t in due if t.share.status != ShareStatus.PUBLISHED]
    _finish(gone, MetricsTrack.Finished.NOT_PUBLISHED, report)
    by_owner: dict[tuple[int, str], list[MetricsTrack]] = defaultdict(list)
    for track in due:
        if track.share.status == ShareStatus.PUBLISHED:
            by_owner[track.share.adviser_id, track.share.x_user_id].append(track)
    accounts = {
        (a.user_id, a.x_user_id): a
        for a in XAccount.objects.filter(
            user_id__in={user for user, _ in by_owner}, status=XAccount.Status.CONNECTED
        )
    }
    for owner, tracks in by_owner.items():
        account = accounts.get(owner)
        if account is None:  # disconnected (or another account now): try again tomorrow
            _later(tracks, schedule.next_utc_day(now))
            continue
        if not _read_account(account, tracks, now, report, began):
            break
    return report
