from celery import shared_task

from advocacy.recruitment import intake


@shared_task(ignore_result=True)
def drain_ats_deliveries() -> None:
    """Queued by the ATS webhook (one at a time): apply the inbox's deliveries in batches."""
    intake.drain()


@shared_task(ignore_result=True)
def purge_ats_inbox() -> int:
    """Beat, daily: the inbox's applied deliveries older than ``ATS_INBOX_RETENTION_DAYS`` (``intake``)."""
    return intake.purge_processed()
