"""In-process cost of the issue 13 pages on a ``bench_pages.py`` database: no server, no load tool.

    BENCH_DB=relais_pages_bench .venv/bin/python bench/profile_pages.py [--runs 20] [--only "adviser home"]
                                                                       [--profile "library feed"]

Each page is requested with Django's test client, signed in as the person ``bench_pages.py`` measures it
as, after three warm-up requests: the median and p90 of ``--runs`` requests (ms of wall time in this
process), the queries, the time they took seen from here (a ``connection.execute_wrapper``, so DEBUG stays
off), and the median CPU time of this process per request (Python: views, templates, middleware, the
driver), which a busy machine inflates less than wall time. ``--profile`` prints the cProfile of one
page (60 lines by cumulative time, 25 by own time). Safe on a shared machine: one request at a time, no
server.

At concurrency 4 against 2 sync workers, a page's p95 under ``bench_pages.py`` is about 2-3 times its
in-process time here, so a page must stay well under 50 ms here to reach the 150 ms target there.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class SqlTimer:
    """Counts queries and adds up their time (a public execute wrapper: works with DEBUG off)."""

    def __init__(self) -> None:
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", action="append", help="page name (repeatable); default every page")
    parser.add_argument("--profile", help="print the cProfile of this page")
    args = parser.parse_args()

    import bench_pages

    env = bench_pages._env(args.pg, args.redis)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    bank = bench_pages.existing_bank()
    size = bank["size"]
    rows = bench_pages.pages(bank["people"], bank["share_pk_middle"]) + bench_pages.archive_forms(bank)
    people = bank["people"]
    if args.only:
        rows = [row for row in rows if row[0] in args.only]
    clients = {}
    print(f"{bench_pages.DB_NAME}: archive at {size:,} records; {args.runs} runs per page after 3 warm-up")
    print(f"{'page':<40} {'median':>8} {'p90':>8} {'queries':>8} {'sql':>8} {'cpu':>8}")
    for name, who, path in rows:
        if who not in clients:
            clients[who] = Client()
            clients[who].force_login(people[who], backend="django.contrib.auth.backends.ModelBackend")
        client = clients[who]
        for _ in range(3):
            assert client.get(path).status_code == 200, (name, path)
        times, sql, cpu = [], [], []
        for _ in range(args.runs):
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
            sql.append(timer.seconds * 1000)
        median, p90 = statistics.median(times), sorted(times)[int(0.9 * (len(times) - 1))]
        sql_ms = statistics.median(sql)
        cpu_ms = statistics.median(cpu)
        print(f"{name:<40} {median:6.1f}ms {p90:6.1f}ms {timer.count:8d} {sql_ms:6.1f}ms {cpu_ms:6.1f}ms")
        if args.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                client.get(path)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
