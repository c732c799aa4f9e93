"""Publishing rate against the X sandbox with 2 Celery worker processes (PostgreSQL + Redis).

    .venv/bin/python bench/bench_publishing.py [--advisers 50] [--items 10] [--latency-ms 0]
        [--pool prefork|threads] [--threads 8] [--profile]

Needs PostgreSQL and Redis on loopback (defaults: postgres://postgres@127.0.0.1:5432/relais_publishing,
redis://127.0.0.1:6379/3; the database is dropped and recreated, Redis db 3 is flushed). Starts the sandbox
(``python -m advocacy.xsandbox``) with an optional injected latency per API call and 2 worker processes on the
publishing queue: ``--pool prefork`` is one ``celery worker --pool prefork -c 2`` (two child processes, one
task at a time each); ``--pool threads`` is two ``celery worker --pool threads -c N`` instances (two
processes, N tasks in flight each). Workers run as in production: DEBUG off, real encryption key.
Schedules every share "now" and measures until all are published.
Shares are scheduled (and queued) before the worker starts, so the publishing rate is the workers' alone.
Prints shares per second, the delay from scheduling to publication (p50/p99) and the sandbox's call count
(one create call per share: nothing was posted twice).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "postgres://postgres@127.0.0.1:5432/relais_publishing"
REDIS = "redis://127.0.0.1:6379/3"

SEED = r"""
import json, sys
import django; django.setup()
import requests
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.conf import settings
from django.utils import timezone
from advocacy.org.models import Bank, Region, Branch, Role
from advocacy.org.services import StaffData, upsert_staff
from advocacy.content.models import ContentItem, ContentVersion, ApprovedText
from advocacy.content.selectors import publishable_texts
from advocacy.networks.x import client as xclient
from advocacy.networks.crypto import Secret
from advocacy.networks.x.connections import connect_x_account
from compliance.review.models import ComplianceSettings
import datetime as dt
advisers, items = int(sys.argv[1]), int(sys.argv[2])
row = ComplianceSettings.current(); row.allowed_domains = ["banque-test.fr"]; row.save()
bank = Bank.objects.create(name="Bench")
region = Region.objects.create(bank=bank, code="R", name="R")
branch = Branch.objects.create(region=region, code="B", name="B", city="Lille")
people = []
for n in range(advisers):
    user = upsert_staff(data=StaffData(employee_id=f"B{n}", email=f"a{n}@bench.test", first_name=f"A{n}",
                                       last_name="B", branch=branch, roles=frozenset({Role.ADVISER}),
                                       language="fr"))[0].user
    body = requests.post(f"{settings.X_API_BASE_URL}/_sandbox/users",
                         json={"username": f"bench_{n:04d}", "issue_token": True}, timeout=5).json()
    tokens = xclient.TokenSet(Secret(body["access_token"]), Secret(body["refresh_token"]),
                              timezone.now() + dt.timedelta(hours=2), body["scope"])
    x_user = xclient.XUser(body["data"]["id"], f"bench_{n:04d}", "B")
    connect_x_account(user=user, x_user=x_user, tokens=tokens)
    people.append(user.pk)
author = people[0]
ids = []
for n in range(items):
    item = ContentItem.objects.create(title=f"Item {n}", category="corporate", origin="library",
                                      author_id=author, status="approved", approved_at=timezone.now())
    version = ContentVersion.objects.create(item=item, number=1, text=f"Nouvelle numéro {n} de la banque.",
                                            created_by_id=author, status="approved", label="#PUB",
                                            link_url="https://www.banque-test.fr/actualite")
    item.current_version = version
    item.save(update_fields=["current_version"])
    for text in publishable_texts(version):
        ApprovedText.objects.create(version=version, text=str.__str__(text), fingerprint=text.fingerprint)
    ids.append(item.pk)
print(json.dumps({"advisers": people, "items": ids}))
"""

SCHEDULE = r"""
import json, sys, time
import django; django.setup()
from django.contrib.auth import get_user_model
from advocacy.content.models import ContentItem
from advocacy.shares import services
data = json.loads(sys.argv[1])
User = get_user_model()
items = list(ContentItem.objects.select_related("current_version").filter(pk__in=data["items"]))
started = time.time()
for user in User.objects.filter(pk__in=data["advisers"]):
    for item in items:
        services.schedule_share(adviser=user, item=item, when=None, actor=user)  # on commit: .delay()
print(time.time() - started)
"""

DELAYS = r"""
import json
import django; django.setup()
from advocacy.shares.models import Share
rows = Share.objects.filter(status="published").values_list("created_at", "published_at")
d = sorted((p - c).total_seconds() for c, p in rows)
print(json.dumps({"p50": d[len(d) // 2], "p99": d[int(len(d) * 0.99) - 1],
                  "first": min(p for _, p in rows).timestamp(), "last": max(p for _, p in rows).timestamp()}))
"""

PROFILE = r"""
import cProfile, os, pstats, sys, time
import django; django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from advocacy.shares import services
from advocacy.shares.models import Share
ids = list(Share.objects.filter(status="scheduled").order_by("pk").values_list("pk", flat=True))
services.publish_share(share_id=ids[0])  # warm up (lexicon, client)
with CaptureQueriesContext(connection) as queries:
    services.publish_share(share_id=ids[1])
print(f"{len(queries)} queries for one share:", file=sys.stderr)
for q in queries:
    print("   ", q["sql"][:150], file=sys.stderr)
def backend_cpu():  # this connection's PostgreSQL backend process, from /proc (same machine)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        fields = open(f"/proc/{cursor.fetchone()[0]}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
half = len(ids) // 2
started, cpu, pg_cpu = time.perf_counter(), time.process_time(), backend_cpu()
for pk in ids[2:half]:
    services.publish_share(share_id=pk)
n = half - 2
print(f"in-process, one thread, no Celery: {n / (time.perf_counter() - started):.1f} shares/s, "
      f"{(time.process_time() - cpu) * 1000 / n:.2f} ms CPU per share (profiler off), "
      f"PostgreSQL backend {(backend_cpu() - pg_cpu) * 1000 / n:.2f} ms", file=sys.stderr)
profile = cProfile.Profile(time.process_time)  # CPU time: waits on PostgreSQL and the sandbox do not count
profile.enable()
for pk in ids[half:]:
    services.publish_share(share_id=pk)
profile.disable()
import os, tempfile
out = os.path.join(tempfile.gettempdir(), "relais-publishing.prof")
profile.dump_stats(out)
print(f"profile saved to {out} (pstats, snakeviz)", file=sys.stderr)
stats = pstats.Stats(profile, stream=sys.stderr)
stats.sort_stats("tottime").print_stats(12)
stats.sort_stats("cumulative").print_stats("advocacy|compliance|django/db/models/(query|sql/compiler)", 30)
print("done")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(script: str, env: dict, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    return out.stdout.strip().splitlines()[-1]


def reset_services(db_url: str, redis_url: str) -> None:
    import psycopg
    import redis

    name = db_url.rsplit("/", 1)[1]
    with psycopg.connect(db_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(redis_url).flushdb()


def status_counts(db_url: str) -> dict:
    """Shares per status, read directly (a Django start-up per poll would load the machine we measure)."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        return dict(conn.execute("SELECT status, count(*) FROM shares_share GROUP BY status").fetchall())


def cpu_seconds(groups: dict[str, list[int]]) -> dict[str, float]:
    """User + system CPU so far of every process in each named list of process groups (prefork children
    included), plus every PostgreSQL and Redis server process: where a share's CPU goes, machine-wide."""
    totals = dict.fromkeys([*groups, "postgres", "redis"], 0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime; fields[2] is the process group
        for label, members in groups.items():
            if int(fields[2]) in members:
                totals[label] += ticks
        if name == "postgres":
            totals["postgres"] += ticks
        elif name.startswith("redis-server"):
            totals["redis"] += ticks
    return {label: ticks / os.sysconf("SC_CLK_TCK") for label, ticks in totals.items()}


def start_workers(args, env) -> list[subprocess.Popen]:
    """Two worker processes on the publishing queue (see the module docstring)."""
    celery = str(Path(sys.executable).with_name("celery"))
    common = [celery, "-A", "advocacy", "worker", "-Q", "publishing", "--loglevel", "ERROR"]
    if args.pool == "prefork":
        commands = [[*common, "--pool", "prefork", "-c", "2"]]
    else:
        commands = [
            [*common, "--pool", "threads", "-c", str(args.threads), "-n", f"bench{n}@%h"] for n in (1, 2)
        ]
    return [
        subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for command in commands
    ]


def main() -> None:
    import requests
    from cryptography.fernet import Fernet

    parser = argparse.ArgumentParser()
    parser.add_argument("--advisers", type=int, default=50)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=0, help="injected per X API call")
    parser.add_argument("--pool", choices=["prefork", "threads"], default="prefork")
    parser.add_argument("--threads", type=int, default=8, help="tasks in flight per process (--pool threads)")
    parser.add_argument("--database-url", default=DB)
    parser.add_argument("--redis-url", default=REDIS)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="no workers: publish every share in this process under cProfile (queries and hot spots)",
    )
    args = parser.parse_args()
    reset_services(args.database_url, args.redis_url)
    port = free_port()
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "advocacy.xsandbox", "--port", str(port), "--quiet"],
        cwd=ROOT,
        start_new_session=True,
    )
    workers: list[subprocess.Popen] = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                requests.get(f"{base}/_sandbox/faults", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        requests.post(f"{base}/_sandbox/faults", json={"latency_ms": args.latency_ms}, timeout=5)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "advocacy.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_COOKIES": "0",
            "STATIC_MANIFEST": "0",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "X_API_BASE_URL": base,
            "X_AUTHORIZE_URL": f"{base}/i/oauth2/authorize",
            "X_CLIENT_ID": "relais-sandbox-client",
            "X_CLIENT_SECRET": "relais-sandbox-secret",
            "LOG_LEVEL": "WARNING",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PUBLIC_BASE_URL": "https://relais.banque-test.fr",
        }
        data = run(SEED, env, str(args.advisers), str(args.items))
        total = args.advisers * args.items
        scheduling = float(run(SCHEDULE, env, data))  # all due now, queued in Redis before any worker runs
        if args.profile:
            subprocess.run([sys.executable, "-c", PROFILE], env=env, cwd=ROOT, check=True)
            return
        started = time.time()
        workers = start_workers(args, env)
        deadline = time.time() + 600
        import json

        groups = {"workers": [w.pid for w in workers], "sandbox": [sandbox.pid]}
        cpu_from = done_from = None
        while time.time() < deadline:
            counts = status_counts(args.database_url)
            done = counts.get("published", 0) + counts.get("failed", 0)
            if done and cpu_from is None:  # booted: count CPU from the first publication on
                cpu_from, done_from = cpu_seconds(groups), done
            if done >= total:
                break
            time.sleep(0.2)
        elapsed = time.time() - started
        cpu_to = cpu_seconds(groups)
        cpu_ms = {k: (cpu_to[k] - cpu_from[k]) * 1000 / max(total - done_from, 1) for k in cpu_to}
        load = os.getloadavg()[0]
        delays = json.loads(run(DELAYS, env))
        state = requests.get(f"{base}/_sandbox/state", timeout=10).json()
        publish_span = delays["last"] - delays["first"]
        pool = "prefork, 1 task each" if args.pool == "prefork" else f"threads, {args.threads} tasks each"
        print(
            f"{total} shares ({args.advisers} advisers x {args.items} items), 2 worker processes "
            f"({pool}), X latency {args.latency_ms} ms per call"
        )
        print(
            f"  scheduling: {scheduling:.1f} s ({total / scheduling:,.0f} shares/s, each enqueued on commit)"
        )
        print(f"  statuses: {counts}; sandbox create calls: {state['counters']['create_calls']}")
        print(
            f"  publishing rate: {total / publish_span:,.1f} shares/s (first to last publication), "
            f"{total / elapsed:,.1f} shares/s from worker start (boot included)"
        )
        print(f"  scheduled -> published: p50 {delays['p50']:.1f} s, p99 {delays['p99']:.1f} s")
        print(
            f"  worker CPU: {cpu_ms['workers']:.1f} ms per share (all worker processes); "
            f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at the end"
        )
        print(
            "  CPU per share elsewhere: "
            + ", ".join(f"{k} {cpu_ms[k]:.1f} ms" for k in ("postgres", "redis", "sandbox"))
            + " (PostgreSQL and Redis: every process of the machine's servers, other clients included)"
        )
    finally:
        for proc in (*workers, sandbox):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(15)


if __name__ == "__main__":
    main()
