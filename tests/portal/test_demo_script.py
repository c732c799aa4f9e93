"""``make demo`` (scripts/demo.sh) keeps serving when its worker dies: the worker is started again, the web
server and the sandbox are not stopped, and a stop still ends every process it started."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(port: int, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None


def _session_processes(sid: int) -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process in session ``sid`` (from /proc)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[3]) != sid:  # fields after the name: state, ppid, pgrp, session
                continue
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found[int(entry)] = (int(stat[1]), cmdline)
    return found


def _worker_pid(sid: int) -> int | None:
    """The Celery worker's main process (its pool processes are its children)."""
    procs = _session_processes(sid)
    for pid, (parent, cmdline) in procs.items():
        if "celery" in cmdline and " worker " in cmdline and "celery" not in procs.get(parent, (0, ""))[1]:
            return pid
    return None


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def test_the_demo_restarts_a_dead_worker_and_keeps_the_portal_and_sandbox_up(tmp_path):
    port, x_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(RELAIS_VAR_DIR=str(tmp_path), DEMO_PORT=str(port), DEMO_X_PORT=str(x_port))
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        ["bash", "scripts/demo.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: _status(port, "/accounts/login/") == 200, 180, "the portal")
        first = _wait_for(lambda: _worker_pid(demo.pid), 60, "the worker")

        os.kill(first, signal.SIGKILL)  # the worker fails

        second = _wait_for(lambda: (pid := _worker_pid(demo.pid)) not in (None, first) and pid, 30,
                           "a new worker")
        assert second != first
        assert demo.poll() is None
        assert _status(port, "/accounts/login/") == 200
        assert _status(x_port, "/") is not None  # the sandbox still answers
        assert "The Celery worker stopped (exit status 137)" in (tmp_path / "demo.log").read_text()
    finally:
        demo.send_signal(signal.SIGTERM)  # what Ctrl-C's cleanup does: the script stops what it started
        try:
            demo.wait(60)
            _wait_for(lambda: not _session_processes(demo.pid), 30, "every demo process to stop")
        finally:
            with contextlib.suppress(ProcessLookupError):  # the session we started, if anything is left over
                os.killpg(demo.pid, signal.SIGKILL)
            log.close()
