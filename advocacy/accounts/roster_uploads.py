"""Roster files uploaded on the staff page: kept in ``RosterImport``, imported by a worker, their progress
and row errors stored for the page to show.

Separate from ``roster_import`` because this is the life of one upload (queued, claimed, running with a
heartbeat, done or failed, claimed again when its worker died), not the rules of importing a file, which
``manage.py import_staff`` uses directly.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advocacy.accounts.models import RosterImport
from advocacy.accounts.roster import RosterFileError, RowError
from advocacy.accounts.roster_import import RosterOutcome, import_staff_roster
from advocacy.accounts.roster_messages import Message, shown


def write_errors_csv(roster_import: RosterImport, out) -> None:
    """The upload's row errors as CSV (line, column, message) for HR to fix the file in a spreadsheet; a
    byte-order mark first, so that Excel reads the accents as UTF-8."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("line"), _("column"), _("message")])
    for error in roster_import.errors:
        writer.writerow([error.get("line") or "", error.get("column", ""), shown(error)])


logger = logging.getLogger(__name__)

ROSTER_STALE_AFTER = timedelta(minutes=10)  # a running import without progress for this long was orphaned


def start_roster_import(*, data: bytes, filename: str, actor, deactivate_missing: bool,
                        send_invitations: bool) -> RosterImport:
    """Keep the uploaded file and hand it to a worker once the row is committed."""
    from advocacy.accounts.tasks import import_roster

    with transaction.atomic():
        roster_import = RosterImport.objects.create(
            uploaded_by=actor,
            original_filename=filename[:255],
            content=data,
            sha256=hashlib.sha256(data).hexdigest(),
            deactivate_missing=deactivate_missing,
            send_invitations=send_invitations,
        )
        transaction.on_commit(functools.partial(import_roster.delay, roster_import.pk))
    return roster_import


def run_roster_import(*, import_id: int) -> bool:
    """Process a queued upload. Safe to call twice (Celery redelivers after a lost worker): only one caller
    wins the claim, and a run whose worker died (no progress for ``ROSTER_STALE_AFTER``) may be claimed
    again - re-applying rows already imported only counts them as unchanged. Returns whether it ran."""
    now = timezone.now()
    Status = RosterImport.Status
    claimed = (
        RosterImport.objects.filter(pk=import_id)
        .filter(Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=now - ROSTER_STALE_AFTER))
        .update(status=Status.RUNNING, started_at=now, heartbeat_at=now, processed_rows=0)
    )
    if not claimed:
        return False
    roster_import = RosterImport.objects.select_related("uploaded_by__staff").get(pk=import_id)
    actor = roster_import.uploaded_by
    rows = RosterImport.objects.filter(pk=import_id)

    def report(outcome: RosterOutcome) -> None:
        rows.update(heartbeat_at=timezone.now(), **_progress_fields(outcome))

    # Messages are stored in the uploader's language.
    language = getattr(getattr(actor, "staff", None), "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            outcome = import_staff_roster(
                data=bytes(roster_import.content),
                filename=roster_import.original_filename,
                actor=actor,
                deactivate_missing=roster_import.deactivate_missing,
                invite=roster_import.send_invitations,
                subject=roster_import,
                progress=report,
            )
        except RosterFileError as exc:
            rows.update(status=Status.FAILED, finished_at=timezone.now(),
                        errors=[RowError(None, exc.column, exc.message).as_dict()])
            return True
        except Exception:
            logger.exception("roster import %s stopped", import_id)
            processed = rows.values_list("processed_rows", flat=True).first() or 0
            stopped = Message(gettext_noop(
                "The import stopped unexpectedly after %(rows)d rows; those rows were saved. Upload the file "
                "again: importing the same file twice is safe.")) % {"rows": processed}
            rows.update(status=Status.FAILED, finished_at=timezone.now(),
                        errors=[RowError(None, "", stopped).as_dict()])
            return True
    rows.update(
        status=Status.DONE,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        errors=[e.as_dict() for e in outcome.errors],
        **_progress_fields(outcome),
    )
    return True


def _progress_fields(outcome: RosterOutcome) -> dict[str, int]:
    return {
        "total_rows": outcome.total_rows,
        "processed_rows": outcome.processed_rows,
        "created_count": outcome.created,
        "updated_count": outcome.updated,
        "unchanged_count": outcome.unchanged,
        "deactivated_count": outcome.deactivated,
        "invited_count": outcome.invited,
        "error_count": outcome.rejected,
    }
