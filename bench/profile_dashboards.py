"""In-process cost of the role dashboards (issue 16, item 8) on a ``bench_dashboards.py`` database: no
server, no load tool, safe on a shared machine (one request at a time).

    BENCH_DB=relais_bench13_1m .venv/bin/python bench/profile_dashboards.py [--runs 7] [--only campaigns]

Run ``bench_dashboards.py`` (or ``bench_rollup.seed_snapshots`` and ``manage.py rollup_days``) first so
that the database has its 2,000,000 snapshots and its days rolled up. Each dashboard is requested with
Django's test client, signed in as the person ``bench_dashboards.py`` measures it as, after two warm-up
requests: the median and the slowest of ``--runs`` requests (ms of wall time in this process), the median
CPU time of this process per request (``time.process_time``: what the other work on a shared machine moves
least) and the queries. Its p95 under ``bench_dashboards.py`` (concurrency 4, 2 workers) is about 2-3
times this.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import bench_pages as bp


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", action="append", help="pages whose name contains this (repeatable)")
    parser.add_argument(
        "--profile",
        metavar="N",
        type=int,
        default=0,
        help="after the timed runs, cProfile N more requests of each page and print the top functions",
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="after the timed runs, print each query of one more request with its time (ms) and its start",
    )
    args = parser.parse_args()
    os.environ.update(bp._env(args.pg, args.redis))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from advocacy.campaigns.models import Campaign
    from advocacy.relationships.team import advisers_in_scope

    User = get_user_model()
    people = {"marketing": User.objects.get(email="marketing@bench.test")}
    people["branch_manager"] = User.objects.get(email="bm00000@bench.test")
    people["regional_manager"] = User.objects.get(email="rm00000@bench.test")
    people["adviser"] = User.objects.filter(email__startswith="adviser").order_by("pk").first()
    in_branch = advisers_in_scope(people["branch_manager"]).order_by("pk").first()
    team, mine, listing = (
        reverse("dashboards:team"),
        reverse("dashboards:my_results"),
        reverse("dashboards:campaigns"),
    )
    pages = [
        ("my results, 30 days", "adviser", mine),
        ("my results, 90 days", "adviser", f"{mine}?days=90"),
        ("team, branch manager", "branch_manager", team),
        ("team, regional manager", "regional_manager", team),
        ("team, regional manager, 90 days", "regional_manager", f"{team}?days=90"),
        ("team, one adviser", "branch_manager", reverse("dashboards:team_adviser", args=[in_branch.pk])),
        ("campaigns", "marketing", listing),
        ("campaigns, 90 days", "marketing", f"{listing}?days=90"),
    ]
    campaign = Campaign.objects.order_by("-pk").first()
    if campaign is not None:
        pages.append(("one campaign", "marketing", reverse("dashboards:campaign", args=[campaign.pk])))
    clients = {}
    print(
        f"load average {bp._load_average()}\n\n"
        "| page | median ms | slowest ms | CPU ms | queries |\n|---|---|---|---|---|"
    )
    for name, who, path in pages:
        if args.only and not any(part in name for part in args.only):
            continue
        client = clients.setdefault(who, bp.cookie_for(people[who])[0])
        client.get(path)
        queries = bp.count_queries(client, path)
        times, cpu = [], []
        for _run in range(args.runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            assert client.get(path).status_code == 200, path
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        print(
            f"| {name} | {statistics.median(times):.0f} | {max(times):.0f} | {statistics.median(cpu):.0f} "
            f"| {queries} |",
            flush=True,
        )
        if args.queries:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            for query in captured.captured_queries:
                print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:150]}")
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _run in range(args.profile):
                client.get(path)
            profiler.disable()
            stats = pstats.Stats(profiler)
            print(f"\n{name}: {args.profile} requests profiled")
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
    print(f"\nload average {bp._load_average()}")


if __name__ == "__main__":
    main()
