"""Verification runs: ``verify.verify_database`` checks the chain; this module makes a run of it an event
of its own. The outcome is kept (``ArchiveVerification``: the compliance banner reads the latest finished
one), the run is archived (``archive.verified``), and the caller decides whom to tell: the tasks
(``compliance.archive.web.tasks``, which know the organisation's roles) mail a failure to the people who
must act on it. Kept apart from ``verify`` so that the verifier stays a pure reader with no mail, roles or
writes.

A run asked for in the portal (``web.verifications.request_verification``) exists before a worker takes
it, so that its page shows it waiting, then its progress, then its outcome.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone

from compliance.archive.models import ArchiveHead, ArchivePurgedRange, ArchiveVerification
from compliance.archive.services import record

# A portal run not finished after this long is taken as lost (its worker died): a new one may be asked for.
STALE_AFTER = timedelta(hours=6)
# The trigger of a portal run no worker has claimed yet; claiming it sets "portal" (``claim``).
QUEUED = "portal:queued"


def records_expected() -> int:
    """How many records a run will read: the head's sequence number less the purged ones (two small
    queries; counting millions of rows to draw a progress bar would cost a share of the run itself)."""
    head = ArchiveHead.objects.values_list("seq", flat=True).first() or 0
    purged = ArchivePurgedRange.objects.aggregate(n=Sum(F("last_seq") - F("first_seq") + 1))["n"] or 0
    return max(0, head - purged)


def running_verification() -> ArchiveVerification | None:
    """The portal run still waiting or running, if any (younger than ``STALE_AFTER``)."""
    return (
        ArchiveVerification.objects.filter(
            finished_at__isnull=True, started_at__gte=timezone.now() - STALE_AFTER
        )
        .order_by("-started_at")
        .first()
    )


def claim(verification_id: int) -> ArchiveVerification | None:
    """Take a queued portal run for this worker: a conditional UPDATE, so a task delivered twice runs the
    verification once (the other delivery gets None)."""
    won = ArchiveVerification.objects.filter(pk=verification_id, trigger=QUEUED).update(trigger="portal")
    return ArchiveVerification.objects.get(pk=verification_id) if won else None


def run_verification(
    *, trigger: str = "command", verification: ArchiveVerification | None = None, actor=None
):
    """Verify the whole chain, keep the outcome (the compliance banner reads the latest one), archive the
    run. With ``verification`` (a run asked for in the portal), that row is filled in and its progress
    written as the worker reads. Returns (verification, result)."""
    from compliance.archive.verify import verify_database

    progress = None
    if verification is None:
        started = timezone.now()
    else:
        started = timezone.now()
        ArchiveVerification.objects.filter(pk=verification.pk).update(
            started_at=started, records_expected=records_expected()
        )

        def progress(count: int) -> None:
            # Its own autocommitted UPDATE: the page polling the run sees it at once.
            ArchiveVerification.objects.filter(pk=verification.pk).update(records_checked=count)

    result = verify_database(checkpoint_file=settings.ARCHIVE_CHECKPOINT_FILE, progress=progress)
    problem = result.problem
    outcome = {
        "started_at": started,
        "finished_at": timezone.now(),
        "ok": result.ok,
        "records_checked": result.checked,
        "last_seq": result.last_seq,
        "first_bad_seq": problem.seq if problem else None,
        "problem": problem.kind if problem else "",
        "detail": problem.detail if problem else "",
        "trigger": trigger,
    }
    if verification is None:
        verification = ArchiveVerification.objects.create(**outcome)
    else:
        ArchiveVerification.objects.filter(pk=verification.pk).update(**outcome)
        verification.refresh_from_db()
    record(
        "archive.verified",
        actor=actor,
        payload={
            "ok": result.ok,
            "records_checked": result.checked,
            "last_seq": result.last_seq,
            "first_bad_seq": problem.seq if problem else None,
            "problem": problem.kind if problem else None,
            "trigger": trigger,
        },
    )
    return verification, result
