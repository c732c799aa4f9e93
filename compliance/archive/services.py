"""Writes to the regulatory archive: the single entry point ``record``, and the archive's own operations
(checkpoints, verification runs, legal holds, the retention purge, export requests).

Event types other modules emit, and the payload keys the archive's views rely on (keep them stable):

* ``content.version_created`` — payload ``version_id``, ``text``, ``fingerprint``; actor = the preparer.
* ``review.approved`` — payload ``version_id``, ``fingerprint``; actor = the approver.
* ``share.published`` — payload ``version_id``, ``text`` (exactly what was sent), ``fingerprint``,
  ``network_post_id``; actor or subject person = the adviser.
* ``share.deleted`` — payload ``network_post_id`` (and ``version_id`` when known).

``network_post_id``, when present at the top level of a payload, is also copied into an indexed column (and
into the hashed record) so that "everything about this post" is an index lookup.

Subjects: a model instance is stored as ``app_label.model:pk`` with its ``str()``; when it is a user, or
has a ``user_id`` / ``adviser_id`` attribute, that person's id is stored too, so that searching by adviser
finds events *about* them as well as events *by* them. A string subject is stored as given.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.db import execute_prepared
from compliance.archive.chain import (
    canonical_json,
    canonical_record,
    payload_digest,
    record_hash,
    text,
    timestamp,
)
from compliance.archive.events import check_payload
from compliance.archive.models import (
    GENESIS_HASH,
    HEAD_PK,
    ArchiveCheckpoint,
    ArchiveExport,
    ArchiveHead,
    ArchivePurgedRange,
    ArchiveRecord,
    ArchiveVerification,
    LegalHold,
)
from compliance.archive.protection import purge_permit

logger = logging.getLogger(__name__)


# --- Appending -------------------------------------------------------------------------------------------
def _actor_snapshot(actor: Any) -> tuple[int | None, str, str]:
    if actor is None:
        return None, "", ""
    if isinstance(actor, str):  # a process, not a person ("purge", "nightly verification")
        return None, "", text(actor, 300)
    if not getattr(actor, "is_authenticated", False):
        return None, "", ""
    email = text(getattr(actor, "email", "") or "", 254)
    name = actor.get_full_name() if hasattr(actor, "get_full_name") else str(actor)
    return actor.pk, email, text(name or email or str(actor), 300)


def _subject_snapshot(subject: Any) -> tuple[str, str, int | None]:
    if subject is None:
        return "", "", None
    if isinstance(subject, str):
        return text(subject, 255), text(subject, 500), None
    meta = getattr(subject, "_meta", None)
    if meta is None:
        raise TypeError(
            f"an archive subject is a model instance, a string or None, not {type(subject).__name__}"
        )
    if isinstance(subject, get_user_model()):
        person = subject.pk
    else:
        person = getattr(subject, "user_id", None) or getattr(subject, "adviser_id", None)
    person = person if isinstance(person, int) else None
    return text(f"{meta.label_lower}:{subject.pk}", 255), text(str(subject), 500), person


# How an append works (and why it is shaped like this; docs/archive.md, "Concurrency"):
#
# Appends are serialised on the one ArchiveHead row, and that row stays locked until the *caller's*
# transaction ends: that is what keeps the chain linear and gap-free when a caller rolls back. Every
# microsecond spent holding the lock is lost for all writers, so everything that does not depend on the
# previous record (snapshots, canonical JSON, its digest, the canonical record itself split around the two
# values only known under the lock: seq and timestamp) is done *before* taking it. The hash formula does not
# change (chain.py): hash = sha256(prev_hash + canonical_record), with
#     canonical_record = head + str(seq) + middle + timestamp + '"}'
# (``_Prepared``; ``_split_canonical`` derives the parts from ``chain.canonical_record`` itself).
#
# * PostgreSQL, ``record``: ONE statement locks the head (FOR UPDATE), takes the timestamp
#   (``clock_timestamp()``, after the lock, so timestamps follow seq order), computes the hash with
#   PostgreSQL's own ``sha256()`` over the UTF-8 bytes of the same text, inserts the record and advances the
#   head. One round trip under the lock, and no savepoint; outside a transaction that single statement also
#   commits (autocommit), so the lock is released without a further round trip.
# * ``record_many`` (batch producers) and SQLite: lock the head (and read the clock), hash in Python, then one
#   multi-row INSERT + head update: two round trips under the lock for the whole batch.
_RECORD_TABLE = ArchiveRecord._meta.db_table
_HEAD_TABLE = ArchiveHead._meta.db_table
# The columns known before the lock, in this order everywhere below.
_KNOWN_COLUMNS = (
    "event_type",
    "actor_id",
    "actor_email",
    "actor_name",
    "subject_ref",
    "subject_repr",
    "subject_user_id",
    "network_post_id",
    "payload_json",
    "payload_sha256",
)
_KNOWN_CASTS = ("text", "bigint", "text", "text", "text", "text", "bigint", "text", "text", "text")
_SEQ_MARK = ',"seq":0,"subject":'
_TS_END = '"}'


@dataclass(slots=True)
class _Prepared:
    """One event with all its per-record work done: its column values and its canonical record minus seq
    and timestamp."""

    values: tuple  # in _KNOWN_COLUMNS order
    head: str  # canonical record up to and including '"seq":'
    middle: str  # from after the seq up to and including '"timestamp":"'

    def canonical(self, seq: int, ts: str) -> str:
        return f"{self.head}{seq}{self.middle}{ts}{_TS_END}"


def _split_canonical(*known) -> tuple[str, str]:
    """``chain.canonical_record`` with seq 0 and an empty timestamp, cut where seq and timestamp go.

    The top-level ``"seq"`` is the *last* ``,"seq":0,"subject":`` in the text (the payload comes before it,
    and the subject after it can only hold escaped quotes), and the timestamp is the final ``""`` before
    the closing brace."""
    blank = canonical_record(0, "", *known)
    cut = blank.rfind(_SEQ_MARK)
    if cut < 0 or not blank.endswith('""}'):
        raise AssertionError("chain.canonical_record changed shape: update services._split_canonical")
    head = blank[:cut] + ',"seq":'
    middle = blank[cut + len(',"seq":0') : -len(_TS_END)]
    return head, middle


def _prepare(event_type: str, subject, actor, payload: dict | None) -> _Prepared:
    if payload is not None and not isinstance(payload, dict):
        raise TypeError("an archive payload is a dict")
    event_type = text(event_type, 100)
    if not event_type:
        raise ValueError("an archive event needs an event type")
    check_payload(event_type, payload or {})
    payload_json = canonical_json(payload or {})
    actor_id, actor_email, actor_name = _actor_snapshot(actor)
    subject_ref, subject_repr, subject_user_id = _subject_snapshot(subject)
    post_id = (payload or {}).get("network_post_id")
    network_post_id = text(post_id, 64) if post_id not in (None, "") else ""
    hashed = (
        event_type,
        actor_id,
        actor_email,
        actor_name,
        subject_ref,
        subject_repr,
        subject_user_id,
        network_post_id,
        payload_json,
    )
    head, middle = _split_canonical(*hashed)
    return _Prepared(values=(*hashed, payload_digest(payload_json)), head=head, middle=middle)


def _entry(prepared: _Prepared, seq: int, recorded_at: datetime, prev_hash: str, digest: str, using: str):
    entry = ArchiveRecord(
        seq=seq,
        recorded_at=recorded_at,
        prev_hash=prev_hash,
        hash=digest,
        **dict(zip(_KNOWN_COLUMNS, prepared.values, strict=True)),
    )
    entry._state.adding, entry._state.db = False, using
    return entry


def _ensure_head(using: str) -> None:
    """Create the head row when it is missing (first append ever, or after a test flush), continuing from
    whatever the table already holds so that a lost head row can never restart the chain at seq 1 over
    existing records."""
    last = ArchiveRecord.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    purged = (
        ArchivePurgedRange.objects.using(using)
        .order_by("-last_seq")
        .values_list("last_seq", "last_hash")
        .first()
    )
    start = max([r for r in (last, purged) if r], default=(0, GENESIS_HASH))
    ArchiveHead.objects.using(using).bulk_create(
        [ArchiveHead(pk=HEAD_PK, seq=start[0], hash=start[1])], ignore_conflicts=True
    )


_PG_LOCK_HEAD = (
    f"WITH head AS MATERIALIZED (SELECT seq, hash FROM {_HEAD_TABLE} WHERE id = %s FOR UPDATE) "  # noqa: S608
    "SELECT seq, hash, clock_timestamp() FROM head"
)


def _lock_head(using: str) -> tuple[int, str, datetime]:
    """The head's (seq, hash) locked until the surrounding transaction ends, and the time read after the
    lock was granted.

    PostgreSQL: ``SELECT … FOR UPDATE`` on the one head row (the clock is read in the outer query, i.e.
    after the lock); a concurrent append waits until our caller commits or rolls back, then reads the head we
    left. SQLite ignores FOR UPDATE; a no-op UPDATE first takes SQLite's single write lock, so that two
    processes never read the same head."""
    connection = connections[using]
    for _attempt in range(2):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_PG_LOCK_HEAD, [HEAD_PK])
                row = cursor.fetchone()
        else:
            ArchiveHead.objects.using(using).filter(pk=HEAD_PK).update(seq=F("seq"))
            row = ArchiveHead.objects.using(using).filter(pk=HEAD_PK).values_list("seq", "hash").first()
            row = row and (*row, timezone.now())
        if row is not None:
            return row
        _ensure_head(using)
    raise RuntimeError("the archive head row could not be created")


# PostgreSQL, one record: lock, clock, hash, insert, advance the head, in one statement. The CTEs are
# MATERIALIZED so that the clock is read from the row the lock returned (after any wait), and the hash is
# computed once. ``to_char`` spells the timestamp exactly as chain.timestamp() does (verify.PG_CANONICAL_TS);
# ``convert_to(…, 'UTF8')`` gives the bytes Python hashes (the database encoding is UTF8). Table and column
# names come from the model; every value is a parameter.
_PG_RECORD = (
    f"WITH head AS MATERIALIZED (SELECT seq, hash FROM {_HEAD_TABLE} WHERE id = %s FOR UPDATE), "  # noqa: S608
    "stamped AS MATERIALIZED (SELECT seq + 1 AS seq, hash AS prev_hash, clock_timestamp() AS at FROM head), "
    "hashed AS MATERIALIZED (SELECT seq, at, prev_hash, encode(sha256(convert_to(prev_hash || %s::text || "
    "seq::text || %s::text || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '\"}', "
    "'UTF8')), 'hex') AS hash FROM stamped), "
    f"appended AS (INSERT INTO {_RECORD_TABLE} "
    f"(seq, recorded_at, prev_hash, hash, {', '.join(_KNOWN_COLUMNS)}) "
    f"SELECT seq, at, prev_hash, hash, {', '.join(f'%s::{t}' for t in _KNOWN_CASTS)} FROM hashed "
    "RETURNING seq, recorded_at, prev_hash, hash), "
    f"advanced AS (UPDATE {_HEAD_TABLE} SET seq = appended.seq, hash = appended.hash FROM appended "
    f"WHERE {_HEAD_TABLE}.id = %s RETURNING 1) "
    "SELECT seq, recorded_at, prev_hash, hash, (SELECT count(*) FROM advanced) FROM appended"
)


def _pg_record(prepared: _Prepared, using: str) -> ArchiveRecord:
    connection = connections[using]
    params = [HEAD_PK, prepared.head, prepared.middle, *prepared.values, HEAD_PK]
    for _attempt in range(2):
        with connection.cursor() as cursor:
            execute_prepared(cursor, connection, _PG_RECORD, params)
            row = cursor.fetchone()
        if row is not None:
            seq, recorded_at, prev_hash, digest, advanced = row
            if advanced != 1:  # cannot happen while we hold the lock; never leave the head behind silently
                raise RuntimeError("the archive head was not advanced")
            return _entry(prepared, seq, recorded_at, prev_hash, digest, using)
        _ensure_head(using)  # no head row: nothing was inserted; create it and try again
    raise RuntimeError("the archive head row could not be created")


_PG_MAX_ROWS = 2000  # 16 parameters a row, PostgreSQL's limit is 65,535 per statement


def _insert_and_advance_head(entries: list[ArchiveRecord], using: str) -> None:
    connection = connections[using]
    last = entries[-1]
    if connection.vendor != "postgresql":
        ArchiveRecord.objects.using(using).bulk_create(entries)
        ArchiveHead.objects.using(using).filter(pk=HEAD_PK).update(seq=last.seq, hash=last.hash)
        return
    columns = ("seq", "recorded_at", "prev_hash", "hash", *_KNOWN_COLUMNS)
    fields = [ArchiveRecord._meta.get_field(c) for c in columns]
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(entries), _PG_MAX_ROWS):
            chunk = entries[start : start + _PG_MAX_ROWS]
            params = [f.get_db_prep_save(getattr(e, f.attname), connection) for e in chunk for f in fields]
            values = ", ".join([row_sql] * len(chunk))
            insert = f"INSERT INTO {_RECORD_TABLE} ({', '.join(columns)}) VALUES {values}"  # noqa: S608
            if start + _PG_MAX_ROWS < len(entries):
                cursor.execute(insert, params)
            else:  # the last chunk and the head in one round trip
                cursor.execute(
                    f"WITH appended AS ({insert}) UPDATE {_HEAD_TABLE} SET seq = %s, hash = %s WHERE id = %s",  # noqa: S608
                    [*params, last.seq, last.hash, HEAD_PK],
                )


def _append(prepared: list[_Prepared], using: str) -> list[ArchiveRecord]:
    """Python-side hashing: lock the head, chain the batch, insert it and advance the head."""
    with transaction.atomic(using=using, savepoint=False):
        seq, prev_hash, now = _lock_head(using)
        ts = timestamp(now)
        entries = []
        for item in prepared:
            seq += 1
            digest = record_hash(prev_hash, item.canonical(seq, ts))
            entries.append(_entry(item, seq, now, prev_hash, digest, using))
            prev_hash = digest
        _insert_and_advance_head(entries, using)
    return entries


def record(event_type: str, *, subject=None, actor=None, payload: dict | None = None) -> ArchiveRecord:
    """Append one event to the archive, chained to the previous one.

    Call it inside the transaction of the business change it records: the record and the head pointer are
    then committed or rolled back together with that change, which is what keeps the chain gap-free (a
    rolled-back caller leaves neither a record nor a consumed sequence number). The head row stays locked
    until that transaction ends, so keep the rest of it short and never make a network call after recording.
    Outside a transaction the append commits on its own.

    No savepoint is taken: if the append fails with a database error, the caller's transaction is doomed to
    roll back (a business change must not commit without its archive record). Bad arguments (payload
    types, empty event type) raise before anything touches the database."""
    prepared = _prepare(event_type, subject, actor, payload)
    using = router.db_for_write(ArchiveRecord)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return _append([prepared], using)[0]
    try:
        return _pg_record(prepared, using)
    except Exception:
        if connection.in_atomic_block:  # as transaction.atomic(savepoint=False) would
            transaction.set_rollback(True, using=using)
        raise


@dataclass(frozen=True, slots=True)
class Event:
    """One event for ``record_many``: the arguments of ``record``."""

    event_type: str
    subject: Any = None
    actor: Any = None
    payload: dict | None = None


def record_many(events) -> list[ArchiveRecord]:
    """Append several events at once, consecutive in the chain, in one lock: for producers that have a
    batch (imports, fan-outs, replays). ``events``: ``Event`` instances or ``(event_type, subject, actor,
    payload)`` tuples. Same transaction rules as ``record`` (all or nothing with the caller's transaction);
    all records of a batch carry the same timestamp. Every event is validated before the lock is taken."""
    prepared = [
        _prepare(e.event_type, e.subject, e.actor, e.payload) if isinstance(e, Event) else _prepare(*e)
        for e in events
    ]
    if not prepared:
        return []
    return _append(prepared, router.db_for_write(ArchiveRecord))


# --- Checkpoints -----------------------------------------------------------------------------------------
def write_checkpoint(
    *, kind: str = ArchiveCheckpoint.Kind.DAILY, file_path: str | None = None
) -> ArchiveCheckpoint | None:
    """Copy the current head into ``ArchiveCheckpoint`` and, when a path is configured, append it to an
    external file (ideally on other storage: WORM bucket, another host). A rewrite of the chain that also
    rewrites the database's checkpoints still disagrees with the file. Nothing to do on an empty archive."""
    head = ArchiveHead.objects.values_list("seq", "hash").first()
    if not head or head[0] == 0:
        return None
    checkpoint = ArchiveCheckpoint.objects.create(
        seq=head[0], hash=head[1], created_at=timezone.now(), kind=kind
    )
    path = file_path or settings.ARCHIVE_CHECKPOINT_FILE
    if path:
        line = json.dumps(
            {"created_at": timestamp(checkpoint.created_at), "hash": checkpoint.hash, "seq": checkpoint.seq},
            sort_keys=True,
        )
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return checkpoint


# --- Verification ----------------------------------------------------------------------------------------
def run_verification(*, trigger: str = "command", notify: bool = False):
    """Verify the whole chain, keep the outcome (the compliance banner reads the latest one), archive the
    run, and on failure e-mail administrators and compliance officers. Returns (verification, result)."""
    from advocacy.org.models import Role
    from advocacy.org.selectors import users_with_role
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
    if not result.ok and notify:
        recipients = sorted(
            {u.email for role in (Role.ADMIN, Role.COMPLIANCE) for u in users_with_role(role) if u.email}
        )
        if recipients:
            send_mail(
                _("Archive verification failed"),
                _(
                    "The nightly verification of the regulatory archive found a problem.\n\n%(problem)s\n\n"
                    "Records checked before the problem: %(checked)s. Do not purge or export until it is "
                    "understood; see docs/archive.md, “When verification fails”."
                )
                % {"problem": problem, "checked": result.checked},
                None,
                recipients,
            )
    return verification, result


# --- Legal holds -----------------------------------------------------------------------------------------
@transaction.atomic
def place_legal_hold(*, actor, reason: str, user=None, subject_ref: str = "") -> LegalHold:
    if user is None and not subject_ref:
        raise ValueError("a legal hold needs an adviser or a subject reference")
    if not reason.strip():
        raise ValueError("a legal hold needs a reason")
    hold = LegalHold.objects.create(
        user_id=user.pk if user else None,
        user_email=user.email if user else "",
        subject_ref=subject_ref.strip(),
        reason=reason.strip(),
        created_by_id=getattr(actor, "pk", None),
        created_by_email=getattr(actor, "email", ""),
    )
    record(
        "archive.legal_hold_placed",
        subject=user or hold.subject_ref,
        actor=actor,
        payload={"hold_id": hold.pk, "reason": hold.reason, "subject_ref": hold.subject_ref},
    )
    return hold


@transaction.atomic
def release_legal_hold(*, hold_id: int, actor) -> bool:
    """Safe to call twice: only the first release changes the hold and is archived."""
    updated = LegalHold.objects.filter(pk=hold_id, released_at=None).update(
        released_at=timezone.now(), released_by_email=getattr(actor, "email", "")
    )
    if updated:
        hold = LegalHold.objects.get(pk=hold_id)
        record(
            "archive.legal_hold_released",
            subject=hold.subject_ref or f"user:{hold.user_id}",
            actor=actor,
            payload={"hold_id": hold.pk, "user_id": hold.user_id, "subject_ref": hold.subject_ref},
        )
    return bool(updated)


# --- Retention purge -------------------------------------------------------------------------------------
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


# --- Exports ---------------------------------------------------------------------------------------------
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
