"""Inbound capture by polling: the path for accounts without a webhook subscription, and the catch-up after
an outage. Feeds the same ``ingest`` as the webhook, so overlap with a push stores nothing twice.

Every read is billed (the ledger in ``advocacy.networks.usage`` records it), so a round asks only for what
is new: mentions with ``since_id`` (the cursor advances only once the page is stored). X keeps only the
latest 800 mentions reachable; a round that pages that far without reaching the cursor records a
``CaptureGap`` instead of pretending it saw everything. Polling pauses when the month's budget is spent and
never calls a capability X's plan refused (publishing and recall are never paused).

Followers are read whole every ``RELATIONSHIPS_FOLLOWERS_EVERY_DAYS`` (once a UTC day at most, through
``reads.first_read_today``) and diffed against the last complete reading: new ids are follows, ids the
complete reading did not see are unfollows. A reading that stops half-way (an error, the rate limit, more
pages than a round reads) goes on from its page token next round and unfollows nobody until it completes.
Engagement on the adviser's own posts (likes, reposts) is read once a UTC day per post, for the posts
published in the last ``RELATIONSHIPS_ENGAGEMENT_DAYS``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from advocacy.networks import interface as net
from advocacy.networks.usage import budget, capabilities, reads
from advocacy.networks.x.models import XAccount
from advocacy.networks.x.network import X
from advocacy.relationships import erasure
from advocacy.relationships.ingest import ingest
from advocacy.relationships.models import CaptureCursor, CaptureGap, ErasedFollower, Follower, Interaction
from advocacy.shares.models import Share

logger = logging.getLogger(__name__)

MAX_MENTION_PAGES = 8  # 8 x 100 = the 800 mentions X keeps reachable
# Follower pages (1,000 each) one round reads for one account: X allows 15 requests per 15 minutes; a longer
# reading goes on from its page token next round.
MAX_FOLLOWER_PAGES = 10
MAX_ENGAGEMENT_PAGES = 10  # 100 people a page, per post and kind


@dataclass
class RoundReport:
    accounts: int = 0
    read: int = 0
    stored: int = 0
    gaps: int = 0
    followers_read: int = 0
    follows: int = 0
    unfollows: int = 0
    engagement_read: int = 0
    engagement_stored: int = 0
    skipped: str = ""
    unavailable: tuple[str, ...] = ()

    def lost(self, capability: str) -> None:
        if capability not in self.unavailable:
            self.unavailable = (*self.unavailable, capability)


def _activity(account: XAccount, post: net.Post) -> net.Activity:
    kind = "reply" if post.in_reply_to else "mention"
    return net.Activity(
        kind=kind,
        account_user_id=account.x_user_id,
        actor=net.Person(id=post.author_id, username=post.author_username, name=""),
        key=post.id,
        occurred_at=post.created_at or timezone.now(),
        post=post,
        target_post_id=post.in_reply_to,
        conversation_id=post.conversation_id,
    )


def poll_mentions(account: XAccount, report: RoundReport) -> None:
    cursor, _ = CaptureCursor.objects.get_or_create(account=account)
    account = X.usable(account)
    since_id, page_token, newest = cursor.mentions_since_id, "", ""
    for _page in range(MAX_MENTION_PAGES):
        page = X.mentions(account, since_id=since_id, cursor=page_token)
        newest = newest or page.newest_id
        report.read += len(page.items)
        report.stored += ingest([_activity(account, p) for p in page.items], via=Interaction.Via.POLL)
        page_token = page.next_cursor
        if not page_token:
            break
    else:
        if since_id:  # paged as far as X keeps and still more: what lies between is out of reach
            CaptureGap.objects.create(account=account, after_id=since_id, before_id=page.items[-1].id)
            report.gaps += 1
    cursor.mentions_since_id = newest or since_id
    cursor.mentions_polled_at = timezone.now()
    cursor.save(update_fields=["mentions_since_id", "mentions_polled_at"])


def _utc_day(at: dt.datetime) -> dt.date:
    return at.astimezone(dt.UTC).date()


def _followers_due(cursor: CaptureCursor, now: dt.datetime) -> bool:
    if cursor.followers_complete_at is None:
        return True
    days = (_utc_day(now) - _utc_day(cursor.followers_complete_at)).days
    return days >= settings.RELATIONSHIPS_FOLLOWERS_EVERY_DAYS


def _reading_in_progress(cursor: CaptureCursor) -> bool:
    return cursor.followers_started_at is not None and (
        cursor.followers_complete_at is None or cursor.followers_started_at > cursor.followers_complete_at
    )


def _follow(account: XAccount, person: net.Person, kind: str, at: dt.datetime) -> net.Activity:
    return net.Activity(
        kind=kind, account_user_id=account.x_user_id, actor=person, key=person.id, occurred_at=at
    )


def _store_followers_page(
    account: XAccount, cursor: CaptureCursor, people: list, report: RoundReport
) -> None:
    """Mark the page's people seen by the reading in progress; those not known yet are new followers (follows,
    once a first complete reading exists: the first one is the baseline, nobody "just" followed)."""
    started, now = cursor.followers_started_at, timezone.now()
    by_id = {p.id: p for p in people}
    with transaction.atomic():
        known = set(
            Follower.objects.filter(account=account, x_user_id__in=by_id).values_list("x_user_id", flat=True)
        )
        Follower.objects.filter(account=account, x_user_id__in=known).update(last_seen=started)
        fresh = [by_id[i] for i in by_id if i not in known]
        if fresh:  # a client erased while following this account is not stored again (erasure.py)
            digests = {erasure.follower_digest(p.id): p.id for p in fresh}
            erased = {
                digests[d]
                for d in ErasedFollower.objects.filter(account=account, digest__in=list(digests)).values_list(
                    "digest", flat=True
                )
            }
            fresh = [p for p in fresh if p.id not in erased]
        Follower.objects.bulk_create(
            [
                Follower(
                    account=account,
                    x_user_id=p.id,
                    username=p.username[:32],
                    name=p.name[:100],
                    first_seen=now,
                    last_seen=started,
                )
                for p in fresh
            ],
            ignore_conflicts=True,
        )
        if cursor.followers_complete_at is not None and fresh:
            report.follows += ingest(
                [_follow(account, p, "follow", now) for p in fresh], via=Interaction.Via.POLL
            )
        cursor.save(update_fields=["followers_next"])


def _complete_followers(account: XAccount, cursor: CaptureCursor, report: RoundReport) -> None:
    """The reading is whole: whoever it did not see has unfollowed (after the baseline)."""
    now = timezone.now()
    with transaction.atomic():
        gone = list(Follower.objects.filter(account=account, last_seen__lt=cursor.followers_started_at))
        if gone and cursor.followers_complete_at is not None:
            report.unfollows += ingest(
                [
                    _follow(
                        account, net.Person(id=f.x_user_id, username=f.username, name=f.name), "unfollow", now
                    )
                    for f in gone
                ],
                via=Interaction.Via.POLL,
            )
        Follower.objects.filter(pk__in=[f.pk for f in gone]).delete()
        cursor.followers_complete_at = cursor.followers_started_at
        cursor.followers_next = ""
        cursor.save(update_fields=["followers_complete_at", "followers_next"])


def poll_followers(account: XAccount, report: RoundReport) -> None:
    """Read the account's followers (whole, on the cadence) and store the difference with the last reading."""
    cursor, _ = CaptureCursor.objects.get_or_create(account=account)
    now = timezone.now()
    if not _reading_in_progress(cursor):
        if not _followers_due(cursor, now) or not reads.first_read_today("followers", account.x_user_id):
            return
        cursor.followers_started_at, cursor.followers_next = now, ""
        cursor.save(update_fields=["followers_started_at", "followers_next"])
    account = X.usable(account)
    for _page in range(MAX_FOLLOWER_PAGES):
        if not budget.polling_allowed():
            return  # the reading waits, whole or not, for the budget
        try:
            page = X.followers(account, cursor=cursor.followers_next)
        except net.Forbidden as exc:  # a page token X no longer takes: start again on the next due day
            logger.warning("Followers of @%s: %s; reading abandoned", account.username, exc.message)
            cursor.followers_started_at, cursor.followers_next = cursor.followers_complete_at, ""
            cursor.save(update_fields=["followers_started_at", "followers_next"])
            return
        report.followers_read += len(page.items)
        cursor.followers_next = page.next_cursor
        with transaction.atomic():  # the last page and the diff commit together: no page is read twice
            _store_followers_page(account, cursor, page.items, report)
            if not page.next_cursor:
                _complete_followers(account, cursor, report)
                return


ENGAGEMENT = (("liking_users", "like"), ("reposted_by", "repost"))


def _engagement_activity(account: XAccount, person: net.Person, kind: str, post_id: str) -> net.Activity:
    return net.Activity(
        kind=kind,
        account_user_id=account.x_user_id,
        actor=person,
        key=f"{person.id}:{post_id}",
        occurred_at=timezone.now(),
        target_post_id=post_id,
    )


def recent_post_ids(account: XAccount) -> list[str]:
    """The adviser's posts published through Relais in the last ``RELATIONSHIPS_ENGAGEMENT_DAYS``."""
    since = timezone.now() - dt.timedelta(days=settings.RELATIONSHIPS_ENGAGEMENT_DAYS)
    return list(
        Share.objects.filter(
            adviser_id=account.user_id, status=Share.Status.PUBLISHED, published_at__gte=since
        )
        .exclude(network_post_id="")
        .order_by("-published_at")
        .values_list("network_post_id", flat=True)
    )


def poll_engagement(account: XAccount, report: RoundReport) -> None:
    """Who liked and who reposted each recent post, read once a UTC day per post and kind."""
    posts = recent_post_ids(account)
    if not posts:
        return
    account = X.usable(account)
    for capability, kind in ENGAGEMENT:
        read = getattr(X, capability)
        for post_id in posts:
            if not capabilities.available(capability) or not budget.polling_allowed():
                break
            if not reads.first_read_today(capability, post_id):
                continue
            token = ""
            for _page in range(MAX_ENGAGEMENT_PAGES):
                page = read(account, post_id, token)
                report.engagement_read += len(page.items)
                report.engagement_stored += ingest(
                    [
                        _engagement_activity(account, p, kind, post_id)
                        for p in page.items
                        if p.id != account.x_user_id
                    ],
                    via=Interaction.Via.POLL,
                )
                token = page.next_cursor
                if not token:
                    break


def _poll_account(account: XAccount, report: RoundReport) -> None:
    """Mentions, then followers, then engagement: each stops on its own when X's plan refuses it (the
    capability is marked unavailable by the network layer and never called again)."""
    steps = (("mentions", poll_mentions), ("followers", poll_followers), ("engagement", poll_engagement))
    for capability, step in steps:
        if capability != "engagement" and not capabilities.available(capability):
            report.lost(capability)
            continue
        try:
            step(account, report)
        except net.Unavailable as exc:
            report.lost(exc.capability)
        except (net.NetworkError, net.NotConnected) as exc:
            logger.warning(
                "Polling %s of @%s failed: %s", capability, account.username, getattr(exc, "message", exc)
            )


def poll_round(*, accounts=None) -> RoundReport:
    """One polling round over ``accounts`` (default: every connected account)."""
    report = RoundReport()
    if not budget.polling_allowed():
        report.skipped = "budget"
        return report
    if accounts is None:
        accounts = XAccount.objects.filter(status=XAccount.Status.CONNECTED).select_related("user")
    for account in accounts:
        report.accounts += 1
        _poll_account(account, report)
        if not budget.polling_allowed():
            report.skipped = "budget"
            break
    if "mentions" in report.unavailable:
        report.skipped = "mentions unavailable on the plan"
    return report
