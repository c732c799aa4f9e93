"""Recompute the hash chain and say where it breaks, over the database (an export is checked offline by
``verify_export``, with the same per-record hash and problem reporting from here).

The core (``verify_chain``) is a single pass over rows in sequence order with constant memory: it keeps the
previous hash, the next expected sequence number, the (small) list of purge anchors and checkpoints. It
stops at the first problem and names it:

* ``gap``: a sequence number is missing and no purge anchor accounts for it (a deleted record);
* ``payload_changed`` / ``hash_mismatch``: a record's content no longer hashes to its stored hash;
* ``prev_hash_mismatch``: a record does not point at its predecessor's hash;
* ``hash_rewritten``: a record was rewritten *and its hash recomputed*: it is self-consistent, but its
  successor (or the head pointer, or a checkpoint) remembers the original hash;
* ``order_swapped``: two neighbours exchanged places;
* ``checkpoint_mismatch`` / ``anchor_mismatch`` / ``missing_tail``: the chain disagrees with a checkpoint
  (database or external file), a purge anchor, or the head pointer.

Purged records (retention) leave an anchor ``(first_seq, last_seq, last_hash)``: the hole is accepted only if
anchors tile it exactly and the next record's ``prev_hash`` equals the last anchor's ``last_hash``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.db.models.expressions import RawSQL

from compliance.archive.chain import canonical_record, payload_digest, timestamp
from compliance.archive.models import GENESIS_HASH

# Order of the columns every row source yields.
ROW_FIELDS = (
    "seq",
    "recorded_at",
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
    "prev_hash",
    "hash",
)
CHUNK_SIZE = 5000
PG_CANONICAL_TS = "to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


@dataclass
class Problem:
    kind: str
    detail: str
    seq: int | None = None

    def __str__(self) -> str:
        where = f"seq {self.seq}: " if self.seq is not None else ""
        return f"{where}{self.kind}: {self.detail}"


@dataclass
class Result:
    ok: bool = True
    checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str | None = None
    checkpoints_checked: int = 0
    purged_ranges_crossed: int = 0
    chain_breaks_by_filter: int = 0
    problem: Problem | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def fail(self, kind: str, detail: str, seq: int | None = None) -> Result:
        self.ok = False
        self.problem = Problem(kind, detail, seq)
        return self


def _sha(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def hash_of(row) -> str:
    """The hash a row (in ``ROW_FIELDS`` order) should carry: the database and an export are checked alike."""
    ts = row[1] if isinstance(row[1], str) else timestamp(row[1])
    canonical = canonical_record(
        row[0], ts, row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10]
    )
    return _sha(row[12] + canonical)


def content_problem(row, result: Result) -> Result:
    """Name what changed in a record that no longer hashes to its stored hash: its payload, or the rest."""
    seq = row[0]
    if payload_digest(row[10]) != row[11]:
        return result.fail(
            "payload_changed",
            "the payload differs from what was recorded (its digest and the record hash no longer match)",
            seq,
        )
    return result.fail(
        "hash_mismatch",
        "the record no longer hashes to its stored hash (actor, subject, "
        "event type, timestamp or the hash itself changed)",
        seq,
    )


def verify_chain(
    rows: Iterable, *, purged: Iterable = (), checkpoints: Iterable = (), head: tuple[int, str] | None = None
) -> Result:
    """Verify rows ordered by seq. ``purged``: (first_seq, last_seq, last_hash); ``checkpoints``:
    (seq, hash, label); ``head``: (seq, hash) of the head pointer read before the rows."""
    started = time.monotonic()
    result = Result()
    ranges = deque(sorted(purged))
    crossed: list[tuple[int, int]] = []
    pending_cps: dict[int, list[tuple[str, str]]] = {}
    for seq, digest, label in checkpoints:
        pending_cps.setdefault(int(seq), []).append((digest, label))

    def check_checkpoints(seq: int, digest: str) -> Result | None:
        for expected, label in pending_cps.pop(seq, ()):
            result.checkpoints_checked += 1
            if expected != digest:
                return result.fail(
                    "checkpoint_mismatch",
                    f"{label} recorded hash {expected[:16]}… for this "
                    f"seq, the chain now has {digest[:16]}…: this record or an earlier one was "
                    "rewritten",
                    seq,
                )
        return None

    expected_seq, prev_hash, prev_seq = 1, GENESIS_HASH, None
    from_anchor = False
    it: Iterator = iter(rows)
    for row in it:
        seq = row[0]
        if seq != expected_seq:
            if seq < expected_seq:
                return finish(
                    result.fail(
                        "order_swapped",
                        f"seq {seq} appears after seq {expected_seq - 1}: "
                        "records are duplicated or out of order",
                        seq,
                    ),
                    started,
                )
            pos, anchor_hash = expected_seq, None
            while ranges and ranges[0][0] == pos and ranges[0][1] < seq:
                first, last, last_hash = ranges.popleft()
                crossed.append((first, last))
                result.purged_ranges_crossed += 1
                if check_checkpoints(last, last_hash):
                    return finish(result, started)
                pos, anchor_hash = last + 1, last_hash
            if pos != seq:
                missing = f"seq {pos}" if pos == seq - 1 else f"seq {pos} to {seq - 1}"
                return finish(
                    result.fail(
                        "gap", f"{missing} missing: deleted, and no purge anchor accounts for it", pos
                    ),
                    started,
                )
            prev_hash, from_anchor = anchor_hash, True
        if row[12] != prev_hash:
            nxt = next(it, None)
            if nxt is not None and nxt[0] == seq + 1 and nxt[12] == prev_hash and row[12] == nxt[13]:
                return finish(
                    result.fail(
                        "order_swapped",
                        f"seq {seq} and seq {seq + 1} exchanged places "
                        "(each carries the other's position in the chain)",
                        seq,
                    ),
                    started,
                )
            if from_anchor:
                return finish(
                    result.fail(
                        "anchor_mismatch",
                        "prev_hash does not match the hash the purge "
                        "anchor recorded for the last purged record",
                        seq,
                    ),
                    started,
                )
            if prev_seq is not None and hash_of(row) == row[13]:
                return finish(
                    result.fail(
                        "hash_rewritten",
                        f"this record was rewritten with a recomputed "
                        f"hash: seq {seq} recorded its original hash "
                        f"{row[12][:16]}… as prev_hash",
                        prev_seq,
                    ),
                    started,
                )
            return finish(
                result.fail("prev_hash_mismatch", "prev_hash does not match the previous record's hash", seq),
                started,
            )
        if hash_of(row) != row[13]:
            return finish(content_problem(row, result), started)
        if pending_cps and check_checkpoints(seq, row[13]):
            return finish(result, started)
        if result.first_seq is None:
            result.first_seq = seq
        prev_hash, prev_seq, expected_seq, from_anchor = row[13], seq, seq + 1, False
        result.checked += 1
    result.last_seq, result.last_hash = prev_seq, (prev_hash if prev_seq is not None else None)
    if head is not None and head[0] > 0:
        head_seq, head_hash = head
        last = prev_seq or 0
        if head_seq > last:
            return finish(
                result.fail(
                    "missing_tail",
                    f"the head pointer is at seq {head_seq} but the chain "
                    f"ends at seq {last}: the last records were deleted",
                    last + 1,
                ),
                started,
            )
        if head_seq == last and head_hash != prev_hash:
            return finish(
                result.fail(
                    "hash_rewritten",
                    "the head pointer remembers another hash for the last "
                    "record: it was rewritten with a recomputed hash",
                    last,
                ),
                started,
            )
    for seq in sorted(pending_cps):
        if any(first <= seq <= last for first, last in crossed):
            continue  # inside a purged hole: nothing left to compare with
        label = pending_cps[seq][0][1]
        return finish(
            result.fail(
                "missing_tail" if seq > (prev_seq or 0) else "gap",
                f"{label} refers to seq {seq}, which is missing",
                seq,
            ),
            started,
        )
    if ranges:
        first, last, _ = ranges[0]
        return finish(
            result.fail(
                "anchor_mismatch",
                f"a purge anchor covers seq {first}-{last} but those records are not a hole in the chain",
                first,
            ),
            started,
        )
    return finish(result, started)


def finish(result: Result, started: float) -> Result:
    """Every way out of a verification goes through here, so that ``seconds`` is always set."""
    result.seconds = time.monotonic() - started
    return result


# --- The database ------------------------------------------------------------------------------------------
def read_checkpoint_file(path: str | Path) -> list[tuple[int, str, str]]:
    """Checkpoints appended to the external file: one JSON object a line (seq, hash, created_at)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                item = json.loads(line)
                out.append((int(item["seq"]), item["hash"], f"checkpoint file line {number}"))
    return out


def _counted(rows: Iterable, every: int, progress: Callable[[int], None]) -> Iterator:
    """Pass rows through, telling ``progress`` how many went by every ``every`` rows: the verifier's loop
    stays as it is and the caller (a portal run) decides what to do with the count."""
    for count, row in enumerate(rows, 1):
        if count % every == 0:
            progress(count)
        yield row


def verify_database(
    *,
    chunk_size: int = CHUNK_SIZE,
    checkpoint_file: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Stream the whole archive (server-side cursor on PostgreSQL) and verify it against the head pointer,
    the purge anchors, the database checkpoints and, when given, the external checkpoint file.
    ``progress`` is called with the number of records read so far, once a chunk."""
    from compliance.archive.models import ArchiveCheckpoint, ArchiveHead, ArchivePurgedRange, ArchiveRecord

    checkpoints = [
        (s, h, f"checkpoint of {c:%Y-%m-%d %H:%M}")
        for s, h, c in ArchiveCheckpoint.objects.values_list("seq", "hash", "created_at")
    ]
    notes = []
    if checkpoint_file:
        if Path(checkpoint_file).exists():
            checkpoints += read_checkpoint_file(checkpoint_file)
        else:
            notes.append(f"checkpoint file {checkpoint_file} not found: not compared")
    head = ArchiveHead.objects.values_list("seq", "hash").first()
    limit = head[0] if head else None
    if limit is not None:
        checkpoints = [c for c in checkpoints if c[0] <= limit]
    purged = list(
        ArchivePurgedRange.objects.order_by("first_seq").values_list("first_seq", "last_seq", "last_hash")
    )
    records = ArchiveRecord.objects.order_by("seq")
    if limit is not None:
        records = records.filter(seq__lte=limit)  # appended while we read: next run's business
    fields = list(ROW_FIELDS)
    if connection.vendor == "postgresql":
        # Let PostgreSQL format the timestamp exactly as the canonical form spells it: parsing a datetime and
        # formatting it again in Python costs more than hashing the record.
        records = records.annotate(ts=RawSQL(PG_CANONICAL_TS, ()))  # noqa: S611 - a constant
        fields[1] = "ts"
    rows = records.values_list(*fields).iterator(chunk_size=chunk_size)
    if progress is not None:
        rows = _counted(rows, chunk_size, progress)
    result = verify_chain(rows, purged=purged, checkpoints=checkpoints, head=head)
    result.notes += notes
    return result
