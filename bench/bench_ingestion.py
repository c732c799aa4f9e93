"""Inbound capture at bank scale on PostgreSQL (issue 14, item 11): X's signed webhook deliveries taken in
by the portal, then ingested — matched to consented clients and archived — by Celery workers.

    .venv/bin/python bench/bench_ingestion.py [--advisers 1000] [--clients 20] [--events 50000]
                                              [--workers 2] [--intake-seconds 10] [--concurrency 8]

1. Drops and re-creates the database ``relais_ingest_bench`` (``BENCH_DB``), migrates, and seeds
   ``--advisers`` advisers with a connected X account each and ``--clients`` consented, resolved clients
   per adviser (``bulk_create``).
2. Generates ``--events`` X Activity API deliveries in the format X (and the sandbox) sends — one event
   per POST, as X does: 40 % mentions, 20 % replies, 20 % likes, 10 % follows, 10 % reposts, 30 % of them
   by one of the adviser's clients — each signed with the app's consumer secret.
3. **Intake**: the portal under gunicorn (``--workers`` sync workers, DEBUG off), ``wrk`` posting the
   signed deliveries at ``--concurrency`` for ``--intake-seconds``: deliveries/s answered 200 (each one
   committed to the inbox), p50/p95. No Celery worker runs meanwhile.
4. **Ingestion**: the rest of the deliveries are put in the inbox as the webhook would, then
   ``--workers`` Celery worker processes (prefork, one child each) drain it; events/s from the first batch
   taken to the inbox empty, with the interactions stored, the archive records written and the clients
   matched; then ``manage.py verify_archive`` must pass.

**Target** (issue 14): ≥ 1,000 events/s ingested with 2 workers.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DB", "relais_ingest_bench")
SECRET = "bench-consumer-secret"  # noqa: S105 - the bench's own throwaway app secret


def _env(pg: str, redis: str) -> dict:
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DATABASE_URL": f"{pg}/{DB_NAME}",
        "REDIS_URL": redis,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "X_CONSUMER_SECRET": SECRET,
        "TOKEN_ENCRYPTION_KEYS": os.environ.get("TOKEN_ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "RELAIS_VAR_DIR": str(ROOT / "var" / "bench-ingestion"),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }


def sign(body: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def account_id(a: int) -> str:
    return f"9{a:07d}"


def client_x_id(a: int, c: int) -> str:
    return f"8{a:07d}{c:03d}"


def recreate_database(pg: str, env: dict) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def seed(advisers: int, clients: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from advocacy.clients.models import Client, Consent, HandleStatus
    from advocacy.networks.x.models import XAccount
    from advocacy.org.models import Bank, Branch, Region

    started = time.monotonic()
    bank = Bank.objects.create(name="Banque Bench")
    region = Region.objects.create(bank=bank, code="R1", name="Région")
    branch = Branch.objects.create(region=region, code="B1", name="Agence", city="Paris")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"adv{a}", email=f"adv{a}@bench.test") for a in range(advisers)
    )
    now = timezone.now()
    XAccount.objects.bulk_create(
        XAccount(user=u, x_user_id=account_id(a), username=f"adv{a}", connected_at=now)
        for a, u in enumerate(users)
    )
    rows = Client.objects.bulk_create(
        Client(
            adviser=u,
            branch=branch,
            client_ref=f"C{a}-{c}",
            x_handle=f"c{a}_{c}"[:15],
            x_user_id=client_x_id(a, c),
            handle_status=HandleStatus.RESOLVED,
        )
        for a, u in enumerate(users)
        for c in range(clients)
    )
    consents = Consent.objects.bulk_create(
        Consent(
            client=row,
            given=True,
            recorded_by_id=row.adviser_id,
            method=Consent.Method.IMPORT,
            wording_version="bench",
            consent_date=now.date(),
        )
        for row in rows
    )
    for row, consent in zip(rows, consents, strict=True):
        row.current_consent = consent
    Client.objects.bulk_update(rows, ["current_consent"], batch_size=5000)
    took = time.monotonic() - started
    print(f"seeded {advisers:,} advisers, {len(rows):,} consented clients in {took:.1f} s")


START = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
KINDS = ["mention"] * 4 + ["reply"] * 2 + ["like"] * 2 + ["follow", "repost"]


def delivery(i: int, advisers: int, clients: int) -> bytes:
    a = i % advisers
    account = account_id(a)
    actor = client_x_id(a, i % clients) if i % 10 < 3 else f"7{i:010d}"
    kind = KINDS[(i // advisers + i) % len(KINDS)]
    at = (START + dt.timedelta(seconds=i)).isoformat().replace("+00:00", "Z")
    person = {"id": actor, "username": f"u{actor}"[:15], "name": f"Person {actor}"}
    own_post = f"5{a:07d}{i % 50:03d}"
    post_id = str(10**15 + i)
    if kind in ("mention", "reply", "repost"):
        payload = {
            "id": post_id,
            "author_id": actor,
            "text": f"@adv{a} une question sur mon livret, n° {i}",
            "created_at": at,
            "conversation_id": own_post if kind == "reply" else post_id,
            "entities": {"mentions": [{"id": account, "username": f"adv{a}"}]},
        }
        if kind == "reply":
            payload["in_reply_to_tweet_id"] = own_post
            payload["referenced_tweets"] = [{"type": "replied_to", "id": own_post}]
        if kind == "repost":
            payload["referenced_tweets"] = [{"type": "retweeted", "id": own_post}]
        event_type = {"mention": "post.mention.create", "reply": "post.reply.create"}.get(
            kind, "post.repost.create"
        )
        event = {"event_type": event_type, "payload": payload, "includes": {"users": [person]}}
    elif kind == "like":
        event = {
            "event_type": "like.create",
            "payload": {"liked_tweet_id": own_post, "liked_tweet_author_id": account, "created_at": at},
            "includes": {"users": [person]},
        }
    else:
        event = {
            "event_type": "follow.follow",
            "payload": {"source": person, "target": {"id": account, "username": f"adv{a}"}, "created_at": at},
        }
    event.update(event_uuid=str(i), filter={"user_id": account})
    return json.dumps({"data": event}).encode()


WRK_SCRIPT = """
local bodies, sigs, n = {}, {}, 0
local counter = 0
function init(args)
  for line in io.lines(args[1]) do
    local tab = line:find("\\t")
    n = n + 1
    sigs[n] = line:sub(1, tab - 1)
    bodies[n] = line:sub(tab + 1)
  end
  counter = tonumber(args[2])
  bad = 0
end
function request()
  counter = counter % n + 1
  return wrk.format("POST", "/x/webhook", {["Content-Type"] = "application/json",
    ["x-twitter-webhooks-signature"] = sigs[counter]}, bodies[counter])
end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format("RESULT %f %f %d %d\\n", latency:percentile(50) / 1000,
                         latency:percentile(95) / 1000, summary.requests, b))
end
"""


def serve(env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "advocacy.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--log-level", "warning", "--chdir", str(ROOT)],
        env=env, cwd=ROOT, start_new_session=True,
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


def intake(env: dict, args, bodies: list[bytes]) -> int:
    """wrk posts the first deliveries; returns how many it got 200 for (the inbox holds them)."""
    from advocacy.relationships.models import WebhookDelivery

    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as data:
        for body in bodies:
            data.write(f"{sign(body)}\t{body.decode()}\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    proc, port = serve(env, args.workers)
    try:
        time.sleep(1)
        print(f"[intake] load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        done = subprocess.run(
            ["wrk", "-t", "2", "-c", str(args.concurrency), "-d", f"{args.intake_seconds}s",
             "--timeout", "10s", "-s", script.name, f"http://127.0.0.1:{port}/x/webhook",
             "--", data.name, "0"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        os.unlink(script.name)
        os.unlink(data.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    p50, p95, requests, bad = line.split()[1:]
    if int(bad):
        sys.exit(f"{bad} deliveries were not answered 200")
    stored = WebhookDelivery.objects.count()
    print(
        f"  intake: {int(requests) / args.intake_seconds:,.0f} deliveries/s answered 200 "
        f"(p50 {float(p50):.1f} ms, p95 {float(p95):.1f} ms, {int(requests):,} requests, "
        f"{stored:,} in the inbox)",
        flush=True,
    )
    return stored


def ingestion(env: dict, args, bodies: list[bytes]) -> None:
    from django.db import connection

    from advocacy.relationships.models import Interaction, WebhookDelivery
    from advocacy.relationships.tasks import ingest_webhook_deliveries
    from compliance.archive.models import ArchiveRecord

    # Every delivery in the inbox, as the webhook stores them (in bulk here: the clock is the workers').
    # The intake's rows are replaced: wrk's threads each cycle through the same deliveries.
    WebhookDelivery.objects.all().delete()
    WebhookDelivery.objects.bulk_create((WebhookDelivery(body=body) for body in bodies), batch_size=5000)
    waiting = WebhookDelivery.objects.count()
    archived_before = ArchiveRecord.objects.count()
    celery = str(Path(sys.executable).with_name("celery"))
    command = [celery, "-A", "advocacy", "worker", "--pool", "prefork", "-c", "1", "-Q", "polling",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"]  # fmt: skip
    workers = [
        subprocess.Popen([*command, "-n", f"bench{n}@%h"], env=env, cwd=ROOT, start_new_session=True)
        for n in range(args.workers)
    ]
    try:
        time.sleep(4)  # the workers are up and waiting
        print(f"[ingestion] load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        started = time.monotonic()
        for _ in range(args.workers):  # one drain per worker: they take batches side by side (SKIP LOCKED)
            ingest_webhook_deliveries.delay()
        while WebhookDelivery.objects.filter(failed_at=None).exists():
            time.sleep(0.05)
            if time.monotonic() - started > 600:
                sys.exit("the inbox did not empty in 10 minutes")
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            os.killpg(worker.pid, 15)
        for worker in workers:
            worker.wait(timeout=60)
    connection.close()
    stored = Interaction.objects.count()
    matched = Interaction.objects.exclude(client=None).count()
    archived = ArchiveRecord.objects.count() - archived_before
    failed = WebhookDelivery.objects.exclude(failed_at=None).count()
    print(
        f"  ingestion: {waiting:,} deliveries in {elapsed:.1f} s = {waiting / elapsed:,.0f} events/s "
        f"({args.workers} workers); {stored:,} interactions stored, {matched:,} matched to clients, "
        f"{archived:,} archive records written, {failed} set aside",
        flush=True,
    )
    check = subprocess.run(
        [sys.executable, "manage.py", "verify_archive"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    print(f"  verify_archive: exit {check.returncode}: {check.stdout.strip().splitlines()[-1:]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--advisers", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20, help="consented clients per adviser")
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers and Celery workers")
    parser.add_argument("--intake-seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()

    env = _env(args.pg, args.redis)
    os.environ.update(env)
    recreate_database(args.pg, env)
    import django

    django.setup()
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    seed(args.advisers, args.clients)
    started = time.monotonic()
    bodies = [delivery(i, args.advisers, args.clients) for i in range(args.events)]
    print(f"generated {len(bodies):,} deliveries in {time.monotonic() - started:.1f} s", flush=True)
    intake(env, args, bodies)
    ingestion(env, args, bodies)


if __name__ == "__main__":
    main()
