"""A verification asked for in the portal: the run is created here and handed to a worker
(``tasks.verify_archive_now``); kept beside the task, since the archive itself must not import the app that
knows people (``verification_runs`` is the part that needs no worker)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from compliance.archive.models import ArchiveVerification
from compliance.archive.verification_runs import QUEUED, records_expected, running_verification
from compliance.archive.web.tasks import verify_archive_now


def request_verification(*, actor) -> tuple[ArchiveVerification, bool]:
    """Create a run and hand it to a worker once committed. Returns (run, created): while a run is already
    under way, that run is returned instead of starting a second full read of the archive."""
    with transaction.atomic():
        current = running_verification()
        if current is not None:
            return current, False
        verification = ArchiveVerification.objects.create(
            started_at=timezone.now(),
            trigger=QUEUED,
            records_expected=records_expected(),
            requested_by_id=actor.pk,
            requested_by_email=actor.email,
        )
        transaction.on_commit(lambda: verify_archive_now.delay(verification.pk))
    return verification, True
