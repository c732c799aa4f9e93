"""Content tasks: fetch by id, call a service. Beat runs the two periodic ones (see settings)."""

from celery import shared_task

from advocacy.content import notifications, services


@shared_task(ignore_result=True)
def expire_due_items() -> None:
    """Every minute: approved content past its end date leaves the library (safe to overlap)."""
    services.expire_due_items()


@shared_task(ignore_result=True)
def send_submission_digest() -> None:
    """Every 15 minutes: one e-mail per compliance officer listing new submissions (claimed window)."""
    notifications.send_submission_digest()


@shared_task(ignore_result=True)
def notify_decision(decision_id: int) -> None:
    notifications.send_decision_email(decision_id=decision_id)
