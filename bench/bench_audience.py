"""A job offer's deduplicated audience: the HyperLogLog estimate against the exact union, and union times.

Generates ``--sharers`` employees (default 2,000) whose follower sets overlap as a bank's do: follower counts
long-tailed (log-normal, median ~250), followers drawn from one population (``--population``, default
400,000) with a popularity skew, so the same people follow many sharers. Every follower id is hashed as
production hashes it (``advocacy.audience.hashing``, HMAC under ``AUDIENCE_HASH_KEY``), then:

* exact: the set union of the ids;
* embedded: one DataSketches HLL per sharer (``sketches.build``, serialised as stored), their union
  (deserialise + ``hll_union``, as ``sketches.union_count`` does; wall time and this process's CPU time,
  which a busy machine does not inflate);
* Redis (``--redis-url``, default db 5 on loopback): one HyperLogLog key per sharer (``PFADD``), then
  ``PFCOUNT`` over the 2,000 keys (what the page calls) and ``PFMERGE`` into one key then ``PFCOUNT``.

Prints each estimate's error against the exact union over ``--rounds`` generated sets, and the union times
(median and p95 of ``--repeat`` timings). Run::

    .venv/bin/python bench/bench_audience.py [--sharers 2000] [--rounds 5] [--redis-url redis://127.0.0.1:6379/5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.pop("REDIS_URL", None)  # the embedded backend below; Redis is driven directly

import django

django.setup()

import datasketches  # noqa: E402
import redis  # noqa: E402

from advocacy.audience import sketches  # noqa: E402
from advocacy.audience.hashing import follower_hash  # noqa: E402


def generate(rng: random.Random, sharers: int, population: int) -> list[list[str]]:
    weights_cut = [int(population * (i / 50) ** 2) for i in range(1, 51)]  # popularity: quadratic buckets
    sets = []
    for _ in range(sharers):
        n = min(int(rng.lognormvariate(5.5, 1.1)), population // 4)
        ids = set()
        while len(ids) < n:
            bucket = weights_cut[min(int(rng.expovariate(1 / 8)), 49)]
            ids.add(str(rng.randrange(bucket or 1)))
        sets.append(sorted(ids))
    return sets


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sharers", type=int, default=2000)
    parser.add_argument("--population", type=int, default=400_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; {args.sharers} sharers, population {args.population:,}")
    client = redis.Redis.from_url(args.redis_url)
    prefix = "relais:bench-audience:"
    errors = {"datasketches": [], "redis": []}
    times = {
        "datasketches union": [],
        "datasketches union, CPU of this process": [],
        "redis PFCOUNT of 2,000 keys": [],
        "redis PFMERGE + PFCOUNT": [],
    }
    for round_ in range(args.rounds):
        rng = random.Random(round_)
        sets = generate(rng, args.sharers, args.population)
        raw = sum(len(s) for s in sets)
        exact = len(set().union(*map(set, sets)))
        blobs = [(i, sketches.build(i, ids)) for i, ids in enumerate(sets)]
        keys = [f"{prefix}{i}" for i in range(len(sets))]
        client.delete(*keys, f"{prefix}merged")
        pipe = client.pipeline(transaction=False)
        for key, ids in zip(keys, sets, strict=True):
            for start in range(0, len(ids), 5000):
                pipe.pfadd(key, *[follower_hash(x) for x in ids[start : start + 5000]])
        pipe.execute()
        for _ in range(args.repeat):
            t, cpu = time.perf_counter(), time.process_time()
            embedded = sketches.union_count(blobs)
            times["datasketches union"].append(time.perf_counter() - t)
            times["datasketches union, CPU of this process"].append(time.process_time() - cpu)
            t = time.perf_counter()
            in_redis = client.pfcount(*keys)
            times["redis PFCOUNT of 2,000 keys"].append(time.perf_counter() - t)
            t = time.perf_counter()
            client.pfmerge(f"{prefix}merged", *keys)
            merged = client.pfcount(f"{prefix}merged")
            times["redis PFMERGE + PFCOUNT"].append(time.perf_counter() - t)
        assert merged == in_redis
        errors["datasketches"].append((embedded - exact) / exact)
        errors["redis"].append((in_redis - exact) / exact)
        print(
            f"round {round_}: raw sum {raw:,}, exact union {exact:,}, datasketches {embedded:,} "
            f"({errors['datasketches'][-1]:+.2%}), redis {in_redis:,} ({errors['redis'][-1]:+.2%})"
        )
        client.delete(*keys, f"{prefix}merged")
    rel = abs(datasketches.hll_sketch.get_rel_err(True, True, sketches.LG_K, 1))
    for name, values in errors.items():
        rms = (sum(v * v for v in values) / len(values)) ** 0.5
        print(f"{name}: error over {len(values)} sets: RMS {rms:.2%}, worst {max(map(abs, values)):.2%}")
    print(
        f"standard errors shown on the page: datasketches {rel:.2%}, "
        f"redis {sketches.REDIS_STANDARD_ERROR:.2%}"
    )
    for name, values in times.items():
        print(
            f"{name}: median {statistics.median(values) * 1000:.1f} ms, p95 {pct(values, 0.95) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
