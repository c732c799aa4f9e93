"""A polling worker killed in the middle of ingesting (rows inserted, archive append not yet committed)
leaves nothing behind, and the next round by another worker stores and archives each mention exactly once.

Real processes throughout: a `celery worker` subprocess consuming the `polling` queue from Redis, on the
test's PostgreSQL database, reading mentions through tweepy from the X sandbox. To stop the worker at a
known point, the test holds the archive's chain head locked from another connection: the worker's
ingestion transaction has inserted its interactions and waits for the head; the worker is then killed
with SIGKILL, as an out-of-memory kill or a lost machine would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection

from advocacy.celery import app
from advocacy.relationships.models import Interaction
from advocacy.relationships.tasks import poll_inbound
from advocacy.xsandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from compliance.archive.models import ArchiveHead, ArchiveRecord
from compliance.archive.verify import verify_database

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _dsn() -> str:
    db = connection.settings_dict
    return f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"


def _worker_env(sandbox, tmp_path) -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        X_API_BASE_URL=sandbox.url,
        X_CLIENT_ID=DEFAULT_CLIENT_ID,
        X_CLIENT_SECRET=DEFAULT_CLIENT_SECRET,
        X_TIMEOUT_SECONDS="5",
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="1",  # the test process derives the token key from SECRET_KEY; so does the worker, in DEBUG
        TOKEN_ENCRYPTION_KEYS=",".join(settings.TOKEN_ENCRYPTION_KEYS),
        CELERY_TASK_ALWAYS_EAGER="0",
        RELAIS_VAR_DIR=str(tmp_path),
    )
    return env


def _start_worker(env: dict[str, str], name: str) -> subprocess.Popen:
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen(
        [
            celery,
            "-A",
            "advocacy",
            "worker",
            "--pool",
            "solo",
            "-Q",
            "polling",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(predicate, what: str, timeout: float = 60.0, worker: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker is not None and worker.poll() is not None:
            pytest.fail(
                f"the worker exited while waiting for {what}: {worker.stderr.read().decode()[-2000:]}"
            )
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def _backends(watcher: psycopg.Connection, condition: str) -> int:
    return watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "  # noqa: S608 - test's own SQL
        f"AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND {condition}"
    ).fetchone()[0]


def _inbound() -> int:
    return ArchiveRecord.objects.filter(event_type="inbound.received").count()


def test_a_worker_killed_mid_ingestion_leaves_nothing_and_the_next_round_stores_each_mention_once(
    sandbox, adviser, connect, tmp_path
):
    connect(adviser, "camille_x")
    for n in range(3):
        sandbox.state.add_user(f"client_{n}")
        requests.post(
            f"{sandbox.url}/_sandbox/mention",
            json={"from": f"client_{n}", "to": "camille_x", "text": f"@camille_x question {n}"},
            timeout=5,
        ).raise_for_status()
    assert ArchiveHead.objects.exists()  # the staff set-up archived events: the chain's head row is there
    env = _worker_env(sandbox, tmp_path)
    app.conf.task_always_eager = False
    watcher = psycopg.connect(_dsn(), autocommit=True)
    holder = psycopg.connect(_dsn())
    try:
        holder.execute(f"SELECT 1 FROM {ArchiveHead._meta.db_table} FOR UPDATE")  # noqa: S608 - appends wait
        first = _start_worker(env, "first")
        poll_inbound.delay()
        # The worker read the mentions, inserted the interactions and now waits for the archive's head.
        _wait(lambda: _backends(watcher, "wait_event_type = 'Lock'") == 1, "the worker to wait", worker=first)
        assert _backends(watcher, "state = 'active' AND query ILIKE '%archive%'") == 1
        _stop(first)
        holder.rollback()  # the head is free; the dead worker's transaction can only roll back
        _wait(lambda: _backends(watcher, "state <> 'idle'") == 0, "the killed worker's transaction to end")
        assert Interaction.objects.count() == 0  # nothing half-stored...
        assert _inbound() == 0  # ...and nothing archived

        second = _start_worker(env, "second")
        try:
            poll_inbound.delay()
            _wait(lambda: _inbound() == 3, "the next round to archive the mentions", worker=second)
            poll_inbound.delay()  # a round more, as beat (or Redis redelivering the lost task) would run
            _wait(
                lambda: _backends(watcher, "state <> 'idle'") == 0 and sandbox_read_twice(sandbox),
                "the round after to finish",
                worker=second,
            )
        finally:
            _stop(second)
    finally:
        app.conf.task_always_eager = True
        holder.close()
        watcher.close()

    stored = Interaction.objects.filter(adviser=adviser)
    assert sorted(stored.values_list("text", flat=True)) == [f"@camille_x question {n}" for n in range(3)]
    assert _inbound() == 3
    assert sorted(
        r.payload["author_username"] for r in ArchiveRecord.objects.filter(event_type="inbound.received")
    ) == ["client_0", "client_1", "client_2"]
    assert verify_database().ok


def sandbox_read_twice(sandbox) -> bool:
    """True once the sandbox has answered three mentions reads: the killed round's, the round that stored
    them, and the round after (which asked only for mentions newer than those: since_id moved on)."""
    endpoints = requests.get(f"{sandbox.url}/_sandbox/usage", timeout=5).json()["endpoints"]
    return sum(row["calls"] for endpoint, row in endpoints.items() if "mentions" in endpoint) >= 3
