"""Time the staff roster import: 50,000 new rows, then the same file again (all unchanged), on SQLite.

    .venv/bin/python bench/bench_roster.py [ROWS]

Runs against a throw-away database in a temporary directory; prints rows per second and the process's
peak memory (which includes Django and the file itself).
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="relais-bench-roster-")
os.environ["RELAIS_VAR_DIR"] = WORKDIR
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

import django  # noqa: E402

django.setup()
logging.disable(logging.INFO)  # one archive log line per row would dominate the timing

from django.core.management import call_command  # noqa: E402

from advocacy.accounts.roster import MAX_FILE_BYTES  # noqa: E402
from advocacy.accounts.roster_import import import_staff_roster  # noqa: E402
from advocacy.org.models import Bank, Branch, Region  # noqa: E402


def roster(rows: int) -> bytes:
    lines = ["matricule;courriel;prénom;nom;agence;rôles;langue"]
    roles = ["Conseiller", "Conseiller|Directeur d'agence", "RH", "Conformité"]
    for n in range(rows):
        branch = f"B{n % 40:03d}" if n % 10 else ""
        language = "fr" if n % 3 else "en"
        lines.append(f"M{n:07d};staff{n}@bank.test;Prénom{n};Nom{n};{branch};{roles[n % 4]};{language}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def timed(label: str, data: bytes, rows: int) -> None:
    started = time.perf_counter()
    outcome = import_staff_roster(data=data, filename="bench.csv")
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label}: {rows} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s "
        f"(created {outcome.created}, updated {outcome.updated}, unchanged {outcome.unchanged}, "
        f"errors {outcome.rejected}); peak process memory {peak_mb:.0f} MB"
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    call_command("migrate", verbosity=0)
    bank = Bank.objects.create(name="Bench")
    region = Region.objects.create(bank=bank, code="R", name="Region")
    Branch.objects.bulk_create(
        Branch(region=region, code=f"B{n:03d}", name=f"Branch {n}", city="City") for n in range(40)
    )
    data = roster(rows)
    limit = "within" if len(data) <= MAX_FILE_BYTES else "over"
    print(f"file: {len(data) / 1e6:.1f} MB ({limit} the upload limit)")
    timed("first import", data, rows)
    timed("same file again", data, rows)


if __name__ == "__main__":
    main()
