"""Archive benchmark on PostgreSQL: concurrent appends, then verification of a large chain.

    .venv/bin/python bench/bench_archive.py [--appends 8000] [--records 1000000] [--skip-verify] [--pg postgres://...]

1. Appends: first reference figures for this machine's durable commits (psycopg only: a bare INSERT per
   transaction with 1 and 4 processes, and 4 processes serialised on one row locked until commit, which is
   the ceiling of any append that keeps its lock until the caller commits); then 4 writer *processes*
   append at once: ``record`` with one record per transaction (what a web request or a task does),
   ``record`` outside any transaction (autocommit), 50 ``record`` calls in one transaction, and
   ``record_many`` with 50 events per transaction. The chain is verified after each phase (one chain, no
   gap, every record counted).
2. Verification: a fresh database is filled with a valid chain by COPY (hashes computed in Python with the
   archive's own canonical form; the triggers refuse UPDATE/DELETE only, so nothing is disabled), then
   ``verify_database`` runs in a separate process that reports its wall time and peak RSS, at 100,000 records
   and again at the full size, to show that memory stays flat.

Uses (drops and re-creates) the database ``relais_bench``; nothing else is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "relais_bench"
WRITERS = 4


def _env(pg: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"{pg}/{DB_NAME}",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "RELAIS_VAR_DIR": str(ROOT / "var" / "bench"),
        "LOG_LEVEL": "WARNING",
    }


def _setup(pg: str) -> None:
    os.environ.update(_env(pg))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from compliance.archive.events import allow_freeform_prefix

    allow_freeform_prefix("bench.")  # the bench's own event type, outside the product's declared ones


def recreate_database(pg: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=_env(pg), check=True
    )


# --- 1. Concurrent appends ---------------------------------------------------------------------------------
PAYLOAD_TEXT = "Taux fixe 3,2 % sur 20 ans #PUB"
PROBE_TABLE = "bench_commit_probe"


def _probe(args) -> float:
    """Reference transactions without Django or the archive, the same shape of commit:

    * ``probe-free``: one small INSERT per transaction, no shared lock (what the disk allows: with several
      processes, group commit flushes several transactions at once);
    * ``probe-locked``: BEGIN, then ONE statement that locks a shared row, inserts a row and updates the
      shared row, then COMMIT: the ceiling of any append that holds one lock until its caller's durable
      commit (the lock is held for the statement, the round trip back to the client and the COMMIT);
    * ``probe-locked-auto``: the same statement in autocommit (the lock is held for the statement and its
      commit only)."""
    import psycopg

    locked = args.mode.startswith("probe-locked")
    statement = (
        f"WITH head AS (SELECT n FROM {PROBE_TABLE}_head WHERE id = 1 FOR UPDATE), "  # noqa: S608
        f"ins AS (INSERT INTO {PROBE_TABLE} (writer, i) SELECT %s, n FROM head) "
        f"UPDATE {PROBE_TABLE}_head SET n = n + 1 WHERE id = 1"
        if locked
        else f"INSERT INTO {PROBE_TABLE} (writer, i) VALUES (%s, 0)"  # noqa: S608
    )
    with psycopg.connect(f"{args.pg}/{DB_NAME}", autocommit=args.mode == "probe-locked-auto") as conn:
        time.sleep(max(0.0, args.start - time.time()))
        began = time.time()
        for _ in range(args.count):
            if conn.autocommit:
                conn.execute(statement, (args.writer,))
            else:
                with conn.transaction():
                    conn.execute(statement, (args.writer,))
        return began


def writer(args) -> None:
    if args.mode.startswith("probe"):
        began = _probe(args)
        print(json.dumps({"writer": args.writer, "began": began, "ended": time.time(), "count": args.count}))
        return
    _setup(args.pg)
    from django.db import connection, transaction

    from compliance.archive.services import Event, record, record_many

    connection.ensure_connection()
    time.sleep(max(0.0, args.start - time.time()))
    began = time.time()
    done = 0
    while done < args.count:
        size = min(args.batch, args.count - done)
        if args.mode == "autocommit":  # no surrounding transaction: the append commits on its own
            record("bench.append", actor=f"writer {args.writer}", payload={"writer": args.writer, "i": done})
            done += 1
            continue
        with transaction.atomic():
            if args.mode == "many":
                record_many(
                    [
                        Event(
                            "bench.append",
                            actor=f"writer {args.writer}",
                            payload={"writer": args.writer, "i": done + k, "text": PAYLOAD_TEXT},
                        )
                        for k in range(size)
                    ]
                )
                done += size
                continue
            for _ in range(size):
                record(
                    "bench.append",
                    actor=f"writer {args.writer}",
                    payload={"writer": args.writer, "i": done, "text": PAYLOAD_TEXT},
                )
                done += 1
    print(json.dumps({"writer": args.writer, "began": began, "ended": time.time(), "count": done}))


def run_writers(pg: str, per_writer: int, batch: int, mode: str = "record", writers: int = WRITERS) -> float:
    start = time.time() + 2.0
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--pg",
                pg,
                "--writer",
                str(w),
                "--count",
                str(per_writer),
                "--batch",
                str(batch),
                "--mode",
                mode,
                "--start",
                str(start),
            ],
            cwd=ROOT,
            env=_env(pg),
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    reports = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit("a writer failed")
    began = min(r["began"] for r in reports)
    ended = max(r["ended"] for r in reports)
    return sum(r["count"] for r in reports) / (ended - began)


def verify_in_child(pg: str) -> dict:
    code = (
        "import json, resource, time, django; django.setup();"
        "from compliance.archive.verify import verify_database;"
        "t = time.monotonic(); r = verify_database(); s = time.monotonic() - t;"
        "print(json.dumps({'ok': r.ok, 'checked': r.checked, 'seconds': s, 'problem': str(r.problem),"
        "'maxrss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(pg), check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def bench_appends(pg: str, total: int) -> None:
    import psycopg

    recreate_database(pg)
    per_writer = total // WRITERS
    with psycopg.connect(f"{pg}/{DB_NAME}", autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {PROBE_TABLE} (id bigserial PRIMARY KEY, writer int, i int)")
        conn.execute(f"CREATE TABLE {PROBE_TABLE}_head (id int PRIMARY KEY, n bigint)")
        conn.execute(f"INSERT INTO {PROBE_TABLE}_head VALUES (1, 0)")  # noqa: S608 - a constant
    free_1 = run_writers(pg, per_writer, 1, "probe-free", writers=1)
    free = run_writers(pg, per_writer, 1, "probe-free")
    locked = run_writers(pg, per_writer, 1, "probe-locked")
    locked_auto = run_writers(pg, per_writer, 1, "probe-locked-auto")
    print(
        f"reference, this machine now (psycopg, no Django): one-INSERT durable transactions {free_1:,.0f}/s "
        f"with 1 process, {free:,.0f}/s with {WRITERS}; serialised on one row locked until commit, "
        f"{WRITERS} processes: {locked:,.0f}/s in BEGIN/statement/COMMIT, {locked_auto:,.0f}/s in autocommit "
        "(the ceilings of any append that keeps its lock until the durable commit)"
    )
    expected = 0
    phases = [
        ("record(), 1 record per transaction", 1, "record"),
        ("record() outside a transaction (autocommit)", 1, "autocommit"),
        ("record() x 50 in one transaction", 50, "record"),
        ("record_many(50 events) per transaction", 50, "many"),
    ]
    for label, batch, mode in phases:
        rate = run_writers(pg, per_writer, batch, mode)
        expected += per_writer * WRITERS
        check = verify_in_child(pg)
        print(
            f"appends, {label}, {WRITERS} processes: {rate:,.0f}/s "
            f"({per_writer * WRITERS:,} records; chain ok={check['ok']}, {check['checked']:,} checked)"
        )
        if not check["ok"] or check["checked"] != expected:
            raise SystemExit(f"chain broken after concurrent appends: {check}")


# --- 2. Verification of a large chain ----------------------------------------------------------------------
def fill(pg: str, first_seq: int, count: int, prev_hash: str) -> str:
    """Append ``count`` valid records by COPY after ``prev_hash``; return the last hash."""
    import psycopg

    sys.path.insert(0, str(ROOT))
    from compliance.archive.chain import (
        canonical_json,
        canonical_record,
        payload_digest,
        record_hash,
        timestamp,
    )

    columns = (
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
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with psycopg.connect(f"{pg}/{DB_NAME}") as conn, conn.cursor() as cur:
        with cur.copy(f"COPY archive_archiverecord ({', '.join(columns)}) FROM STDIN") as copy:
            for seq in range(first_seq, first_seq + count):
                when = base + dt.timedelta(milliseconds=seq)
                adviser = seq % 500
                post = str(1_800_000_000 + seq) if seq % 3 == 0 else ""
                payload = canonical_json(
                    {
                        "version_id": seq // 7,
                        "text": f"Publication {seq}: taux fixe 3,2 % #PUB",
                        "fingerprint": f"{seq:064x}",
                        **({"network_post_id": post} if post else {}),
                    }
                )
                event = "share.published" if post else "content.version_created"
                email, name = f"adviser{adviser}@bank.test", f"Adviser {adviser}"
                ref, rep = f"shares.share:{seq}", f"Share {seq}"
                canonical = canonical_record(
                    seq, timestamp(when), event, adviser, email, name, ref, rep, adviser, post, payload
                )
                digest = record_hash(prev_hash, canonical)
                copy.write_row(
                    (
                        seq,
                        when,
                        event,
                        adviser,
                        email,
                        name,
                        ref,
                        rep,
                        adviser,
                        post,
                        payload,
                        payload_digest(payload),
                        prev_hash,
                        digest,
                    )
                )
                prev_hash = digest
        cur.execute(
            "INSERT INTO archive_archivehead (id, seq, hash) VALUES (1, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
            (first_seq + count - 1, prev_hash),
        )
        conn.commit()
        cur.execute("ANALYZE archive_archiverecord")
    return prev_hash


def bench_verify(pg: str, total: int) -> None:
    recreate_database(pg)
    from compliance.archive.models import GENESIS_HASH

    first_part = min(100_000, total)
    t = time.monotonic()
    last = fill(pg, 1, first_part, GENESIS_HASH)
    small = verify_in_child(pg)
    if total > first_part:
        fill(pg, first_part + 1, total - first_part, last)
    filled = time.monotonic() - t
    large = verify_in_child(pg)
    started = time.monotonic()
    command = subprocess.run(
        [sys.executable, "manage.py", "verify_archive"],
        cwd=ROOT,
        env=_env(pg),
        capture_output=True,
        text=True,
    )
    command_seconds = time.monotonic() - started
    print(f"generated {total:,} chained records by COPY in {filled:.1f}s")
    print(
        f"verify_database on {small['checked']:,} records: {small['seconds']:.1f}s, peak RSS "
        f"{small['maxrss_mb']:.0f} MB, ok={small['ok']}"
    )
    print(
        f"verify_database on {large['checked']:,} records: {large['seconds']:.1f}s "
        f"({large['checked'] / large['seconds']:,.0f} records/s), peak RSS {large['maxrss_mb']:.0f} MB, "
        f"ok={large['ok']}"
    )
    print(
        f"manage.py verify_archive (start to exit): {command_seconds:.1f}s, exit {command.returncode}: "
        f"{command.stdout.strip() or command.stderr.strip()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--appends", type=int, default=8000, help="records per append phase (all writers)")
    parser.add_argument("--records", type=int, default=1_000_000, help="chain length for the verification")
    parser.add_argument("--writer", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--start", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="record", help=argparse.SUPPRESS)
    parser.add_argument("--skip-verify", action="store_true", help="only the append phases")
    parser.add_argument("--keep", action="store_true", help="keep the relais_bench database afterwards")
    args = parser.parse_args()
    if args.writer is not None:
        writer(args)
        return
    _setup(args.pg)
    try:
        bench_appends(args.pg, args.appends)
        if not args.skip_verify:
            bench_verify(args.pg, args.records)
    finally:
        if not args.keep:
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
