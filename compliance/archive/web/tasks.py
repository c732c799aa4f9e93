"""The archive's nightly verification as a task of the app that knows people: a failed run is mailed to the
administrators and compliance officers (``alerts``)."""

from celery import shared_task

from compliance.archive.verification_runs import run_verification
from compliance.archive.web.alerts import mail_failed_verification


@shared_task(ignore_result=True)
def verify_archive_nightly() -> None:
    _verification, result = run_verification(trigger="nightly")
    if not result.ok:
        mail_failed_verification(result)
