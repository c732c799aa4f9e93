"""CRM files uploaded on the client import page: kept in ``ClientImport`` until a worker imported them, their
progress, counts and row errors stored for the page to show.

Separate from ``crm_import`` because this is the life of one upload (queued, claimed, running with a
heartbeat, done or failed, claimed again when its worker died), not the rules of importing a file, which
``manage.py import_clients`` uses directly. Pattern: ``advocacy.accounts.roster_uploads``.

The file is personal data: its bytes are emptied once the import has finished, whatever the outcome, and
nothing of its content reaches a log (a failure logs the import's id and the exception's type only: a
database error's message may quote a cell).
"""

from __future__ import annotations

import csv
import functools
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.clients import crm_file, crm_import
from advocacy.clients.models import ClientImport, ClientImportError
from advocacy.org.models import Role
from advocacy.org.selectors import roles_of

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)  # a running import without progress for this long was orphaned
FILE_ERRORS = {"encoding", "missing_column"}  # the file cannot be read at all: the import failed


def imports_visible_to(user) -> QuerySet[ClientImport]:
    """An administrator sees every upload; a manager their own (the errors quote clients of their scope,
    which another manager may not see)."""
    imports = ClientImport.objects.defer("content").select_related("uploaded_by")
    if Role.ADMIN in roles_of(user):
        return imports
    return imports.filter(uploaded_by_id=user.pk)


def start_client_import(*, data: bytes, filename: str, actor, adviser_column: str) -> ClientImport:
    """Keep the uploaded file and hand it to a worker once the row is committed (the task gets the id only,
    so the broker and the worker's log never see the file)."""
    from advocacy.clients.tasks import import_clients_file

    with transaction.atomic():
        client_import = ClientImport.objects.create(
            uploaded_by=actor,
            original_filename=filename[:255],
            content=data,
            size_bytes=len(data),
            adviser_column=adviser_column,
        )
        transaction.on_commit(functools.partial(import_clients_file.delay, client_import.pk))
    return client_import


def run_client_import(*, import_id: int) -> bool:
    """Process a queued upload. Safe to call twice (Celery redelivers after a lost worker): one caller wins
    the claim, and a run whose worker died (no progress for ``STALE_AFTER``) may be claimed again; rows it
    had imported are then found unchanged. Returns whether it ran."""
    now = timezone.now()
    Status = ClientImport.Status
    claimed = (
        ClientImport.objects.filter(pk=import_id)
        .filter(Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER))
        .update(status=Status.RUNNING, started_at=now, heartbeat_at=now, processed_rows=0)
    )
    if not claimed:
        return False
    client_import = ClientImport.objects.select_related("uploaded_by").get(pk=import_id)
    rows_of = ClientImport.objects.filter(pk=import_id)
    ClientImportError.objects.filter(client_import_id=import_id).delete()  # a previous, orphaned run's
    try:
        rows, parse_errors = crm_file.parse(
            bytes(client_import.content), adviser_column=client_import.adviser_column
        )
        if any(e.code in FILE_ERRORS for e in parse_errors):
            _store_errors(import_id, parse_errors)
            rows_of.update(status=Status.FAILED, finished_at=timezone.now(), content=b"")
            return True
        refused_lines = {e.line for e in parse_errors}
        total = len(rows) + len(refused_lines)
        rows_of.update(total_rows=total, error_count=len(refused_lines))

        def report(done: int, result: crm_import.ImportResult) -> None:
            rows_of.update(
                heartbeat_at=timezone.now(),
                processed_rows=done + len(refused_lines),
                created_count=result.created,
                updated_count=result.updated,
                unchanged_count=result.unchanged,
            )

        result = crm_import.apply_rows(
            rows, adviser_column=client_import.adviser_column, by=client_import.uploaded_by, progress=report
        )
    except Exception as exc:
        logger.error("client import %s stopped (%s)", import_id, type(exc).__name__)
        done = rows_of.values_list("processed_rows", flat=True).first() or 0
        _store_errors(import_id, [crm_file.RowError(0, "", "stopped", {"rows": done})])
        rows_of.update(
            status=Status.FAILED, finished_at=timezone.now(), heartbeat_at=timezone.now(), content=b""
        )
        return True
    errors = parse_errors + result.errors
    _store_errors(import_id, errors)
    rows_of.update(
        status=Status.DONE,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        content=b"",
        total_rows=total,
        processed_rows=total,
        created_count=result.created,
        updated_count=result.updated,
        unchanged_count=result.unchanged,
        error_count=len({e.line for e in errors}),
    )
    if result.created or result.updated:
        # The new consented handles are looked up on X now, not at the next beat (up to 10 minutes later,
        # during which the adviser sees them as "being resolved").
        from advocacy.clients.tasks import poll_client_handles

        transaction.on_commit(poll_client_handles.delay)
    return True


def _store_errors(import_id: int, errors: list[crm_file.RowError]) -> None:
    ClientImportError.objects.bulk_create(
        (
            ClientImportError(
                client_import_id=import_id,
                line=e.line,
                column=e.column[:64],
                code=e.code,
                msgid=crm_file.MESSAGES[e.code],
                params=e.params,
            )
            for e in sorted(errors, key=lambda e: (e.line, e.column))
        ),
        batch_size=1000,
    )


def error_message(error: ClientImportError) -> str:
    return crm_file.shown({"msgid": error.msgid, "params": error.params})


def write_errors_csv(client_import: ClientImport, out) -> None:
    """The upload's row errors as CSV (line, column, message in the reader's language), a byte-order mark
    first so that Excel reads the accents as UTF-8. Read in pages of the id: never the whole list at once."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("line"), _("column"), _("message")])
    errors = client_import.row_errors.order_by("pk")
    last = 0
    while True:
        page = list(errors.filter(pk__gt=last)[:2000])
        if not page:
            break
        for error in page:
            writer.writerow([error.line or "", error.column, error_message(error)])
        last = page[-1].pk
