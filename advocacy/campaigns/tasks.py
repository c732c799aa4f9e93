"""Campaign tasks (routed to the ``publishing`` queue by settings). They fetch by id and call a service."""

from __future__ import annotations

from celery import shared_task

from advocacy.campaigns import fanout, lifecycle


@shared_task(ignore_result=True)
def fan_out_campaign(campaign_id: int) -> None:
    """Enqueued (on commit) by ``launch_campaign``. Safe to run twice or after a crash: each chunk is claimed
    by a conditional UPDATE of the campaign's cursor, and the share constraint refuses a second share."""
    fanout.fan_out(campaign_id=campaign_id)


@shared_task(ignore_result=True)
def cancel_campaign_shares(campaign_id: int) -> None:
    """Enqueued (on commit) by ``cancel_campaign``: cancels the campaign's shares that have not gone out."""
    lifecycle.cancel_campaign_shares(campaign_id=campaign_id)
