"""Recalling content: a compliance officer withdraws approved (or expired) content, and everything that
carries it stops.

The state move and its archive record are content's (``advocacy.content.workflow.recall_item``). What must
follow is the business of the apps built on content, which content does not import: once the recall
commits, the item's tracked links die in every web process, in this process, without waiting for a worker
(``advocacy.shares.link_markers``, read by the redirect in ``advocacy.links``), and the share engine cancels
the pending shares and deletes the live posts now, not at the next beat sweep (``advocacy.shares``). Every
recall goes through here, so the follow-up is written out in one place rather than hidden in a signal. The
beat's sweep of recalled items and the send-time re-check remain the backstop, not the mechanism.
"""

from __future__ import annotations

import functools

from django.db import transaction

from advocacy.content import workflow
from advocacy.content.models import ContentItem, ReviewDecision
from advocacy.shares.link_markers import stop_item
from advocacy.shares.selectors import recall_impact
from advocacy.shares.tasks import recall_item_shares

__all__ = ["recall_content", "recall_impact"]


def recall_content(*, item: ContentItem, actor, reason: str) -> ReviewDecision:
    """Recall ``item`` (refuses as ``workflow.recall_item`` does); after commit, stop its links, then
    cancel its shares and delete its posts."""
    with transaction.atomic():
        decision = workflow.recall_item(item=item, actor=actor, reason=reason)
        transaction.on_commit(functools.partial(stop_item, item.pk))
        transaction.on_commit(functools.partial(recall_item_shares.delay, item.pk))
    return decision
