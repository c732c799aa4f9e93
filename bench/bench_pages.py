"""Bank-scale bench of the archive search pages on PostgreSQL: p50/p95 and queries per page, at two archive
sizes (issue 13).

    .venv/bin/python bench/bench_pages.py [--sizes 1000000,5000000] [--requests 200] [--concurrency 4]
                                          [--workers 2] [--pg postgres://postgres@127.0.0.1:5432]

1. Drops and re-creates the database ``relais_pages_bench`` (nothing else is touched), migrates, creates a
   compliance officer (TOTP enrolled, as the portal requires) and 10,000 advisers' accounts.
2. Fills the archive to the first size with a valid chain: records built and hashed in Python with the
   archive's own canonical form (``compliance/archive/chain.py``), loaded in one ``COPY`` with the
   secondary indexes dropped and rebuilt afterwards (an index build is faster than millions of index
   inserts; the triggers refuse UPDATE/DELETE only, so nothing is disabled). One record every 6 s from
   now on (timestamps follow the sequence, as in production): 1,000,000 records span 69 days, 5,000,000
   span 347. Each record is by one of the 10,000 advisers
   (``actor_id``/e-mail/name) and about them, of a declared event type, with a payload text in which
   "immobilier" appears in 1 record in 1,000 and "zanzibar" in 200 records (all within the first size).
   ``manage.py verify_archive`` must then pass (it is run and its verdict printed).
3. Serves the portal with gunicorn (sync workers, DEBUG off) and requests each search form at the given
   concurrency with a threaded ``http.client`` loop (new connection per request, as gunicorn's sync workers
   close them), signed in as the officer: warm-up, then ``--requests`` requests per form; prints p50/p95 per
   form, and the number of SQL queries the page runs (Django's test client in this process).
4. Appends records up to the next size (the chain continues from the head) and measures again.

Forms: no filter; no filter, an older page (``?before=`` the middle of the archive); adviser e-mail; event
type (``share.published``); event-type prefix (``share.``); a date range (one day, 10 days after the
start); free text rare (``zanzibar``, 200 records) and common (``immobilier``, 0.1 % of records); network
post id.

What this bench does not (yet) cover: the manager homes, compliance connections, My shares and the other
lists of issue 13 (shares and clicks are not seeded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "relais_pages_bench"
ADVISERS = 10_000
STEP = dt.timedelta(seconds=6)
RARE_WORD_RECORDS = 200


def _env(pg: str) -> dict:
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DATABASE_URL": f"{pg}/{DB_NAME}",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "TOKEN_ENCRYPTION_KEYS": os.environ.get("TOKEN_ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "RELAIS_VAR_DIR": str(ROOT / "var" / "bench-pages"),
        "LANGUAGE_CODE": "en",
    }


def recreate_database(pg: str, env: dict) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def seed_people() -> tuple[object, list[tuple[int, str, str]]]:
    """The officer (through the product's own services, TOTP enrolled) and the advisers' accounts
    (``bulk_create``: the search resolves an adviser on ``auth_user``)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model

    from advocacy.org.models import Bank, Branch, Region
    from advocacy.org.privileges import bootstrap_grant
    from advocacy.org.services import StaffData, upsert_staff

    bank = Bank.objects.create(name="Banque Bench")
    region = Region.objects.create(bank=bank, code="R1", name="Région 1")
    branch = Branch.objects.create(region=region, code="B0001", name="Agence 1", city="Lyon")
    profile, _ = upsert_staff(
        data=StaffData(
            employee_id="C00001",
            email="compliance@bench.test",
            first_name="Chloé",
            last_name="Conformité",
            branch=branch,
            roles=frozenset(),
            language="en",
        )
    )
    bootstrap_grant(profile=profile, role="compliance", process="bench")
    TOTP.activate(profile.user, generate_totp_secret())
    User = get_user_model()
    User.objects.bulk_create(
        [
            User(
                username=f"adviser{i:05d}@bench.test",
                email=f"adviser{i:05d}@bench.test",
                first_name=f"Prénom{i}",
                last_name=f"Conseiller{i:05d}",
            )
            for i in range(ADVISERS)
        ],
        batch_size=2000,
    )
    people = list(
        User.objects.filter(email__startswith="adviser")
        .order_by("pk")
        .values_list("pk", "email", "last_name")
    )
    return profile.user, people


def fill(
    conn, people, start_seq: int, count: int, prev_hash: str, origin: dt.datetime, rare_until: int
) -> str:
    """Append records ``start_seq`` .. ``start_seq + count - 1`` by COPY; return the last hash. The rare
    word goes into 200 records up to ``rare_until`` (the first size), none after."""
    from compliance.archive import events
    from compliance.archive.chain import (
        canonical_json,
        canonical_record,
        payload_digest,
        record_hash,
        timestamp,
    )

    types = events.event_types()
    rare_every = max(1, rare_until // RARE_WORD_RECORDS)
    columns = (
        "seq, recorded_at, event_type, actor_id, actor_email, actor_name, subject_ref, subject_repr, "
        "subject_user_id, network_post_id, payload_json, payload_sha256, prev_hash, hash"
    )
    with conn.cursor() as cur, cur.copy(f"COPY archive_archiverecord ({columns}) FROM STDIN") as copy:
        for seq in range(start_seq, start_seq + count):
            when = origin + STEP * seq
            person_id, email, name = people[(seq * 7919) % len(people)]
            event = types[seq % len(types)]  # every declared type, evenly
            post = str(1_800_000_000 + seq) if event == "share.published" else ""
            words = "Publication du " + ("crédit immobilier" if seq % 1000 == 0 else "livret A")
            if seq <= rare_until and seq % rare_every == 3:
                words += " zanzibar"
            payload = canonical_json({"n": seq, "text": f"{words} #{seq}", "network_post_id": post or None})
            ref, rep = f"shares.share:{seq}", f"Share {seq}"
            canonical = canonical_record(
                seq, timestamp(when), event, person_id, email, name, ref, rep, person_id, post, payload
            )
            digest = record_hash(prev_hash, canonical)
            copy.write_row(
                (seq, when, event, person_id, email, name, ref, rep, person_id, post, payload,
                 payload_digest(payload), prev_hash, digest)
            )  # fmt: skip
            prev_hash = digest
    return prev_hash


def grow_archive(pg: str, people, target: int, origin: dt.datetime, rare_until: int) -> float:
    """Fill the archive up to ``target`` records (head included); indexes dropped and rebuilt around the
    COPY. Record ``seq`` is recorded at ``origin + seq * 6 s``: timestamps follow the sequence."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(f"{pg}/{DB_NAME}") as conn:
        seq, head_hash = conn.execute("SELECT seq, hash FROM archive_archivehead WHERE id = 1").fetchone()
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'archive_archiverecord' "
            "AND indexname NOT LIKE '%%pkey'"
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        last = fill(conn, people, seq + 1, target - seq, head_hash, origin, rare_until)
        conn.execute("UPDATE archive_archivehead SET seq = %s, hash = %s WHERE id = 1", (target, last))
        conn.commit()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            conn.execute(definition)
        conn.commit()
    with psycopg.connect(f"{pg}/{DB_NAME}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE archive_archiverecord")
    return time.monotonic() - started


def forms(people, total: int, origin: dt.datetime) -> dict[str, dict]:
    from compliance.archive import events

    day = (origin + dt.timedelta(days=10)).date().isoformat()
    types = events.event_types()
    post_seq = next(seq for seq in range(total // 3, total) if types[seq % len(types)] == "share.published")
    return {
        "no filter": {},
        "no filter, older page": {"before": str(total // 2)},
        "adviser e-mail": {"adviser": people[42][1].upper()},
        "event type": {"event_type": "share.published"},
        "event type prefix": {"event_type": "share."},
        "date range (1 day)": {"date_from": day, "date_to": day},
        "free text, rare (200)": {"text": "zanzibar"},
        "free text, 0.1 %": {"text": "immobilier"},
        "network post id": {"network_post_id": str(1_800_000_000 + post_seq)},
    }


def count_queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def serve(env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "advocacy.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--log-level", "warning", "--chdir", str(ROOT)],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("gunicorn did not start")


def load(port: int, path: str, cookie: str, requests: int, concurrency: int) -> list[float]:
    """``requests`` GETs of ``path`` from ``concurrency`` threads; latencies in ms (non-200 is fatal)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    remaining = [requests]

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            conn.close()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    errors.append(f"{response.status} {path}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        sys.exit(f"errors: {errors[:3]}")
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(args, env, officer, people, total, origin) -> dict[str, tuple[float, float, int]]:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    base = reverse("archive:search")
    proc, port = serve(env, args.workers)
    results = {}
    try:
        for name, params in forms(people, total, origin).items():
            path = f"{base}?{urllib.parse.urlencode(params)}" if params else base
            queries = count_queries(client, path)
            load(port, path, cookie, max(8, args.requests // 10), args.concurrency)  # warm-up
            latencies = load(port, path, cookie, args.requests, args.concurrency)
            results[name] = (statistics.median(latencies), percentile(latencies, 0.95), queries)
            print(f"  {name:<24} p50 {results[name][0]:6.1f} ms  p95 {results[name][1]:6.1f} ms  "
                  f"{queries} queries", flush=True)  # fmt: skip
    finally:
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return results


def verify(env) -> str:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", "verify_archive"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    verdict = (done.stdout.strip() or done.stderr.strip()).splitlines()[-1:]
    return f"exit {done.returncode} in {time.monotonic() - started:.0f}s: {' '.join(verdict)}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--sizes", default="1000000,5000000", help="archive sizes to measure, ascending")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per form")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--skip-verify", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    env = _env(args.pg)
    os.environ.update(env)
    recreate_database(args.pg, env)
    import django

    django.setup()
    officer, people = seed_people()
    # After the officer's own records (seq 1..n, recorded now): the timeline runs on from there.
    origin = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=1)
    all_results = {}
    for size in sizes:
        seconds = grow_archive(args.pg, people, size, origin, sizes[0])
        print(f"archive at {size:,} records (filled and indexed in {seconds:.0f}s)", flush=True)
        if not args.skip_verify:
            print(f"  verify_archive: {verify(env)}", flush=True)
        all_results[size] = measure(args, env, officer, people, size, origin)
    if len(sizes) > 1:
        small, large = all_results[sizes[0]], all_results[sizes[-1]]
        print(f"p95 at {sizes[-1]:,} / p95 at {sizes[0]:,}:")
        for name in small:
            print(f"  {name:<24} {large[name][1] / small[name][1]:.2f}x")


if __name__ == "__main__":
    main()
