"""The role dashboards at bank scale (issue 16, item 8: each page p95 ≤ 150 ms, gunicorn 2 workers, a load
tool; constant query counts are asserted in tests/dashboards).

    BENCH_DB=relais_bench13_1m BENCH_REDIS=redis://127.0.0.1:6379/12 \\
        .venv/bin/python bench/bench_dashboards.py [--seconds 8] [--warmup 3] [--concurrency 4] [--days 95]

Runs on a database seeded by ``bench/bench_pages.py --seed-only`` (10,000 advisers in 500 branches,
500,000 published shares over 90 days, 5,000,000 clicks; migrated first), adds metric snapshots up to
2,000,000 (``bench_rollup.seed_snapshots``: four reads per share) if fewer, rolls up the last ``--days``
UTC days (as beat does after each midnight; each day's seconds printed: the default covers the 90-day
period and the campaigns that overlap it, so the dashboards read complete days from the roll-up as they do
in production, not a raw tail of months) and today as beat left it ten minutes ago (the pages then read
today's rows and the last twelve minutes of events, the longest tail between two runs), then serves the
portal with
gunicorn and measures each dashboard with ``wrk`` at ``--concurrency``: p50/p95 and the queries the page
runs. Run it from a clean worktree on a quiet machine (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time

import bench_pages as bp
from bench_rollup import seed_snapshots


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--snapshots", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=95)
    args = parser.parse_args()
    env = bp._env(args.pg, args.redis)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=bp.ROOT, env=env, check=True
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from advocacy.campaigns.models import Campaign
    from advocacy.relationships.team import advisers_in_scope
    from advocacy.rollups import services

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM metrics_metricsnapshot")
        have = cursor.fetchone()[0]
        if have < args.snapshots:
            seed_snapshots(cursor, args.snapshots - have)
    today = timezone.now().astimezone(dt.UTC).date()
    slowest = 0.0
    began = time.monotonic()
    for back in range(args.days, -1, -1):
        # Today as the dashboards find it just before beat's next run (every ten minutes): its rows count
        # the events until ROLLUP_SETTLE_SECONDS before the last run, ten minutes ago, so the pages read
        # the longest tail they meet (about twelve minutes of the bank's events).
        now = timezone.now() - dt.timedelta(minutes=10) if back == 0 else None
        run = services.rollup_day(today - dt.timedelta(days=back), now=now)
        slowest = max(slowest, run.seconds)
    tail = timezone.now() - run.through
    print(
        f"roll-up of {args.days + 1} days: {time.monotonic() - began:.1f} s, slowest day {slowest:.2f} s; "
        f"today's rows until {run.through:%H:%M:%S} UTC (a tail of {tail.total_seconds() / 60:.0f} min)",
        flush=True,
    )
    # The state autovacuum leaves the roll-up in (it runs often there: today's rows are replaced every ten
    # minutes): the dashboards read it by index-only scans, which need the visibility map. Measured right
    # after a bulk roll-up, with no vacuum yet, the regional team page's sum visited 23,000 heap pages
    # (190 ms instead of 15).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE rollups_dailypostfigures")

    User = get_user_model()
    people = {key: User.objects.get(email=f"{key}@bench.test") for key in ("compliance", "marketing", "hr")}
    people["branch_manager"] = User.objects.get(email="bm00000@bench.test")
    people["regional_manager"] = User.objects.get(email="rm00000@bench.test")
    people["adviser"] = User.objects.filter(email__startswith="adviser").order_by("pk").first()
    campaign = Campaign.objects.order_by("-pk").first()
    in_branch = advisers_in_scope(people["branch_manager"]).order_by("pk").first()
    team = reverse("dashboards:team")
    pages = [
        ("my results, 30 days", "adviser", reverse("dashboards:my_results")),
        ("team, branch manager", "branch_manager", team),
        ("team, regional manager", "regional_manager", team),
        ("team, regional manager, 90 days", "regional_manager", f"{team}?days=90"),
        ("team, one adviser", "branch_manager", reverse("dashboards:team_adviser", args=[in_branch.pk])),
        ("campaigns", "marketing", reverse("dashboards:campaigns")),
        ("compliance figures", "compliance", reverse("dashboards:compliance")),
        ("recruitment reach", "hr", reverse("reach:offers")),
    ]
    if campaign is not None:
        pages.insert(6, ("one campaign", "marketing", reverse("dashboards:campaign", args=[campaign.pk])))
    cookies, queries = {}, {}
    for name, who, path in pages:
        client, cookie = cookies.get(who) or bp.cookie_for(people[who])
        cookies[who] = (client, cookie)
        client.get(path)  # the first request after sign-in writes the session
        queries[name] = bp.count_queries(client, path)
    proc, port = bp.serve(env, args.workers)
    results = {}
    try:
        for name, who, path in pages:
            bp.load_wrk(port, path, cookies[who][1], args.warmup, args.concurrency)
            results[name] = bp.load_wrk(port, path, cookies[who][1], args.seconds, args.concurrency)
            p50, p95, n = results[name]
            print(f"{name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {n} requests, {queries[name]} queries "
                  f"(load {bp._load_average()})", flush=True)  # fmt: skip
    finally:
        os.killpg(proc.pid, 15)
    print("\n| page | p50 ms | p95 ms | queries |\n|---|---|---|---|")
    for name, (p50, p95, _n) in results.items():
        print(f"| {name} | {p50:.0f} | {p95:.0f} | {queries[name]} |")


if __name__ == "__main__":
    main()
