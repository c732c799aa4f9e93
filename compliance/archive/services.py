"""Appending to the regulatory archive: ``record``, the one entry point every module uses, and
``record_many`` for producers that have a batch. Nothing else appends ``ArchiveRecord`` rows; the archive's
own operations live beside this module (``checkpoints``, ``verification_runs``, ``legal_holds``,
``retention``, ``export``) and append through ``record`` like everyone else.

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

import logging
import operator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone

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
    ArchiveHead,
    ArchivePurgedRange,
    ArchiveRecord,
)

logger = logging.getLogger(__name__)


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
# names come from the model; every value is a parameter. Raw on purpose: the ORM path (``_append``: lock,
# bulk_create, update, three round trips under the head lock) gave 85-142 record()/s with 4 writers where
# this statement gave 196-250/s, and 71-137 against 245-601/s in autocommit (bench_archive.py --appends 2000,
# back to back, 2026-12-02, load average 6-10). psycopg prepares it like any other statement.
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
            cursor.execute(_PG_RECORD, params)
            row = cursor.fetchone()
        if row is not None:
            seq, recorded_at, prev_hash, digest, advanced = row
            if advanced != 1:  # cannot happen while we hold the lock; never leave the head behind silently
                raise RuntimeError("the archive head was not advanced")
            return _entry(prepared, seq, recorded_at, prev_hash, digest, using)
        _ensure_head(using)  # no head row: nothing was inserted; create it and try again
    raise RuntimeError("the archive head row could not be created")


_ROWS_PER_INSERT = 2000  # 16 parameters a row, PostgreSQL's limit is 65,535 per statement
_COPY_COLUMNS = ("seq", "recorded_at", "prev_hash", "hash", *_KNOWN_COLUMNS)
_PG_COPY = f"COPY {_RECORD_TABLE} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
_copy_row = operator.attrgetter(*_COPY_COLUMNS)


def _insert_and_advance_head(entries: list[ArchiveRecord], using: str) -> None:
    """The batch's records, then the head moved to the last one, under the head lock ``_append`` holds.

    PostgreSQL: ``COPY``, raw on purpose. ``bulk_create`` prepared each of the 14 values of every record
    through its field and psycopg then spelled them as arrays for ``UNNEST``: for the 60,000 consents of the
    100,000-row client import that was about a third of the importing process's CPU (bench/README.md,
    "Client import"). The values are the ones hashed, written as they are; COPY's errors are made Django's
    as any query's."""
    last = entries[-1]
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.wrap_database_errors, connection.cursor() as cursor, cursor.copy(_PG_COPY) as copy:
            for entry in entries:
                copy.write_row(_copy_row(entry))
    else:
        ArchiveRecord.objects.using(using).bulk_create(entries, batch_size=_ROWS_PER_INSERT)
    ArchiveHead.objects.using(using).filter(pk=HEAD_PK).update(seq=last.seq, hash=last.hash)


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
