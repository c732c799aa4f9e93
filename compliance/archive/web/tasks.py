"""The archive's verifications as tasks of the app that knows people: a failed run is mailed to the
administrators and compliance officers (``alerts``), whether the beat or a compliance officer started it."""

from celery import shared_task
from django.contrib.auth import get_user_model

from compliance.archive.verification_runs import claim, run_verification
from compliance.archive.web.alerts import mail_failed_verification


@shared_task(ignore_result=True)
def verify_archive_nightly() -> None:
    _verification, result = run_verification(trigger="nightly")
    if not result.ok:
        mail_failed_verification(result)


@shared_task(ignore_result=True)
def verify_archive_now(verification_id: int) -> None:
    """A run asked for from the archive page (``verification_runs.request_verification``). Safe to receive
    twice: only the delivery that claims the run reads the archive."""
    verification = claim(verification_id)
    if verification is None:
        return
    actor = get_user_model().objects.filter(pk=verification.requested_by_id).first()
    _verification, result = run_verification(trigger="portal", verification=verification, actor=actor)
    if not result.ok:
        mail_failed_verification(result)
