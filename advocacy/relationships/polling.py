"""Inbound capture by polling: the path for accounts without a webhook subscription, and the catch-up after
an outage. Feeds the same ``ingest`` as the webhook, so overlap with a push stores nothing twice.

Every read is billed (the ledger in ``advocacy.networks.usage`` records it), so a round asks only for what
is new: mentions with ``since_id`` (the cursor advances only once the page is stored). X keeps only the
latest 800 mentions reachable; a round that pages that far without reaching the cursor records a
``CaptureGap`` instead of pretending it saw everything. Polling pauses when the month's budget is spent and
never calls a capability X's plan refused (publishing and recall are never paused).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils import timezone

from advocacy.networks import interface as net
from advocacy.networks.usage import budget, capabilities
from advocacy.networks.x.models import XAccount
from advocacy.networks.x.network import X
from advocacy.relationships.ingest import ingest
from advocacy.relationships.models import CaptureCursor, CaptureGap, Interaction

logger = logging.getLogger(__name__)

MAX_MENTION_PAGES = 8  # 8 x 100 = the 800 mentions X keeps reachable


@dataclass
class RoundReport:
    accounts: int = 0
    read: int = 0
    stored: int = 0
    gaps: int = 0
    skipped: str = ""


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


def poll_round(*, accounts=None) -> RoundReport:
    """One polling round over ``accounts`` (default: every connected account)."""
    report = RoundReport()
    if not budget.polling_allowed():
        report.skipped = "budget"
        return report
    if not capabilities.available("mentions"):
        report.skipped = "mentions unavailable on the plan"
        return report
    if accounts is None:
        accounts = XAccount.objects.filter(status=XAccount.Status.CONNECTED).select_related("user")
    for account in accounts:
        report.accounts += 1
        try:
            poll_mentions(account, report)
        except net.Unavailable:
            report.skipped = "mentions unavailable on the plan"
            break
        except (net.NetworkError, net.NotConnected) as exc:
            logger.warning("Polling @%s failed: %s", account.username, getattr(exc, "message", exc))
    return report
