"""Share engine tasks (routed to the ``publishing`` queue by settings): fetch by id, call a service."""

from __future__ import annotations

from celery import shared_task

from advocacy.shares import recall, selectors, sending


@shared_task(ignore_result=True)
def publish_share(share_id: int) -> None:
    """Safe to run twice for one share (or by two workers at once): the service's claim lets one through."""
    sending.publish_share(share_id=share_id)


@shared_task(ignore_result=True)
def publish_due_shares() -> None:
    """Beat, every 30 s: presumed-dead claims first, then everything due, then recalls nobody handled."""
    sending.recover_stale_claims()
    for share_id in selectors.shares_due(limit=1000):
        publish_share.delay(share_id)
    recall.sweep_recalled_items()
    recall.delete_pending_posts()


@shared_task(ignore_result=True)
def recall_item_shares(item_id: int) -> None:
    """Enqueued (on commit) when compliance recalls an item: cancel pending shares, delete live posts."""
    recall.recall_shares(item_id=item_id)
