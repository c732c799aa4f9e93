from celery import shared_task

from advocacy.clients import resolution, retention


@shared_task
def poll_client_handles(limit: int = 1000) -> dict:
    """Beat, every 10 minutes on the polling queue: resolve pending handles and stale resolved ones."""
    return resolution.resolve_pending(limit=limit)


@shared_task
def purge_clients() -> dict:
    """Beat, daily: erase clients past CLIENT_RETENTION_YEARS; the report is the task's result."""
    return retention.purge()
