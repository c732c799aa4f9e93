"""Exports for an examiner: ``records.jsonl`` (authoritative), ``records.csv`` (for spreadsheets) and
``manifest.json`` (filter, counts, first and last sequence number and hash, SHA-256 of every file, and the
manifest's own digest). ``manage.py verify_archive --export DIR`` checks all of it with no database
(``verify_export``). An officer asks for one in the portal (``request_export``), a worker builds it
(``build_requested_export``) and each download is archived (``record_export_download``).

The date range is read in the portal's time zone (``TIME_ZONE``): from the start of ``date_from`` to the end
of ``date_to``. With ``adviser``, records by that person or about them (actor or subject person) are kept.

CSV cells that a spreadsheet would run as a formula (starting with ``= + - @``, tab or carriage return) are
prefixed with an apostrophe; the JSON Lines file carries the exact values that were hashed.
"""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.archive.chain import timestamp
from compliance.archive.models import ArchiveExport, ArchiveRecord
from compliance.archive.services import record
from compliance.archive.verify import CHUNK_SIZE, ROW_FIELDS
from compliance.archive.verify_export import file_sha256, manifest_digest, render_manifest

FORMAT = "relais-archive-export/1"
CSV_COLUMNS = [
    "seq",
    "timestamp",
    "event_type",
    "actor_id",
    "actor_email",
    "actor_name",
    "subject_ref",
    "subject_repr",
    "subject_user_id",
    "network_post_id",
    "payload",
    "payload_sha256",
    "prev_hash",
    "hash",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """Whole days in the bank's time zone (``TIME_ZONE``), whoever asks: the officer's own zone is active
    on their pages, but a search and the export built from the same dates (by a task, with no officer's
    zone) must select the same records, and the export's manifest states the bank's zone."""
    bank = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), bank)
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), bank)
    return start, end


def records_for_export(*, date_from: date, date_to: date, adviser_email: str = "") -> QuerySet:
    start, end = day_bounds(date_from, date_to)
    records = ArchiveRecord.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    if adviser_email:
        ids = list(get_user_model().objects.filter(email__iexact=adviser_email).values_list("pk", flat=True))
        records = records.filter(
            Q(actor_email__iexact=adviser_email) | Q(actor_id__in=ids) | Q(subject_user_id__in=ids)
        )
    return records.order_by("seq")


def _item(row) -> dict:
    (
        seq,
        recorded_at,
        event_type,
        actor_id,
        actor_email,
        actor_name,
        subject_ref,
        subject_repr,
        subject_user_id,
        network_post_id,
        payload_json,
        payload_sha256,
        prev_hash,
        digest,
    ) = row
    has_actor = actor_id is not None or actor_email or actor_name
    has_subject = subject_ref or subject_repr or subject_user_id is not None
    return {
        "seq": seq,
        "timestamp": timestamp(recorded_at),
        "event_type": event_type,
        "actor": {"id": actor_id, "email": actor_email, "name": actor_name} if has_actor else None,
        "subject": {"ref": subject_ref, "repr": subject_repr, "user_id": subject_user_id}
        if has_subject
        else None,
        "network_post_id": network_post_id,
        "payload": json.loads(payload_json),
        "payload_sha256": payload_sha256,
        "prev_hash": prev_hash,
        "hash": digest,
    }


def _cell(value) -> str:
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_export(
    out_dir: str | Path,
    *,
    date_from: date,
    date_to: date,
    adviser_email: str = "",
    actor=None,
    progress: Callable[[int, int], None] | None = None,
    via: str = "command",
) -> dict:
    """Write the three files into ``out_dir`` (which must not already hold an export), archive the export
    (``archive.exported``, with the manifest's digest) and return the manifest."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if (out / "manifest.json").exists():
        raise FileExistsError(f"{out} already holds an export")
    records = records_for_export(date_from=date_from, date_to=date_to, adviser_email=adviser_email)
    total = records.count()
    count, first, last = 0, None, None
    with (
        open(out / "records.jsonl", "w", encoding="utf-8", newline="\n") as fjson,
        open(out / "records.csv", "w", encoding="utf-8", newline="") as fcsv,
    ):
        table = csv.writer(fcsv)
        table.writerow(CSV_COLUMNS)
        for row in records.values_list(*ROW_FIELDS).iterator(chunk_size=CHUNK_SIZE):
            item = _item(row)
            fjson.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
            actor, subject = item["actor"] or {}, item["subject"] or {}
            table.writerow(
                [
                    _cell(v)
                    for v in (
                        item["seq"],
                        item["timestamp"],
                        item["event_type"],
                        actor.get("id"),
                        actor.get("email"),
                        actor.get("name"),
                        subject.get("ref"),
                        subject.get("repr"),
                        subject.get("user_id"),
                        item["network_post_id"],
                        row[10],
                        item["payload_sha256"],
                        item["prev_hash"],
                        item["hash"],
                    )
                ]
            )
            count += 1
            first = first or (item["seq"], item["hash"])
            last = (item["seq"], item["hash"])
            if progress and count % 1000 == 0:
                progress(count, total)
    manifest = {
        "format": FORMAT,
        "created_at": timestamp(timezone.now()),
        "filter": {
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "adviser": adviser_email or None,
            "time_zone": settings.TIME_ZONE,
        },
        "count": count,
        "first_seq": first[0] if first else None,
        "first_hash": first[1] if first else None,
        "last_seq": last[0] if last else None,
        "last_hash": last[1] if last else None,
        "files": {name: file_sha256(out / name) for name in ("records.jsonl", "records.csv")},
        "hashing": "hash = sha256(prev_hash + canonical_record); see docs/archive.md",
    }
    manifest["manifest_sha256"] = manifest_digest(manifest)
    (out / "manifest.json").write_bytes(render_manifest(manifest))
    if progress:
        progress(count, total)
    record(
        "archive.exported",
        actor=actor,
        payload={
            "filter": manifest["filter"],
            "count": count,
            "first_seq": manifest["first_seq"],
            "last_seq": manifest["last_seq"],
            "last_hash": manifest["last_hash"],
            "manifest_sha256": manifest["manifest_sha256"],
            "via": via,
        },
    )
    return manifest


def export_root() -> Path:
    return Path(settings.VAR_DIR) / "archive-exports"


def build_requested_export(*, export_id: str) -> None:
    """Build an export asked for in the portal. Safe to run twice (a redelivered task): only the caller that
    moves it from "waiting" to "running" builds it."""
    claimed = ArchiveExport.objects.filter(pk=export_id, status=ArchiveExport.Status.PENDING).update(
        status=ArchiveExport.Status.RUNNING
    )
    if not claimed:
        return
    export = ArchiveExport.objects.get(pk=export_id)
    folder = export_root() / str(export.pk)
    name = f"relais-archive-{export.date_from:%Y%m%d}-{export.date_to:%Y%m%d}"

    def progress(written: int, total: int) -> None:
        ArchiveExport.objects.filter(pk=export.pk).update(written=written, total=total)

    try:
        shutil.rmtree(folder, ignore_errors=True)
        user = get_user_model().objects.filter(pk=export.requested_by_id).first()
        manifest = write_export(
            folder / name,
            date_from=export.date_from,
            date_to=export.date_to,
            adviser_email=export.adviser_email,
            actor=user or export.requested_by_email,
            progress=progress,
            via="portal",
        )
        zip_path = folder / f"{name}.zip"
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for part in ("manifest.json", "records.jsonl", "records.csv"):
                archive.write(folder / name / part, f"{name}/{part}")
    except Exception as exc:
        ArchiveExport.objects.filter(pk=export.pk).update(
            status=ArchiveExport.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    ArchiveExport.objects.filter(pk=export.pk).update(
        status=ArchiveExport.Status.DONE,
        zip_path=str(zip_path),
        manifest_sha256=manifest["manifest_sha256"],
        finished_at=timezone.now(),
        written=manifest["count"],
        total=manifest["count"],
    )


def request_export(*, actor, date_from, date_to, adviser_email: str = "") -> ArchiveExport:
    """Create the export row and build it in a worker once the row is committed."""
    from compliance.archive.tasks import build_export

    if date_from > date_to:
        raise ValueError("the export's start date is after its end date")
    with transaction.atomic():
        export = ArchiveExport.objects.create(
            requested_by_id=actor.pk,
            requested_by_email=actor.email,
            date_from=date_from,
            date_to=date_to,
            adviser_email=adviser_email.strip(),
        )
        record(
            "archive.export_requested",
            subject=export,
            actor=actor,
            payload={
                "export_id": str(export.pk),
                "from": date_from,
                "to": date_to,
                "adviser": export.adviser_email or None,
            },
        )
        transaction.on_commit(lambda: build_export.delay(str(export.pk)))
    return export


def record_export_download(*, export: ArchiveExport, actor) -> None:
    record(
        "archive.export_downloaded",
        subject=export,
        actor=actor,
        payload={"export_id": str(export.pk), "manifest_sha256": export.manifest_sha256},
    )
