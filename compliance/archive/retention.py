"""Retention: how long each event type is kept (``ARCHIVE_RETENTION_YEARS``) and the purge that deletes
what is past it. The only code that deletes archive records: it runs under the database's purge permit
(``protection``) and leaves anchors so that the chain stays verifiable across the hole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from compliance.archive.chain import canonical_json, payload_digest, timestamp
from compliance.archive.models import ArchivePurgedRange, ArchiveRecord, LegalHold
from compliance.archive.protection import purge_permit
from compliance.archive.services import record


def retention_years(event_type: str) -> int:
    """The longest matching prefix of the event type in ``ARCHIVE_RETENTION_YEARS`` (``share.published``,
    then ``share``), else ``default``."""
    table = settings.ARCHIVE_RETENTION_YEARS
    parts = event_type.split(".")
    for i in range(len(parts), 0, -1):
        key = ".".join(parts[:i])
        if key in table:
            return table[key]
    return table["default"]


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


@dataclass
class PurgeReport:
    purged: int
    held: int
    ranges: list[tuple[int, int, str]]
    cutoffs: dict[str, str]


def purge_expired_records(*, now: datetime | None = None, dry_run: bool = False, actor=None) -> PurgeReport:
    """Delete the records whose retention period is over and that no active legal hold covers.

    Each run of consecutive deleted records leaves an anchor (``ArchivePurgedRange``) with the hash of its
    last record, so the chain stays verifiable across the hole. Deletion, anchors and the run's own archive
    event (``archive.purged``) commit together; the trigger permit lasts only this transaction. Two purges at
    once: the second fails on the anchors' unique first_seq and rolls back."""
    now = now or timezone.now()
    using = router.db_for_write(ArchiveRecord)
    table = settings.ARCHIVE_RETENTION_YEARS
    oldest_cutoff = years_before(now, min(table.values()))
    held_users = set(
        LegalHold.objects.filter(released_at=None, user_id__isnull=False).values_list("user_id", flat=True)
    )
    held_refs = set(
        LegalHold.objects.filter(released_at=None)
        .exclude(subject_ref="")
        .values_list("subject_ref", flat=True)
    )
    cutoff_by_type: dict[str, datetime] = {}
    ranges: list[tuple[int, int, str]] = []
    held = 0
    run: list | None = None  # [first_seq, last_seq, last_hash]
    with transaction.atomic(using=using):
        rows = (
            ArchiveRecord.objects.using(using)
            .filter(recorded_at__lt=oldest_cutoff)
            .order_by("seq")
            .values_list(
                "seq", "recorded_at", "event_type", "actor_id", "subject_user_id", "subject_ref", "hash"
            )
            .iterator(chunk_size=5000)
        )
        for seq, recorded_at, event_type, actor_id, subject_user_id, subject_ref, digest in rows:
            cutoff = cutoff_by_type.get(event_type)
            if cutoff is None:
                cutoff = cutoff_by_type[event_type] = years_before(now, retention_years(event_type))
            is_held = actor_id in held_users or subject_user_id in held_users or subject_ref in held_refs
            expired = recorded_at < cutoff
            if expired and is_held:
                held += 1
            if expired and not is_held:
                if run is not None and seq == run[1] + 1:
                    run[1], run[2] = seq, digest
                else:
                    run = [seq, seq, digest]
                    ranges.append(run)
            else:
                run = None
        ranges = [tuple(r) for r in ranges]
        purged = sum(last - first + 1 for first, last, _ in ranges)
        report = PurgeReport(
            purged=purged,
            held=held,
            ranges=ranges,
            cutoffs={k: timestamp(v) for k, v in sorted(cutoff_by_type.items())},
        )
        if dry_run:
            return report
        if ranges:
            ArchivePurgedRange.objects.using(using).bulk_create(
                [
                    ArchivePurgedRange(
                        first_seq=f, last_seq=la, last_hash=h, record_count=la - f + 1, purged_at=now
                    )
                    for f, la, h in ranges
                ]
            )
            with purge_permit(connections[using]):
                for first, last, _ in ranges:
                    ArchiveRecord.objects.using(using).filter(seq__gte=first, seq__lte=last).delete()
        listed = [list(r) for r in ranges[:500]]
        record(
            "archive.purged",
            actor=actor,
            payload={
                "records": purged,
                "held_back": held,
                "cutoffs": report.cutoffs,
                "retention_years": table,
                "ranges": len(ranges),
                "ranges_listed": listed,
                "ranges_sha256": payload_digest(canonical_json([list(r) for r in ranges])),
            },
        )
    return report
