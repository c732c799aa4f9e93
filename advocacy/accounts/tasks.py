from celery import shared_task

from advocacy.accounts.services import run_roster_import


@shared_task(ignore_result=True)
def import_roster(import_id: int) -> None:
    """Process an uploaded staff roster (see ``run_roster_import``: safe to run twice)."""
    run_roster_import(import_id=import_id)
