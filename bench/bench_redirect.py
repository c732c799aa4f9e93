"""Tracked-link redirect (/l/<code>) throughput and latency, against a bare Django redirect (no middleware).

    .venv/bin/python bench/bench_redirect.py --postgres postgres://postgres@127.0.0.1:5432 \
        --redis redis://127.0.0.1:6379/8 [--workers 2] [--connections 16] [--duration 10] [--rounds 3]

Two servers, both gunicorn with the same number of sync workers, the same settings (DEBUG off), the same
PostgreSQL database and Redis (cache and click buffer) as production, on loopback:

* **bare**: Django's own ``WSGIHandler`` with ``MIDDLEWARE = []`` and a URLconf of one view that returns the
  same 302 without looking anything up (``bench.bench_redirect:bare_application``): the floor of a Django
  redirect. Nothing of the portal's middleware is in it, so the ratio shows what the tracked link costs in
  full: its handler's middleware (security headers, host check) and its own work (cached lookup, bot
  filter, visitor hash, buffered click, no-store header).
* **tracked**: ``advocacy.wsgi:application``, as deployed (``/l/`` goes to the lean ``LinkHandler``);
* with ``--full``, also **tracked, full middleware**: ``advocacy.wsgi:portal``, the portal's handler, which
  served ``/l/`` before the lean handler (the comparison point of what the lean path saves).

Load: ``wrk --latency`` at a fixed number of connections with a browser User-Agent, in alternating rounds in
one run (bare, tracked, bare, tracked...) so that a noisy neighbour hits both alike; each round prints its
requests/s, p50, p99, errors, server CPU per request and the load average, then the ratios. Without
``--postgres`` the database is a throw-away SQLite file (development only); the PostgreSQL database
``relais_redirect_bench`` is dropped and re-created. Clicks are flushed at the end and counted, to show
none was lost.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


DB_NAME = "relais_redirect_bench"


def _env(workdir: str, redis_url: str | None, postgres: str | None) -> dict:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        {
            "RELAIS_VAR_DIR": workdir,
            "DATABASE_URL": f"{postgres}/{DB_NAME}" if postgres else f"sqlite:///{workdir}/bench.sqlite3",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_COOKIES": "0",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
            "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DJANGO_SETTINGS_MODULE": "advocacy.settings",
            "PUBLIC_BASE_URL": "http://127.0.0.1",
        }
    )
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


# --- the bare app (gunicorn loads bench.bench_redirect:bare_application) -----------------------------------
BARE_URL = "https://www.banque-test.fr/livret?utm_source=x&utm_medium=social&utm_campaign=1&utm_content=1"


def _bare_view(request, code):
    from django.http import HttpResponseRedirect

    return HttpResponseRedirect(BARE_URL)


def _bare_handler():
    """Django's WSGI handler with no middleware at all and this module as the URLconf."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    settings.MIDDLEWARE = []
    settings.ROOT_URLCONF = __name__
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()


if os.environ.get("RELAIS_BENCH_BARE") == "1":
    from django.urls import path

    urlpatterns = [path("l/<str:code>", _bare_view)]
    bare_application = _bare_handler()


# --- setup, servers, load ---------------------------------------------------------------------------------
def seed(env: dict) -> str:
    """Migrate the throw-away database and create one published share; returns its link code."""
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        server = env["DATABASE_URL"].rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    script = r"""
import datetime as dt, secrets
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from advocacy.org.models import Bank, Region, Branch, Role
from advocacy.org.services import StaffData, upsert_staff
from advocacy.content.models import ContentItem, ContentVersion, ApprovedText
from advocacy.texts import compose, fingerprint
from advocacy.shares.models import Share
bank = Bank.objects.create(name="Bench")
region = Region.objects.create(bank=bank, code="R", name="R")
branch = Branch.objects.create(region=region, code="B", name="B", city="C")
adviser = upsert_staff(data=StaffData(employee_id="B1", email="a@bench.test", first_name="A", last_name="B",
                                      branch=branch, roles=frozenset({Role.ADVISER}), language="fr"))[0].user
item = ContentItem.objects.create(title="T", category="corporate", origin="library", author=adviser,
                                  status="approved")
version = ContentVersion.objects.create(item=item, number=1, text="Bench", created_by=adviser,
                                        status="approved", link_url="https://www.banque-test.fr/livret")
text = compose("Bench", link_url=version.link_url)
approved = ApprovedText.objects.create(version=version, text=text, fingerprint=fingerprint(text))
share = Share.objects.create(adviser=adviser, item=item, version=version, approved_text=approved,
                             text=text, fingerprint=approved.fingerprint, scheduled_for=timezone.now(),
                             status="published", link_code=secrets.token_urlsafe(9), network_post_id="1",
                             published_at=timezone.now())
from django.conf import settings
from advocacy.links import clicks
if settings.REDIS_URL:
    clicks._redis().delete(clicks.REDIS_KEY)  # clicks left over by an earlier run would be counted
print(share.link_code)
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    return out.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app: str, env: dict, workers: int, extra_env: dict | None = None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [
            gunicorn,
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ],
        env={**env, **(extra_env or {})},
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"gunicorn {app} did not start")


def load(port: int, path: str, threads: int, total: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        nonlocal errors
        mine = []
        bad = 0
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", path, headers={"User-Agent": UA})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != 302:
                    bad += 1
            except OSError:
                bad += 1
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += bad

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
        "n": len(latencies),
    }


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * _UNITS[unit]


def load_wrk(port: int, path: str, connections: int, seconds: int) -> dict:
    """``wrk --latency``: requests/s, p50 and p99 latency, errors (socket errors and non-3xx answers)."""
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-H",
            f"User-Agent: {UA}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    ).stdout
    percentile = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", out, re.MULTILINE))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50": _ms(percentile["50"]),
        "p99": _ms(percentile["99"]),
        "errors": errors,
        "n": int(re.search(r"(\d+) requests in", out)[1]),
    }


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU of gunicorn's master and its workers so far (from ``/proc``). CPU per request does
    not move with a noisy neighbour the way requests/s do: it is the steadier of the two comparisons."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [master_pid]
    try:
        for task in os.listdir(f"/proc/{master_pid}/task"):
            with open(f"/proc/{master_pid}/task/{task}/children") as f:
                pids += [int(pid) for pid in f.read().split()]
    except OSError:
        return 0.0
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except OSError:
            continue
    return total / tick


def count_clicks(env: dict) -> int:
    script = (
        "import django; django.setup()\nfrom advocacy.links import clicks\nclicks.flush()\n"
        "from advocacy.shares.models import ShareClick\nprint(ShareClick.objects.count())"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else -1


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)  # gunicorn's master and its workers: the group we started
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (client threads)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per round (wrk)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per server")
    parser.add_argument("--requests", type=int, default=20000, help="per round, Python client only")
    parser.add_argument("--postgres", default=None, help="postgres://user@host:port (default: SQLite)")
    parser.add_argument("--redis", default=None, help="REDIS_URL for the cache and the click buffer")
    parser.add_argument(
        "--full", action="store_true", help="also /l/ through the portal's full middleware (as before)"
    )
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="relais-bench-redirect-")
    env = _env(workdir, args.redis, args.postgres)
    code = seed(env)
    wrk = shutil.which("wrk")
    client = (
        f"wrk -t2 -c{args.connections}, {args.duration} s per round"
        if wrk
        else f"Python client ({args.connections} threads, {args.requests} requests per round: a floor)"
    )
    print(
        f"gunicorn sync x{args.workers}, {client}, {args.rounds} alternating rounds per server; "
        f"database: {'PostgreSQL' if args.postgres else 'SQLite'}, "
        f"cache and click buffer: {'Redis' if args.redis else 'database cache, in-process buffer'}; "
        f"{os.cpu_count()} CPUs, load average {_load()} before"
    )
    bare, tracked = "bare Django, no middleware", "tracked link /l/<code>"
    servers = {
        bare: ("bench.bench_redirect:bare_application", {"RELAIS_BENCH_BARE": "1"}),
        tracked: ("advocacy.wsgi:application", None),
    }
    full = "tracked, full middleware"
    if args.full:
        servers[full] = ("advocacy.wsgi:portal", None)  # the portal's handler: settings.MIDDLEWARE
    running = {label: serve(app, env, args.workers, extra) for label, (app, extra) in servers.items()}
    rounds: dict[str, list[dict]] = {label: [] for label in servers}
    sent = 0
    try:
        for label, (_proc, port) in running.items():
            load(port, f"/l/{code}", 4, 200)  # warm-up: imports, caches, connections
            sent += 200 if label != bare else 0
        for number in range(1, args.rounds + 1):
            for label, (proc, port) in running.items():
                cpu_before = cpu_seconds(proc.pid)
                if wrk:
                    r = load_wrk(port, f"/l/{code}", args.connections, args.duration)
                else:
                    r = load(port, f"/l/{code}", args.connections, args.requests)
                r["cpu_us"] = (cpu_seconds(proc.pid) - cpu_before) / max(r["n"], 1) * 1e6
                rounds[label].append(r)
                sent += r["n"] if label != bare else 0
                print(
                    f"  round {number} {label:>26}: {r['rps']:8,.0f} req/s   p50 {r['p50']:6.2f} ms   "
                    f"p99 {r['p99']:6.2f} ms   errors {r['errors']}   "
                    f"server CPU {r['cpu_us']:5.0f} us/request   load average {_load()}"
                )
    finally:
        for proc, _port in running.values():
            stop(proc)
    for label in [name for name in servers if name != bare]:
        pairs = [t["rps"] / b["rps"] for b, t in zip(rounds[bare], rounds[label], strict=True)]
        print(
            f"{label} / bare, round by round (against the bare round just before it): "
            + ", ".join(f"{p:.2f}x" for p in pairs)
            + f"; median {statistics.median(pairs):.2f}x"
        )
        best_bare, best = (max(rounds[name], key=lambda r: r["rps"]) for name in (bare, label))
        cpu = statistics.median(r["cpu_us"] for r in rounds[bare]) / statistics.median(
            r["cpu_us"] for r in rounds[label]
        )
        print(
            f"  best round of each: bare {best_bare['rps']:,.0f} req/s (p99 {best_bare['p99']:.2f} ms), "
            f"{label} {best['rps']:,.0f} req/s (p99 {best['p99']:.2f} ms): "
            f"{best['rps'] / best_bare['rps']:.2f}x; "
            f"server CPU per request (median of rounds): bare = {cpu:.2f}x {label}"
        )
    print(
        f"clicks recorded: {count_clicks(env)} (at least {sent} expected: every request wrk completed; "
        f"buffers are flushed when gunicorn stops its workers); load average {_load()} after"
    )


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
