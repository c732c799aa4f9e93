"""Several processes append at once (web processes and Celery workers in production), with ``record`` in and
out of transactions and ``record_many`` batches: one chain, no gaps, no rolled-back record."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from compliance.archive.models import ArchiveRecord
from compliance.archive.verify import verify_database

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import os, sys, time
import django
django.setup()
from django.db import transaction
from compliance.archive.events import allow_freeform_prefix
from compliance.archive.services import Event, record, record_many
allow_freeform_prefix("test.")  # this writer's own event type (tests/conftest.py is not loaded here)
writer, count, start_at = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
time.sleep(max(0.0, start_at - time.time()))
for i in range(count):
    if i % 10 == 9:
        try:
            with transaction.atomic():
                record("test.concurrent", payload={"writer": writer, "i": i, "rolled_back": True})
                record_many([Event("test.concurrent", payload={"writer": writer, "i": i, "rolled_back": 2})])
                raise RuntimeError
        except RuntimeError:
            pass
    if i % 4 == 0:  # a batch: two consecutive records in one lock
        with transaction.atomic():
            pair = [Event("test.concurrent", payload={"writer": writer, "i": i, "k": k}) for k in [1, 2]]
            record_many(pair)
    elif i % 4 == 1:  # in a transaction (the caller's commit releases the lock)
        with transaction.atomic():
            record("test.concurrent", payload={"writer": writer, "i": i})
    else:  # autocommit: the one statement commits on its own
        record("test.concurrent", payload={"writer": writer, "i": i})
"""


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_four_processes_appending_at_once_leave_one_gap_free_chain(postgresql):
    import time

    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
    }
    start_at = time.time() + 2
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(w), "60", str(start_at)], cwd=ROOT, env=env)
        for w in range(4)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    total = 4 * (60 + 15)  # 60 iterations a writer, 15 of them a batch of two
    seqs = list(ArchiveRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    assert not ArchiveRecord.objects.filter(payload_json__contains="rolled_back").exists()
    writers_seen = set(ArchiveRecord.objects.values_list("payload_json", flat=True))
    assert len(writers_seen) == total
    # each batch is contiguous in the chain
    rows = list(ArchiveRecord.objects.order_by("seq").values_list("seq", "payload_json"))
    for seq, payload in rows:
        if '"k":1' in payload:
            assert rows[seq][1] == payload.replace('"k":1', '"k":2')
    result = verify_database()
    assert result.ok and result.checked == total
