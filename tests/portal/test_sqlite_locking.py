"""The demo's SQLite file is written by the web server and the worker at once: a write waits for the lock
(the busy timeout) instead of failing with "database is locked".

The test database under pytest is in memory, with other locking rules; these tests run a separate process on
a real SQLite file in WAL mode, as the demo does, while a raw connection holds the write lock for a second.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.embedded import embedded_env

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import sqlite3, sys, threading, time
import django; django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
call_command("migrate", verbosity=0)
from advocacy.portal.models import WorkerHeartbeat
from advocacy.portal.tasks import record_worker_heartbeat

def while_another_process_writes(action):
    held = threading.Event()
    def other_writer():
        db = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        row = (f"other-{time.time()}", "2026-01-01 00:00:00")
        db.execute("INSERT INTO portal_workerheartbeat VALUES (?, ?)", row)
        held.set()
        time.sleep(1.0)
        db.execute("COMMIT")
    writer = threading.Thread(target=other_writer)
    writer.start()
    held.wait()
    started = time.monotonic()
    action()
    waited = time.monotonic() - started
    writer.join()
    return waited

first = while_another_process_writes(record_worker_heartbeat.apply)  # the first beat: an INSERT
beat = WorkerHeartbeat.objects.exclude(hostname__startswith="other-").get()
again = while_another_process_writes(record_worker_heartbeat.apply)  # then an UPDATE
assert WorkerHeartbeat.objects.get(pk=beat.pk).seen_at > beat.seen_at

def read_then_write():
    with transaction.atomic():
        beat = WorkerHeartbeat.objects.get(pk=beat_pk)
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(seen_at=beat.seen_at)

beat_pk = beat.pk
upsert = while_another_process_writes(read_then_write)
print(f"{first:.2f} {again:.2f} {upsert:.2f}")
"""


@pytest.fixture
def sqlite_file_env(tmp_path):
    return embedded_env(tmp_path, DEBUG="1", CELERY_TASK_ALWAYS_EAGER="1")


def test_the_heartbeat_and_read_then_write_transactions_wait_for_sqlites_lock_instead_of_failing(
    sqlite_file_env,
):
    command = [sys.executable, "-c", SCRIPT]
    out = subprocess.run(command, env=sqlite_file_env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]
    waits = [float(w) for w in out.stdout.split()]
    assert all(0.8 <= w < 10 for w in waits), waits  # each waited for the other writer's commit, then wrote
