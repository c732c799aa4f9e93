"""Reply tasks (routed to the ``publishing`` queue by settings): fetch by id, call the service."""

from __future__ import annotations

from celery import shared_task

from advocacy.replies import sending


@shared_task(ignore_result=True)
def send_reply(reply_id: int) -> None:
    """Safe to run twice for one reply, or by two workers at once: the claim lets one through."""
    sending.send_reply(reply_id=reply_id)


@shared_task(ignore_result=True)
def send_due_replies() -> None:
    """Beat, every 30 s: presumed-dead claims first, then every reply due (retries, unknown outcomes)."""
    sending.recover_stale_claims()
    for reply_id in sending.replies_due(limit=1000):
        send_reply.delay(reply_id)
