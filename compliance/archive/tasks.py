"""Celery entry points: fetch by id, call a service."""

from celery import shared_task

from compliance.archive import checkpoints, export, verification_runs


@shared_task(ignore_result=True)
def write_daily_checkpoint() -> None:
    checkpoints.write_checkpoint()


@shared_task(ignore_result=True)
def verify_archive_nightly() -> None:
    verification_runs.run_verification(trigger="nightly", notify=True)


@shared_task(ignore_result=True)
def build_export(export_id: str) -> None:
    export.build_requested_export(export_id=export_id)
