"""Verification runs: ``verify.verify_database`` checks the chain; this module makes a run of it an event
of its own. The outcome is kept (``ArchiveVerification``: the compliance banner reads the latest one), the
run is archived (``archive.verified``), and the caller decides whom to tell: the nightly
task (``compliance.archive.web.tasks``, which knows the organisation's roles) mails a failure to the people
who must act on it. Kept apart from
``verify`` so that the verifier stays a pure reader with no mail, roles or writes.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from compliance.archive.models import ArchiveVerification
from compliance.archive.services import record


def run_verification(*, trigger: str = "command"):
    """Verify the whole chain, keep the outcome (the compliance banner reads the latest one), archive the
    run. Returns (verification, result)."""
    from compliance.archive.verify import verify_database

    started = timezone.now()
    result = verify_database(checkpoint_file=settings.ARCHIVE_CHECKPOINT_FILE)
    problem = result.problem
    verification = ArchiveVerification.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        ok=result.ok,
        records_checked=result.checked,
        last_seq=result.last_seq,
        first_bad_seq=problem.seq if problem else None,
        problem=problem.kind if problem else "",
        detail=problem.detail if problem else "",
        trigger=trigger,
    )
    record(
        "archive.verified",
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
