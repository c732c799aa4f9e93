"""A recall stops a tracked link in every web process at once, on the embedded default (SQLite, no Redis).

Two real web servers (gunicorn, one process each) share one SQLite file and nothing else: no Redis, no
worker. Both answer a live link (each now remembers it); compliance recalls the item through the real
workflow in a third process; both answer the dead-link page on the very next request. Before the database
cache, each process kept its own local-memory cache and went on redirecting until its entry expired.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.embedded import embedded_env as _embedded_env

ROOT = Path(__file__).resolve().parents[2]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

SEED = r"""
import secrets
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from advocacy.org.models import Bank, Region, Branch, Role, StaffRole
from advocacy.org.services import StaffData, upsert_staff
from advocacy.content.models import ContentItem, ContentVersion, ApprovedText
from advocacy.texts import compose, fingerprint
from advocacy.shares.models import Share
bank = Bank.objects.create(name="Banque Test")
branch = Branch.objects.create(region=Region.objects.create(bank=bank, code="N", name="Nord"), code="LIL01",
                               name="Lille Centre", city="Lille")
def staff(n):
    return upsert_staff(data=StaffData(employee_id=f"T{n}", email=f"person{n}@bank.test", first_name="A",
                                       last_name=f"P{n}", branch=branch, roles=frozenset({Role.ADVISER}),
                                       language="en"))[0]
adviser, officer = staff(1).user, staff(2)
StaffRole.objects.create(profile=officer, role=Role.COMPLIANCE)  # test data (grants have their own flow)
officer = officer.user
item = ContentItem.objects.create(title="Livret", category="corporate", origin="library", author=officer,
                                  status="approved")
version = ContentVersion.objects.create(item=item, number=1, text="Notre livret", created_by=officer,
                                        status="approved", link_url="https://www.banque-test.fr/livret")
item.current_version = version
item.save(update_fields=["current_version"])
text = compose(version.text, link_url=version.link_url)
approved = ApprovedText.objects.create(version=version, text=text, fingerprint=fingerprint(text))
share = Share.objects.create(
    adviser=adviser, item=item, version=version, approved_text=approved, text=text,
    fingerprint=approved.fingerprint, scheduled_for=timezone.now(), status="published",
    link_code=secrets.token_urlsafe(9), network_post_id="1", published_at=timezone.now(),
)
print(item.pk, officer.pk, share.link_code)
"""

RECALL = r"""
import sys
import django; django.setup()
from django.contrib.auth import get_user_model
from advocacy.content.models import ContentItem
from compliance.review.recall import recall_content
item_id, officer_id = int(sys.argv[1]), int(sys.argv[2])
officer = get_user_model().objects.get(pk=officer_id)
recall_content(item=ContentItem.objects.get(pk=item_id), actor=officer, reason="Rate changed")
"""


@pytest.fixture
def embedded_env(tmp_path):
    return _embedded_env(
        tmp_path,
        DEBUG="0",
        SECRET_KEY="test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SECURE_COOKIES="0",
        STATIC_MANIFEST="0",
        LANGUAGE_CODE="en",
        TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        CELERY_TASK_ALWAYS_EAGER="0",  # the recall's task goes to the filesystem broker; no worker runs it
    )


def _python(env: dict, script: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def web_process(embedded_env):
    started: list[subprocess.Popen] = []

    def start() -> int:
        port = _free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        proc = subprocess.Popen(
            [gunicorn, "advocacy.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--log-level", "warning", "--chdir", str(ROOT)],
            env=embedded_env,
            cwd=ROOT,
            start_new_session=True,
        )
        started.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return port
            except OSError:
                assert proc.poll() is None, "gunicorn exited"
                time.sleep(0.1)
        pytest.fail("gunicorn did not start")

    yield start
    for proc in started:
        os.killpg(proc.pid, signal.SIGTERM)  # the session we started: gunicorn's master and its worker
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"User-Agent": BROWSER})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_a_recall_stops_a_link_in_every_web_process_at_once(embedded_env, web_process):
    item_id, officer_id, code = _python(embedded_env, SEED).split()
    ports = [web_process(), web_process()]
    for port in ports:
        for _ in range(3):  # each process has looked the link up and remembers it
            assert _get(port, f"/l/{code}")[0] == 302

    _python(embedded_env, RECALL, item_id, officer_id)

    for port in ports:
        status, body = _get(port, f"/l/{code}")
        assert status == 404
        assert "no longer available" in body
