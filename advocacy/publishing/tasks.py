"""Publishing tasks (routed to the ``publishing`` queue by settings). They fetch by id and call a service."""

from __future__ import annotations

from celery import shared_task

from advocacy.publishing import campaigns, clicks, selectors, services


@shared_task(ignore_result=True)
def publish_share(share_id: int) -> None:
    """Safe to run twice for one share (or by two workers at once): the service's claim lets one through."""
    services.publish_share(share_id=share_id)


@shared_task(ignore_result=True)
def publish_due_shares() -> None:
    """Beat, every 30 s: presumed-dead claims first, then everything due, then recalls nobody handled."""
    services.recover_stale_claims()
    for share_id in selectors.shares_due(limit=1000):
        publish_share.delay(share_id)
    services.sweep_recalled_items()
    services.delete_pending_posts()


@shared_task(ignore_result=True)
def recall_item_shares(item_id: int) -> None:
    """Enqueued (on commit) when compliance recalls an item: cancel pending shares, delete live posts."""
    services.recall_shares(item_id=item_id)


@shared_task(ignore_result=True)
def flush_link_clicks() -> None:
    clicks.flush()


@shared_task(ignore_result=True)
def fan_out_campaign(campaign_id: int) -> None:
    """Enqueued (on commit) by ``launch_campaign``. Safe to run twice or after a crash: each chunk is claimed
    by a conditional UPDATE of the campaign's cursor, and the share constraint refuses a second share."""
    campaigns.fan_out(campaign_id=campaign_id)


@shared_task(ignore_result=True)
def cancel_campaign_shares(campaign_id: int) -> None:
    """Enqueued (on commit) by ``cancel_campaign``: cancels the campaign's shares that have not gone out."""
    campaigns.cancel_campaign_shares(campaign_id=campaign_id)
