"""Client import benchmark on PostgreSQL: a 100,000-row CRM export through the upload's worker task.

    .venv/bin/python bench/bench_client_import.py [--rows 100000] [--pg postgres://postgres@127.0.0.1:5432]
        [--db relais_bench_clients]

The file is what a French CRM exports: Windows-1252, ``;``, dd/mm/yyyy, consent as oui/non, handles as
``@name`` or ``https://x.com/name``, advisers' addresses in another case than Relais keeps them, and 1 % of
rows refused ("peut-être"). 1,000 advisers in 40 branches. It is imported twice through
``run_client_import`` (what the Celery task runs: parse, scope, chunks, consents archived, row errors
stored, progress written): first every client is new (60 % with a consent and a handle: one archive record
each), then the same file again (every row unchanged). Target: the first import within 60 s.

Uses (drops and re-creates) the database ``--db``; nothing else is touched. Prints the load average with the
figures: on a shared machine, read them with it.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(pg: str, db: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"{pg}/{db}",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "RELAIS_VAR_DIR": str(ROOT / "var" / "bench"),
        "LOG_LEVEL": "WARNING",
    }


def recreate_database(pg: str, db: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=_env(pg, db),
        check=True,
    )


def crm_file(rows: int, advisers: int) -> bytes:
    lines = ["client_ref;first_name;last_name;adviser_email;x_handle;consent;consent_date"]
    for n in range(rows):
        adviser = f"Conseiller.{n % advisers}@Banque.test"
        if n % 100 == 99:
            consent, handle, date = "peut-être", "", ""
        elif n % 10 < 6:
            consent, date = "oui", f"{1 + n % 28:02d}/{1 + n % 12:02d}/2026"
            handle = f"@client_{n}" if n % 2 else f"https://x.com/client_{n}"
        else:
            consent, handle, date = "non", "", ""
        lines.append(f"CRM{n:07d};Hélène{n};Dupré{n};{adviser};{handle};{consent};{date}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def seed(advisers: int):
    from django.contrib.auth import get_user_model

    from advocacy.org.models import Bank, Branch, Region, Role, StaffProfile, StaffRole

    bank = Bank.objects.create(name="Bench")
    region = Region.objects.create(bank=bank, code="R", name="Région")
    branches = Branch.objects.bulk_create(
        Branch(region=region, code=f"B{n:03d}", name=f"Agence {n}", city="Ville") for n in range(40)
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"conseiller{n}", email=f"conseiller.{n}@banque.test") for n in range(advisers)
    )
    profiles = StaffProfile.objects.bulk_create(
        StaffProfile(user=u, employee_id=f"E{n:06d}", branch=branches[n % 40]) for n, u in enumerate(users)
    )
    StaffRole.objects.bulk_create(StaffRole(profile=p, role=Role.ADVISER) for p in profiles)
    admin = User.objects.create(username="admin-bench", email="admin@banque.test")
    StaffRole.objects.create(
        profile=StaffProfile.objects.create(user=admin, employee_id="ADMIN"), role=Role.ADMIN
    )
    return admin


def backend_cpu() -> tuple[int, float] | None:
    """(pid, CPU seconds used so far) of this connection's PostgreSQL backend (user + system, from /proc: a
    server on this machine only), None when it cannot be read. The import is one connection whose statements
    run one after the other, so on an idle machine its wall time is about this plus the process's own CPU."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(label: str, data: bytes, rows: int, admin) -> None:
    from advocacy.clients.models import ClientImport
    from advocacy.clients.uploads import run_client_import

    client_import = ClientImport.objects.create(
        uploaded_by=admin, original_filename="bench.csv", content=data, size_bytes=len(data)
    )
    load_before = os.getloadavg()
    backend_before = backend_cpu()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    run_client_import(import_id=client_import.pk)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    backend_after = backend_cpu()
    cpu = cpu_after.ru_utime - cpu_before.ru_utime + cpu_after.ru_stime - cpu_before.ru_stime
    backend = ""
    if backend_before and backend_after and backend_before[0] == backend_after[0]:  # the same connection
        backend = f", its PostgreSQL backend {backend_after[1] - backend_before[1]:.1f} s"
    load_after = os.getloadavg()
    client_import.refresh_from_db()
    print(
        f"{label}: {rows:,} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s "
        f"(status {client_import.status}, created {client_import.created_count:,}, updated "
        f"{client_import.updated_count:,}, unchanged {client_import.unchanged_count:,}, rows with errors "
        f"{client_import.error_count:,}); load average before {load_before[0]:.2f} {load_before[1]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} (1 and 5 min, {os.cpu_count()} CPUs); "
        f"this process used {cpu:.1f} s of CPU{backend} (the rest is waiting: for a CPU, for the disk)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--advisers", type=int, default=1000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="relais_bench_clients")
    args = parser.parse_args()
    recreate_database(args.pg, args.db)
    os.environ.update(_env(args.pg, args.db))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.conf import settings
    from django.db import connection

    # As in a worker: DEBUG's cursor wrapper formats every statement's SQL for connection.queries, which
    # for bulk inserts of 1,000 rows costs more than running them.
    settings.DEBUG = False

    from advocacy.clients.models import Client
    from compliance.archive.models import ArchiveRecord

    assert connection.vendor == "postgresql", "this benchmark is for PostgreSQL"
    admin = seed(args.advisers)
    data = crm_file(args.rows, args.advisers)
    print(
        f"file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB (Windows-1252, ';'), {args.advisers:,} advisers"
    )
    timed("first import (all new)", data, args.rows, admin)
    timed("same file again (all unchanged)", data, args.rows, admin)
    consents = ArchiveRecord.objects.filter(event_type="client.consent_recorded").count()
    print(f"clients: {Client.objects.count():,}; consents archived: {consents:,}")


if __name__ == "__main__":
    main()
