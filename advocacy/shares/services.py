"""The share engine's public entry points, for views, tasks, campaigns and tests.

The work is done in the modules named here, one concern each: ``policy`` (what may be shared, what would be
posted, the send-time re-check), ``scheduling`` (schedule, cancel, reschedule), ``sending`` (claim, call
the network, record the outcome; ``outcomes`` holds the moves a claimed share can make), ``recall``
(cancel and delete on recall) and ``notices`` (e-mails to the adviser). Every status change goes through
``transitions.transition``, which archives it.
"""

from advocacy.content.policies import can_share
from advocacy.shares.outcomes import backoff
from advocacy.shares.policy import ShareRefused, preview_share, text_to_send, tracked_url
from advocacy.shares.recall import (
    delete_pending_posts,
    delete_share_post,
    recall_shares,
    sweep_recalled_items,
)
from advocacy.shares.scheduling import cancel_share, reschedule_share, schedule_share, share_now
from advocacy.shares.sending import publish_share, recover_stale_claims

__all__ = [
    "ShareRefused",
    "backoff",
    "can_share",
    "cancel_share",
    "delete_pending_posts",
    "delete_share_post",
    "preview_share",
    "publish_share",
    "recall_shares",
    "recover_stale_claims",
    "reschedule_share",
    "schedule_share",
    "share_now",
    "sweep_recalled_items",
    "text_to_send",
    "tracked_url",
]
