"""Recall: cancel a recalled item's pending shares and delete its live posts, within X's delete limits."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advocacy.content.models import ItemStatus
from advocacy.networks import interface as net
from advocacy.networks.x.models import XAccount
from advocacy.networks.x.network import X as network
from advocacy.shares.link_markers import stop_item
from advocacy.shares.models import Share, ShareStatus
from advocacy.shares.notices import tell_advisers_of_recall
from advocacy.shares.outcomes import backoff
from advocacy.shares.scheduling import cancel_share
from advocacy.shares.sending import person, publish_after_unknown_outcome
from advocacy.shares.transitions import TRANSITIONS, transition
from compliance.archive.services import record


# --- recall ---------------------------------------------------------------------------------------
def recall_shares(*, item_id: int) -> dict:
    """Content was recalled: cancel what has not gone out, mark live posts for deletion, then delete; then
    tell each adviser whose share this run stopped (only this run's moves: the beat's sweep runs it again
    and must not tell them twice)."""
    now = timezone.now()
    stop_item(item_id)  # done on commit of the recall already; again for the beat's sweep
    cancelled = []
    for share in Share.objects.filter(item_id=item_id, status__in=TRANSITIONS["cancel"][0]):
        if cancel_share(
            share=share, actor=None, reason=gettext_noop("The content was recalled by compliance.")
        ):
            cancelled.append(share.pk)
    # A share whose outcome is unknown may be live: look now (found: recorded as published, and deleted
    # below; not found: cancelled by the send-time re-check, since the item is recalled).
    for share_id in Share.objects.filter(item_id=item_id, status=ShareStatus.OUTCOME_UNKNOWN).values_list(
        "pk", flat=True
    ):
        publish_after_unknown_outcome(share_id, now, force=True)
    live = Share.objects.filter(
        item_id=item_id, status=ShareStatus.PUBLISHED, delete_requested_at__isnull=True
    )
    deleting = list(live.values_list("pk", flat=True))
    live.filter(pk__in=deleting).update(delete_requested_at=now, delete_not_before=now)
    counts = delete_pending_posts(item_id=item_id)
    tell_advisers_of_recall(item_id=item_id, cancelled=cancelled, deleting=deleting)
    return counts


def delete_pending_posts(*, item_id: int | None = None, limit: int = 200) -> dict:
    """Delete live posts whose deletion was requested, honouring X's delete limits (429: wait for reset)."""
    now = timezone.now()
    pending = Share.objects.filter(status=ShareStatus.PUBLISHED, delete_requested_at__isnull=False).filter(
        Q(delete_not_before__isnull=True) | Q(delete_not_before__lte=now)
    )
    if item_id is not None:
        pending = pending.filter(item_id=item_id)
    counts = {"deleted": 0, "failed": 0, "waiting": 0}
    for share_id in list(pending.values_list("pk", flat=True)[:limit]):
        counts[delete_share_post(share_id=share_id)] += 1
    return counts


def delete_share_post(*, share_id: int) -> str:
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.X_PUBLISH_CLAIM_STALE_SECONDS)
    claimed = (
        Share.objects.filter(pk=share_id, status=ShareStatus.PUBLISHED, delete_requested_at__isnull=False)
        .filter(Q(delete_claimed_until__isnull=True) | Q(delete_claimed_until__lt=now))
        .update(delete_claimed_until=lease)
    )
    if not claimed:
        return "waiting"
    share = Share.objects.select_related("adviser").get(pk=share_id)
    account = XAccount.objects.filter(user_id=share.adviser_id, x_user_id=share.x_user_id).first()
    try:
        if account is None:
            raise net.NotConnected(share.account_username)
        account = network.usable(account)
        network.delete(account, share.network_post_id)
    except net.RateLimited as exc:
        Share.objects.filter(pk=share_id).update(
            delete_not_before=exc.reset_at,
            delete_claimed_until=None,
            delete_error=gettext_noop("Waiting for X's delete limit to reset."),
        )
        return "waiting"
    except (net.NotConnected, net.Unauthorized, net.Forbidden) as exc:
        reason = (
            _("The adviser's X account is not connected: the post must be deleted by hand.")
            if isinstance(exc, net.NotConnected | net.Unauthorized)
            else str(exc)
        )
        Share.objects.filter(pk=share_id).update(
            delete_error=reason[:500],
            delete_claimed_until=None,
            delete_not_before=now + dt.timedelta(hours=1),
        )
        record(
            "share.delete_failed",
            subject=share,
            actor=None,
            payload={
                "item": share.item_id,
                "version_id": share.version_id,
                "network_post_id": share.network_post_id,
                "reason": reason,
            },
        )
        return "failed"
    except net.NetworkError as exc:
        Share.objects.filter(pk=share_id).update(
            delete_error=exc.message[:500], delete_claimed_until=None, delete_not_before=now + backoff(1)
        )
        return "failed"
    transition(
        share,
        "delete",
        payload={
            "network": "x",
            "account": share.account_username,
            "adviser": person(share.adviser),
            "network_post_id": share.network_post_id,
            "url": share.post_url,
            "reason": "recall",
        },
        deleted_at=timezone.now(),
        delete_error="",
        delete_claimed_until=None,
    )
    return "deleted"


def sweep_recalled_items() -> int:
    """Recalled items whose shares were not dealt with yet (the recall hook did not run): deal with them."""
    item_ids = set(
        Share.objects.filter(item__status=ItemStatus.RECALLED)
        .filter(
            Q(status__in=TRANSITIONS["cancel"][0])
            | Q(status=ShareStatus.PUBLISHED, delete_requested_at__isnull=True)
        )
        .values_list("item_id", flat=True)
    )
    for item_id in item_ids:
        recall_shares(item_id=item_id)
    return len(item_ids)
