"""Celery entry points: fetch by id, call a service."""

from celery import shared_task

from compliance.archive import checkpoints, export


@shared_task(ignore_result=True)
def write_daily_checkpoint() -> None:
    checkpoints.write_checkpoint()


@shared_task(ignore_result=True)
def build_export(export_id: str) -> None:
    export.build_requested_export(export_id=export_id)
