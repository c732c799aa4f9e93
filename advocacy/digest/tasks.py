"""Digest tasks: beat starts the week's run on Monday morning; batches of people are sent in parallel."""

from __future__ import annotations

import datetime as dt
import smtplib

from celery import shared_task
from django.utils import timezone

from advocacy.digest import compose, sending

BATCH = 200


@shared_task(ignore_result=True)
def send_weekly_digests() -> int:
    """Queue last week's digest for everyone who may get it, ``BATCH`` people per task; returns the batches
    queued. Safe to run twice: the second run finds the first's claims."""
    week = compose.Week.before(timezone.now())
    ids = list(sending.recipients_for(week))
    for i in range(0, len(ids), BATCH):
        send_digest_batch.delay(ids[i : i + BATCH], week.first_day.isoformat())
    return (len(ids) + BATCH - 1) // BATCH


@shared_task(
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_digest_batch(user_ids: list[int], week: str) -> None:
    """A mail server that is down makes the whole batch retry; those already sent are skipped then."""
    the_week = compose.Week(dt.date.fromisoformat(week))
    for user_id in user_ids:
        sending.send_weekly_digest(user_id, the_week)
