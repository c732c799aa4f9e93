"""ATS webhook intake on PostgreSQL (issue 15, item 8): signed Greenhouse deliveries taken in by the portal,
then applied — attributed to their shares and archived — by the drain.

    .venv/bin/python bench/bench_ats_intake.py [--sharers 2000] [--applications 60000] [--workers 2]
                                               [--threads 4] [--seconds 10] [--concurrency 8] [--port 8430]

1. Drops and re-creates the database ``relais_ats_bench`` (``BENCH_DB``), migrates, and seeds one approved
   job offer (``REQ-BENCH``) shared by ``--sharers`` employees (one published share each, ``bulk_create``)
   and a Greenhouse ATS profile with its webhook secret (encrypted as in production).
2. Generates ``--applications`` ``new_candidate_application`` deliveries in Greenhouse's format (the
   candidate's name, e-mail and phone included, as Greenhouse sends them), 80 % of them carrying the
   source reference of one of the shares, each signed ``Signature: sha256 <hex>`` with the profile's secret.
3. **Intake**: the portal under gunicorn as production runs it (``--workers`` workers of ``--threads``
   threads, DEBUG off, the real
   ``advocacy.wsgi:application`` and its full middleware), ``wrk`` posting the signed deliveries at
   ``--concurrency`` for ``--seconds``: applications/s answered 202 (each one verified, read without the
   personal data, its job reference checked, committed to the inbox), p50/p95. No worker drains meanwhile.
4. **In process**: the last ``--in-process`` deliveries through ``advocacy.wsgi.application`` called
   directly: CPU milliseconds per application, which the machine's load does not inflate.
5. **Apply**: the bench process drains the inbox (``intake.drain``, the task's body: batches of 500, one
   archive lock per batch): applications/s from the first batch to the inbox empty, the attributed share
   counted; then ``manage.py verify_archive`` must pass.

**Target** (issue 15): ≥ 500 applications/s taken in.
"""

from __future__ import annotations

import argparse
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
DB_NAME = os.environ.get("BENCH_DB", "relais_ats_bench")
SECRET = "bench-greenhouse-secret"  # noqa: S105 - the bench's own throwaway webhook secret


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
        "TOKEN_ENCRYPTION_KEYS": os.environ.get("TOKEN_ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "RELAIS_VAR_DIR": str(ROOT / "var" / "bench-ats"),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }


def recreate_database(pg: str, env: dict) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def seed(sharers: int) -> list[int]:
    """The job offer, its shares (their ids returned) and the Greenhouse profile."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from advocacy.content.models import ApprovedText, ContentItem, ContentVersion, JobOffer
    from advocacy.org.models import Bank, Branch, Region, StaffProfile
    from advocacy.recruitment.formats import DEFAULT_PARAMETERS
    from advocacy.recruitment.models import ATSProfile
    from advocacy.shares.models import Share
    from advocacy.texts import compose, fingerprint

    bank = Bank.objects.create(name="Banque Bench")
    region = Region.objects.create(bank=bank, code="R1", name="Région")
    branches = Branch.objects.bulk_create(
        Branch(region=region, code=f"B{b}", name=f"Agence {b}", city="Paris") for b in range(20)
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"emp{n}", email=f"emp{n}@bench.test") for n in range(sharers)
    )
    StaffProfile.objects.bulk_create(
        StaffProfile(user=u, employee_id=f"E{n}", branch=branches[n % len(branches)])
        for n, u in enumerate(users)
    )
    now = timezone.now()
    item = ContentItem.objects.create(
        title="Conseiller (H/F)", category="recruitment", origin="library", author=users[0],
        status="approved", approved_at=now,
    )  # fmt: skip
    version = ContentVersion.objects.create(
        item=item, number=1, text="Nous recrutons.", link_url="https://jobs.bench.test/apply/1",
        created_by=users[0], status="approved",
    )  # fmt: skip
    item.current_version = version
    item.save(update_fields=["current_version"])
    text = compose(version.text)
    approved = ApprovedText.objects.create(version=version, text=text, fingerprint=fingerprint(text))
    JobOffer.objects.create(
        item=item, job_reference="REQ-BENCH", place="Paris", contract_type="permanent",
        closes_on=(now + dt.timedelta(days=30)).date(),
    )  # fmt: skip
    shares = Share.objects.bulk_create(
        Share(
            adviser=u,
            item=item,
            version=version,
            approved_text=approved,
            text=text,
            fingerprint=approved.fingerprint,
            scheduled_for=now,
            status=Share.Status.PUBLISHED,
            published_at=now,
            link_code=f"bench{n}",
        )
        for n, u in enumerate(users)
    )
    parameters, replace_utm = DEFAULT_PARAMETERS["greenhouse"]
    profile = ATSProfile(
        name="Greenhouse", slug="greenhouse", vendor="greenhouse", parameters=parameters,
        replace_utm=replace_utm, applies_to_all=True,
    )  # fmt: skip
    profile.set_webhook_secret(SECRET)
    profile.save()
    print(f"seeded 1 job offer shared by {sharers:,} employees")
    return [s.pk for s in shares]


def delivery(i: int, share_ids: list[int]) -> bytes:
    from advocacy.recruitment.references import reference_for

    reference = reference_for(share_ids[i % len(share_ids)]) if i % 5 else ""
    application = {
        "id": 10_000_000 + i,
        "applied_at": "2026-12-01T09:00:00Z",
        "status": "active",
        "current_stage": {"id": 1, "name": "Application Review"},
        "jobs": [{"id": 42, "name": "Conseiller", "requisition_id": "REQ-BENCH"}],
        "custom_fields": {"relais_reference": reference},
        "candidate": {
            "id": 20_000_000 + i,
            "first_name": "Prénom",
            "last_name": f"Candidat {i}",
            "email_addresses": [{"value": f"candidat{i}@example.org", "type": "personal"}],
            "phone_numbers": [{"value": "+33 6 00 00 00 00", "type": "mobile"}],
        },
    }
    return json.dumps(
        {"action": "new_candidate_application", "payload": {"application": application}}
    ).encode()


def sign(body: bytes) -> str:
    return "sha256 " + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


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
  -- each thread takes its own half of the deliveries: no delivery is posted twice (no replay)
  local id = tonumber(args[2]); counter = 0; first = id * math.floor(n / 2)
  bad = 0
end
function request()
  counter = counter + 1
  local k = (first + counter - 1) % n + 1
  return wrk.format("POST", "/recruitment/ats/greenhouse/webhook/", {["Content-Type"] = "application/json",
    ["Signature"] = sigs[k]}, bodies[k])
end
function response(status, headers, body) if status ~= 202 then bad = bad + 1 end end
local threads = {}
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1; table.insert(threads, thread) end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format("RESULT %f %f %d %d\\n", latency:percentile(50) / 1000,
                         latency:percentile(95) / 1000, summary.requests, b))
end
"""


def serve(env: dict, workers: int, threads: int, port: int) -> subprocess.Popen:
    import socket

    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "advocacy.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--worker-class", "gthread", "--log-level", "warning",
         "--chdir", str(ROOT)],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    os.killpg(proc.pid, 15)
    sys.exit("gunicorn did not start")


def warm_up(port: int, workers: int) -> None:
    """Until every worker has answered (an unsigned delivery: 401), so the run does not time their boot."""
    import urllib.error
    import urllib.request

    answered, deadline = 0, time.monotonic() + 60
    while answered < 4 * workers and time.monotonic() < deadline:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/recruitment/ats/greenhouse/webhook/", data=b"{}", method="POST"
        )
        try:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310 - our own http:// loopback server
        except urllib.error.HTTPError as error:
            answered += error.code == 401
        except OSError:
            time.sleep(0.2)


def intake(env: dict, args, bodies: list[bytes]) -> None:
    from advocacy.recruitment.models import ApplicationDelivery

    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as data:
        for body in bodies:
            data.write(f"{sign(body)}\t{body.decode()}\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.replace("tonumber(args[2])", "id"))
    proc = serve(env, args.workers, args.threads, args.port)
    try:
        warm_up(args.port, args.workers)
        print(f"[intake] load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        done = subprocess.run(
            ["wrk", "-t", "2", "-c", str(args.concurrency), "-d", f"{args.seconds}s", "--timeout", "10s",
             "-s", script.name, f"http://127.0.0.1:{args.port}/", "--", data.name],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        os.unlink(script.name)
        os.unlink(data.name)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT")), None)
    if line is None or line.split()[3] == "0":
        sys.exit(f"wrk posted nothing:\n{done.stdout}\n{done.stderr}")
    p50, p95, requests, bad = line.split()[1:]
    stored = ApplicationDelivery.objects.count()
    print(
        f"  intake: {int(requests) / args.seconds:,.0f} applications/s posted, "
        f"{stored / args.seconds:,.0f}/s stored "
        f"(p50 {float(p50):.1f} ms, p95 {float(p95):.1f} ms, {int(requests):,} requests, "
        f"{int(bad)} not answered 202, {stored:,} in the inbox)",
        flush=True,
    )
    if int(requests) > len(bodies):
        print("  (wrk ran out of distinct deliveries: raise --applications)")


def in_process(bodies: list[bytes]) -> None:
    """The same deliveries through ``advocacy.wsgi.application`` called directly, one at a time: CPU time per
    application (``time.process_time``: this process only, whatever the machine's load) and wall time."""
    import io

    from advocacy.wsgi import application

    def post(body: bytes) -> str:
        status = []
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/recruitment/ats/greenhouse/webhook/",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "HTTP_SIGNATURE": sign(body), "wsgi.errors": sys.stderr,
        }  # fmt: skip
        for _ in application(environ, lambda s, h, exc_info=None: status.append(s)):
            pass
        return status[0]

    for body in bodies[:50]:  # warm: connections, prepared statements, the job reference memo
        post(body)
    cpu, wall = time.process_time(), time.perf_counter()
    answers = [post(body) for body in bodies[50:]]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    count = len(answers)
    accepted = sum(a.startswith("202") for a in answers)
    print(
        f"[in process] load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
        f"  {count:,} deliveries ({accepted:,} answered 202): {cpu / count * 1000:.2f} ms CPU and "
        f"{wall / count * 1000:.2f} ms wall each = {count / cpu:,.0f} applications/s per CPU core busy",
        flush=True,
    )


def apply(env: dict) -> None:
    from django.db import connection

    from advocacy.recruitment import intake as recruitment_intake
    from advocacy.recruitment.models import Application, ApplicationDelivery
    from compliance.archive.models import ArchiveRecord

    waiting = ApplicationDelivery.objects.filter(processed_at=None).count()
    archived_before = ArchiveRecord.objects.count()
    print(f"[apply] load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    started = time.monotonic()
    recruitment_intake.drain()
    elapsed = time.monotonic() - started
    connection.close()
    applications = Application.objects.count()
    attributed = Application.objects.exclude(share=None).count()
    archived = ArchiveRecord.objects.count() - archived_before
    failed = ApplicationDelivery.objects.exclude(failed_at=None).count()
    print(
        f"  apply: {waiting:,} deliveries in {elapsed:.1f} s = "
        f"{waiting / max(elapsed, 1e-9):,.0f} applications/s "
        f"(one process); {applications:,} applications, {attributed:,} attributed to a share, "
        f"{archived:,} archive records, {failed} set aside",
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
    parser.add_argument("--sharers", type=int, default=2000)
    parser.add_argument("--applications", type=int, default=60_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (production: 4)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=8430)
    parser.add_argument("--in-process", type=int, default=2000, help="deliveries timed in this process")
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
    share_ids = seed(args.sharers)
    started = time.monotonic()
    bodies = [delivery(i, share_ids) for i in range(args.applications)]
    print(f"generated {len(bodies):,} deliveries in {time.monotonic() - started:.1f} s", flush=True)
    intake(env, args, bodies)
    in_process(bodies[-args.in_process :])
    apply(env)


if __name__ == "__main__":
    main()
