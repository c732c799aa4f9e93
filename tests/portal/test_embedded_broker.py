"""The demo's filesystem broker: a message file that does not decode is moved aside and logged, and the
worker goes on with the next message (kombu's own channel raised out of the worker, which then exited)."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue

from advocacy import broker
from tests.embedded import embedded_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folders(tmp_path):
    names = ("broker", "broker-processed", "broker-control")
    for name in names:
        (tmp_path / name).mkdir()
    return tmp_path


def _connection(folders: Path) -> Connection:
    return Connection(
        "filesystem://",
        transport="advocacy.broker:Transport",
        transport_options={
            "data_folder_in": str(folders / "broker"),
            "data_folder_out": str(folders / "broker"),
            "processed_folder": str(folders / "broker-processed"),
            "control_folder": str(folders / "broker-control"),
            "store_processed": False,
        },
    )


@pytest.fixture
def queue():
    """A queue of its own per test: kombu keeps what was declared in process-wide state, across folders."""
    name = f"q{uuid.uuid4().hex}"
    return Queue(name, Exchange(name, type="direct"), routing_key=name)


def test_an_undecodable_message_is_moved_aside_and_the_next_one_is_delivered(folders, queue, caplog):
    corrupt = f"0000_corrupt.{queue.name}.msg"
    (folders / "broker" / corrupt).write_bytes(b'{"body": "trunc\xff')
    with _connection(folders) as conn:
        conn.Producer().publish({"hello": "world"}, exchange=queue.exchange, routing_key=queue.routing_key,
                                declare=[queue], serializer="json")
        with caplog.at_level(logging.ERROR, logger="advocacy.broker"):
            message = conn.SimpleQueue(queue).get(timeout=5)
        assert message.payload == {"hello": "world"}
        message.ack()
    assert (folders / "broker-failed" / corrupt).read_bytes() == b'{"body": "trunc\xff'
    assert not list((folders / "broker").iterdir())
    assert "could not be decoded" in caplog.text and "broker-failed" in caplog.text


def test_a_message_still_being_written_is_waited_for_not_set_aside(folders, queue, monkeypatch):
    """A producer creates the file, then locks and writes it: a consumer may claim it while it is empty."""
    monkeypatch.setattr(broker, "REREAD_AFTER_SECONDS", 0.3)
    with _connection(folders) as conn:
        conn.Producer().publish({"first": 1}, exchange=queue.exchange, routing_key=queue.routing_key,
                                declare=[queue], serializer="json")
        good = next((folders / "broker").iterdir())
        payload = good.read_bytes()
        slow = folders / "broker" / f"0000_slow.{queue.name}.msg"
        producer_file = open(slow, "wb", buffering=0)  # noqa: SIM115 - created, not written yet

        def finish_writing():  # through the descriptor it holds, wherever the consumer moved the file
            time.sleep(0.15)
            producer_file.write(payload)
            producer_file.close()

        writer = threading.Thread(target=finish_writing)
        writer.start()
        consumer = conn.SimpleQueue(queue)
        first, second = consumer.get(timeout=5), consumer.get(timeout=5)
        writer.join()
        assert first.payload == second.payload == {"first": 1}
    assert not (folders / "broker-failed").exists()


def test_a_real_worker_keeps_consuming_after_an_undecodable_message(tmp_path):
    env = embedded_env(tmp_path, DEBUG="1", CELERY_TASK_ALWAYS_EAGER="0")
    enqueue = (
        "import django; django.setup()\n"
        "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
        "import advocacy.celery\n"
        "from advocacy.portal.tasks import record_worker_heartbeat\n"
        "record_worker_heartbeat.delay()\n"
    )
    (tmp_path / "broker").mkdir()
    (tmp_path / "broker" / "0000_corrupt.default.msg").write_bytes(b"not a message")
    out = subprocess.run([sys.executable, "-c", enqueue], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    celery = str(Path(sys.executable).with_name("celery"))
    worker = subprocess.Popen(
        [celery, "-A", "advocacy", "worker", "-Q", "default", "--pool", "solo", "--loglevel", "WARNING"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        beats = 0
        while time.monotonic() < deadline and not beats:
            assert worker.poll() is None, worker.stdout.read()[-3000:]
            time.sleep(0.3)
            with sqlite3.connect(tmp_path / "relais.sqlite3") as db:
                beats = db.execute("SELECT COUNT(*) FROM portal_workerheartbeat").fetchone()[0]
        assert beats == 1  # the good message after the corrupt one was run
        assert worker.poll() is None  # and the worker is still there
        assert (tmp_path / "broker-failed" / "0000_corrupt.default.msg").read_bytes() == b"not a message"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            output = worker.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            output = worker.communicate()[0]
    assert "could not be decoded" in output
