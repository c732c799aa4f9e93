"""Archive search at two archive sizes, measured side by side (issue 13: "the same figures at 1,000,000 and
5,000,000 archive records within 20 % of each other").

    .venv/bin/python bench/bench_pages_ratio.py [--small relais_bench13_1m] [--large relais_bench13]
        [--rounds 2] [--seconds 8] [--warmup 3] [--concurrency 4] [--workers 2] [--all-pages]

``bench_pages.py --reuse`` measures one database after the other, minutes apart, so a neighbour's load or
the disk cache's state lands on one size and not the other, and the ratio of two p95s taken minutes apart
swung from 0.44 to 1.40 at stop 21 on pages whose plans do not depend on the archive's size. Here both
databases (seeded by ``bench_pages.py --seed-only`` with the same bank, archives of different sizes) are
served at once by two gunicorn servers (2 sync workers each; the idle one costs nothing), and each form is
loaded with ``wrk`` on one size then the other, the order alternating from round to round. Prints each
round's p50/p95 per size, then per form the mean of the rounds' p95 at each size and their ratio.
``--all-pages`` adds the other pages of issue 13 (manager homes, lists).

The sessions, the people and the forms' parameters come from each database as ``bench_pages.py --reuse``
reads them (``--emit``, run in a subprocess per database: Django is set up for one database per process).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys

import bench_pages as bp


def emit(all_pages: bool) -> None:
    """In a subprocess for one database (``BENCH_DB``): print the forms' paths and a session cookie per
    person, as JSON."""
    import django

    os.environ.update(bp._env("postgres://postgres@127.0.0.1:5432", os.environ["BENCH_REDIS"]))
    django.setup()
    bank = bp.existing_bank()
    rows = bp.archive_forms(bank)
    if all_pages:
        rows = bp.pages(bank["people"], bank["share_pk_middle"]) + rows
    people, size = bank["people"], bank["size"]
    cookies = {}
    for _name, who, path in rows:
        if who not in cookies:
            client, cookies[who] = bp.cookie_for(people[who])
            client.get(path)  # the first request after sign-in writes the session
    print(json.dumps({"size": size, "rows": rows, "cookies": cookies}))


def _setup(db: str, redis: str, all_pages: bool) -> dict:
    env = {**os.environ, "BENCH_DB": db, "BENCH_REDIS": redis}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=bp.ROOT,
        env={
            **bp._env("postgres://postgres@127.0.0.1:5432", redis),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        },
        check=True,
    )
    args = [sys.executable, __file__, "--emit"] + (["--all-pages"] if all_pages else [])
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", default="relais_bench13_1m")
    parser.add_argument("--large", default="relais_bench13")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--all-pages", action="store_true")
    parser.add_argument("--emit", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.emit:
        emit(args.all_pages)
        return
    sizes = {}
    for db, redis in ((args.small, "redis://127.0.0.1:6379/12"), (args.large, "redis://127.0.0.1:6379/13")):
        data = _setup(db, redis, args.all_pages)
        env = {
            **bp._env("postgres://postgres@127.0.0.1:5432", redis),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        }
        proc, port = bp.serve(env, args.workers)
        sizes[db] = {**data, "proc": proc, "port": port}
        print(f"{db}: {data['size']:,} archive records, served on port {port}", flush=True)
    names = [name for name, _who, _path in sizes[args.small]["rows"]]
    p95s: dict[str, dict[str, list[float]]] = {name: {db: [] for db in sizes} for name in names}
    try:
        for round_ in range(args.rounds):
            order = list(sizes) if round_ % 2 == 0 else list(reversed(sizes))
            print(f"round {round_ + 1} (load average {bp._load_average()}), order {' then '.join(order)}")
            for index, name in enumerate(names):
                for db in order:
                    size = sizes[db]
                    _name, who, path = size["rows"][index]
                    cookie = size["cookies"][who]
                    bp.load_wrk(size["port"], path, cookie, args.warmup, args.concurrency)
                    p50, p95, n = bp.load_wrk(size["port"], path, cookie, args.seconds, args.concurrency)
                    p95s[name][db].append(p95)
                    print(
                        f"  {name:<36} {size['size']:>10,}  p50 {p50:6.1f}  p95 {p95:6.1f} ms ({n} requests)",
                        flush=True,
                    )
        print(f"[end] load average {bp._load_average()}")
    finally:
        for size in sizes.values():
            os.killpg(size["proc"].pid, signal.SIGTERM)
            size["proc"].wait(timeout=30)
    small, large = sizes[args.small]["size"], sizes[args.large]["size"]
    print(f"\n| page | {small:,} p95 (mean of rounds) | {large:,} p95 | ratio |")
    print("|---|---|---|---|")
    outside = []
    for name in names:
        a = sum(p95s[name][args.small]) / len(p95s[name][args.small])
        b = sum(p95s[name][args.large]) / len(p95s[name][args.large])
        ratio = b / max(a, 0.001)
        if not 0.8 <= ratio <= 1.2:
            outside.append(f"{name}: {ratio:.2f}x")
        print(f"| {name} | {a:.0f} ms | {b:.0f} ms | {ratio:.2f}x |")
    print("\nevery ratio within 20 %" if not outside else "\noutside 0.8-1.2: " + ", ".join(outside))


if __name__ == "__main__":
    main()
