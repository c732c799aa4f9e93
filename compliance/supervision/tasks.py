"""Supervision tasks: fetch, call a service."""

from __future__ import annotations

from celery import shared_task

from compliance.supervision import services


@shared_task(ignore_result=True)
def sweep_unsupervised() -> None:
    """Beat, every 5 minutes: a sent reply whose supervision entry failed gets one now."""
    services.sweep_unsupervised()
