from celery import shared_task

from advocacy.accounts.roster_uploads import run_roster_import


@shared_task(ignore_result=True)
def import_roster(import_id: int) -> None:
    """Process an uploaded staff roster (see ``run_roster_import``: safe to run twice)."""
    run_roster_import(import_id=import_id)


@shared_task(ignore_result=True)
def alert_compliance_of_sign_in_failures(user_id: int, failures: int, networks: int) -> None:
    """Enqueued on commit of an ``auth.privileged_sign_in_alert``: the e-mails go out after it is archived."""
    from advocacy.accounts.sign_in_failures import alert_compliance

    alert_compliance(user_id=user_id, failures=failures, networks=networks)
