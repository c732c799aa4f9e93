from celery import shared_task

from advocacy.clients import resolution, retention
from advocacy.clients.uploads import run_client_import


@shared_task
def poll_client_handles(limit: int = 1000) -> dict:
    """Beat, every 10 minutes on the polling queue: resolve pending handles and stale resolved ones."""
    return resolution.resolve_pending(limit=limit)


@shared_task
def purge_clients() -> dict:
    """Beat, daily: erase clients past CLIENT_RETENTION_YEARS; the report is the task's result."""
    return retention.purge()


@shared_task
def import_clients_file(import_id: int) -> None:
    """Process an uploaded CRM file (see ``run_client_import``: safe to run twice). Only the id travels."""
    run_client_import(import_id=import_id)
