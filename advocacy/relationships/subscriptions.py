"""Push delivery per adviser: X Activity API subscriptions follow the connections, within the plan's limit.

Reconciled rather than hooked into connect/disconnect (those live in ``advocacy.networks.x``, below this
app): every round subscribes connected accounts that have no subscription and removes the subscriptions of
accounts no longer connected. Beyond the plan's limit (X refuses: ``Unavailable``) the account is polled
instead, and its cursor says so for compliance and the adviser.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings

from advocacy.networks import interface as net
from advocacy.networks.usage import capabilities
from advocacy.networks.x.models import XAccount
from advocacy.networks.x.network import X
from advocacy.relationships.models import CaptureCursor

logger = logging.getLogger(__name__)
Push = CaptureCursor.Push


@dataclass
class SyncReport:
    subscribed: int = 0
    removed: int = 0
    over_limit: int = 0


def _subscribe(account: XAccount, cursor: CaptureCursor, report: SyncReport) -> None:
    if not capabilities.available("activity_subscriptions"):
        cursor.push = Push.OVER_LIMIT
        report.over_limit += 1
    else:
        try:
            cursor.subscription_ids = X.subscribe_activity(X.usable(account))
            cursor.push = Push.ACTIVE
            report.subscribed += 1
        except net.Unavailable:
            cursor.push = Push.OVER_LIMIT
            report.over_limit += 1
        except (net.NetworkError, net.NotConnected) as exc:  # tried again next round
            logger.warning("Subscribing @%s failed: %s", account.username, getattr(exc, "message", exc))
            return
    cursor.save(update_fields=["push", "subscription_ids"])


def sync_subscriptions() -> SyncReport:
    report = SyncReport()
    if not settings.X_WEBHOOK_ID:  # no webhook registered for this deployment: polling only
        return report
    connected = XAccount.objects.filter(status=XAccount.Status.CONNECTED)
    for account in connected.exclude(capture_cursor__push=Push.ACTIVE):
        cursor, _ = CaptureCursor.objects.get_or_create(account=account)
        _subscribe(account, cursor, report)
    stale = CaptureCursor.objects.filter(push=Push.ACTIVE).exclude(account__status=XAccount.Status.CONNECTED)
    for cursor in stale.select_related("account"):
        try:
            X.unsubscribe_activity(cursor.account, cursor.subscription_ids)
        except net.NetworkError as exc:  # a revoked token cannot remove it: X drops it with the grant
            logger.warning("Unsubscribing @%s: %s", cursor.account.username, exc.message)
        cursor.push, cursor.subscription_ids = Push.NONE, ""
        cursor.save(update_fields=["push", "subscription_ids"])
        report.removed += 1
    return report
