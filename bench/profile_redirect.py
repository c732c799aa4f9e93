"""The tracked-link redirect's CPU per request in process, against the bare Django redirect, and where it
goes.

    .venv/bin/python bench/profile_redirect.py --postgres postgres://postgres@127.0.0.1:5432 \
        --redis redis://127.0.0.1:6379/8 [--requests 5000] [--rounds 5] [--profile 30]

No server and no load generator (other agents share the machine): each round starts one child process per
application, as ``bench_redirect.py``'s gunicorn workers load them (the same settings, database and Redis,
``bench.bench_redirect:bare_application`` with ``RELAIS_BENCH_BARE=1`` and ``advocacy.wsgi:application``),
calls it ``--requests`` times with the environ gunicorn builds for wrk's request (``/l/<code>``, a browser
User-Agent), reads and closes each body as a WSGI server does, and reports the CPU of the whole process
(``time.process_time``: the request and the click-flushing thread) per request, with the garbage
collector's collections per 1,000 requests and the objects each request leaves in reference cycles
(``gc.DEBUG_SAVEALL`` over 200 more): a request that dies in a cycle is freed only by the collector, which
costs more under gunicorn than here (0fafef9: ~40 us a redirect, measured per request in the worker).
Rounds alternate bare, tracked, bare... so that a neighbour's burst hits both alike; the median of rounds
is the figure. What it leaves out, and ``bench_redirect.py`` keeps: gunicorn's own parsing and header
writing (more headers on the tracked response), sockets. ``--profile N`` prints the N most expensive
functions under cProfile (cumulative and own time), of each application (``--profile-app`` for one).

The database is ``relais_redirect_profile`` (dropped and re-created: not ``bench_redirect.py``'s, so that
both can run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_redirect  # noqa: E402

CHILD = r"""
import io, json, os, sys, time
app_path, code, n, profile = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
module, name = app_path.split(":")
import importlib
app = getattr(importlib.import_module(module), name)
UA = %(ua)r
base = {
    "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": f"/l/{code}", "QUERY_STRING": "",
    "RAW_URI": f"/l/{code}", "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
    "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000", "HTTP_HOST": "127.0.0.1:8000",
    "HTTP_USER_AGENT": UA, "HTTP_ACCEPT": "*/*", "wsgi.url_scheme": "http", "wsgi.version": (1, 0),
    "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    "wsgi.errors": sys.stderr, "wsgi.file_wrapper": None, "SERVER_SOFTWARE": "gunicorn/23.0.0",
}
statuses = {}
def start_response(status, headers, exc_info=None):
    statuses[status] = statuses.get(status, 0) + 1
def once():
    environ = dict(base)
    environ["wsgi.input"] = io.BytesIO(b"")
    body = app(environ, start_response)
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
for _ in range(500):  # warm-up: imports, connections, memos
    once()
statuses.clear()
if profile:
    import cProfile, pstats
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        once()
    prof.disable()
    stats = pstats.Stats(prof, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(profile)
    stats.sort_stats("tottime").print_stats(profile)
    print(json.dumps({"statuses": statuses}))
    sys.exit()
import gc
collections_before = sum(g["collections"] for g in gc.get_stats())
started = time.process_time()
for _ in range(n):
    once()
cpu = time.process_time() - started
collections = sum(g["collections"] for g in gc.get_stats()) - collections_before
gc.collect()
gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds after 200 more requests is kept, to be counted
for _ in range(200):
    once()
gc.collect()
garbage = len(gc.garbage) / 200
print(json.dumps({"us": cpu / n * 1e6, "statuses": statuses, "gc_per_1000": collections / n * 1000,
                  "garbage": garbage}))
"""


def run(app: str, env: dict, code: str, n: int, profile: int = 0) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD % {"ua": bench_redirect.UA}, app, code, str(n), str(profile)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(out.stderr)
    if profile:
        print(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default=None, help="postgres://user@host:port (default: SQLite)")
    parser.add_argument("--redis", default=None, help="REDIS_URL for the cache and the click buffer")
    parser.add_argument("--requests", type=int, default=5000, help="WSGI calls per round and application")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="print the N dearest functions (cProfile)")
    parser.add_argument("--profile-app", action="append", choices=("bare", "tracked"), help="(default: both)")
    args = parser.parse_args()
    bench_redirect.DB_NAME = "relais_redirect_profile"
    workdir = tempfile.mkdtemp(prefix="relais-profile-redirect-")
    env = bench_redirect._env(workdir, args.redis, args.postgres)
    code = bench_redirect.seed(env)
    bare_env = {**env, "RELAIS_BENCH_BARE": "1"}
    apps = {
        "bare": ("bench.bench_redirect:bare_application", bare_env),
        "tracked": ("advocacy.wsgi:application", env),
    }
    if args.profile:
        for label in args.profile_app or list(apps):
            print(f"=== {label} ===")
            print(run(*apps[label], code, args.requests, args.profile))
        return
    figures: dict[str, list[float]] = {label: [] for label in apps}
    for number in range(1, args.rounds + 1):
        line = []
        for label, (app, app_env) in apps.items():
            result = run(app, app_env, code, args.requests)
            assert set(result["statuses"]) == {"302 Found"}, result["statuses"]
            figures[label].append(result["us"])
            line.append(
                f"{label} {result['us']:6.1f} us ({result['gc_per_1000']:.1f} collections / 1,000, "
                f"{result['garbage']:.1f} objects left in cycles per request)"
            )
        print(f"  round {number}: " + ", ".join(line) + f"   load average {bench_redirect._load()}")
    bare, tracked = (statistics.median(figures[label]) for label in apps)
    print(
        f"CPU per request, median of {args.rounds} rounds of {args.requests}: bare {bare:.1f} us, "
        f"tracked {tracked:.1f} us (+{tracked - bare:.1f} us; bare / tracked = {bare / tracked:.2f}x)"
    )


if __name__ == "__main__":
    main()
