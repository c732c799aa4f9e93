"""HR's report for one job offer at scale on PostgreSQL: 2,000 sharers, 200,000 clicks, 5,000 applications.

Seeds (once, marked ``bench-reach``) 2,000 employees in 20 branches and 4 regions, each with an X account, a
published share of one job offer, a metrics snapshot, a follower sketch of 100-1,500 followers drawn from a
300,000-person population (Redis HyperLogLog keys with ``REDIS_URL``, DataSketches rows without), 200,000
tracked-link clicks over 30 days (rolled up per day, as the beat does) and 5,000 applications attributed to
the shares (one in ten hired). The
raw sum of followers is far above ``AUDIENCE_EXACT_MAX_FOLLOWERS``, so the audience is the sketches' union,
as it would be at this size. Then requests the page as HR through Django's test client ``--runs`` times
and prints the query count and p50/p95, with the CPU time of this process (target p95 <= 150 ms,
issue 15 item 8). Run against a scratch
database (the lead runs it on a quiet machine)::

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_scratch .venv/bin/python manage.py migrate
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_scratch \
        REDIS_URL=redis://127.0.0.1:6379/5 \
        BENCH_RUNS=50 .venv/bin/python manage.py shell < bench/bench_reach_page.py
"""

import datetime as dt
import gc
import os
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

# The page as gunicorn's workers serve it: advocacy.wsgi sets a worker up and freezes its start-up heap out of
# the garbage collector (every full collection walked it, 90-190 ms: the p95 was those pauses).
from advocacy import wsgi  # noqa: F401
from advocacy.audience import sketches
from advocacy.audience.hashing import key_fingerprint
from advocacy.audience.models import FollowerSketch
from advocacy.content.models import ApprovedText, ContentItem, ContentVersion, JobOffer
from advocacy.metrics.models import MetricSnapshot
from advocacy.networks.x.models import XAccount
from advocacy.org.models import Bank, Branch, Region, Role, StaffProfile, StaffRole
from advocacy.recruitment.models import Application, ATSProfile
from advocacy.rollups.models import RollupRun
from advocacy.rollups.services import rollup_day
from advocacy.shares.models import Share, ShareClick

random.seed(15)
User = get_user_model()
N_SHARERS, N_CLICKS, N_APPLICATIONS, POPULATION = 2_000, 200_000, 5_000, 300_000
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
now = timezone.now()

offer = JobOffer.objects.filter(job_reference="BENCH-REACH").first()
if offer is None:
    t0 = time.perf_counter()
    bank = Bank.objects.first() or Bank.objects.create(name="Bench")
    regions = [Region.objects.create(bank=bank, code=f"BRR{r}", name=f"Bench region {r}") for r in range(4)]
    branches = [
        Branch.objects.create(
            region=regions[b % 4], code=f"BRB{b:02d}", name=f"Bench branch {b:02d}", city="Lyon"
        )
        for b in range(20)
    ]
    author = User.objects.create(username="bench-reach-hr", email="bench-reach-hr@bench.test")
    hr_profile = StaffProfile.objects.create(user=author, employee_id="BRHR0")
    StaffRole.objects.create(profile=hr_profile, role=Role.HR)
    item = ContentItem.objects.create(
        title="Bench offer",
        category="recruitment",
        origin="library",
        author=author,
        status="approved",
        approved_at=now,
    )
    version = ContentVersion.objects.create(
        item=item,
        number=1,
        text="Nous recrutons.",
        link_url="https://jobs.bench.test/1",
        created_by=author,
        status="approved",
    )
    item.current_version = version
    item.save(update_fields=["current_version"])
    approved = ApprovedText.objects.create(version=version, text="Nous recrutons.", fingerprint="0" * 64)
    offer = JobOffer.objects.create(
        item=item,
        job_reference="BENCH-REACH",
        place="Lyon",
        contract_type="permanent",
        closes_on=now.date() + dt.timedelta(days=30),
    )
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench-reach-{n}",
                email=f"bench-reach-{n}@bench.test",
                first_name="E",
                last_name=f"Sharer{n:04d}",
            )
            for n in range(N_SHARERS)
        ]
    )
    profiles = StaffProfile.objects.bulk_create(
        [StaffProfile(user=u, employee_id=f"BR{n:05d}", branch=branches[n % 20]) for n, u in enumerate(users)]
    )
    StaffRole.objects.bulk_create([StaffRole(profile=p, role=Role.ADVISER) for p in profiles])
    accounts = XAccount.objects.bulk_create(
        [
            XAccount(user=u, x_user_id=f"9{n:08d}", username=f"bench_reach_{n}", connected_at=now)
            for n, u in enumerate(users)
        ]
    )
    shares = Share.objects.bulk_create(
        [
            Share(
                adviser=u,
                item=item,
                version=version,
                approved_text=approved,
                text="Nous recrutons.",
                fingerprint="0" * 64,
                scheduled_for=now - dt.timedelta(days=n % 30),
                status="published",
                published_at=now - dt.timedelta(days=n % 30),
                network_post_id=f"8{n:08d}",
                link_code=f"benchreach{n:05d}",
            )
            for n, u in enumerate(users)
        ]
    )
    MetricSnapshot.objects.bulk_create(
        [
            MetricSnapshot(
                share=s, post_id=s.network_post_id, read_at=now, impressions=random.randint(50, 5000)
            )
            for s in shares
        ]
    )
    rows = []
    for account in accounts:
        n = random.randint(100, 1500)
        ids = [str(int(random.paretovariate(0.6) * 1000) % POPULATION) for _ in range(n)]
        blob = sketches.build(account.pk, ids)
        rows.append(
            FollowerSketch(
                account=account,
                followers=n,
                read_at=now,
                sketch=blob,
                backend=sketches.backend_name(),
                key_fingerprint=key_fingerprint(),
            )
        )
    FollowerSketch.objects.bulk_create(rows)
    # The clicks go back 30 days: their months' partitions first, as a backfill does (docs/scale.md), or
    # they would all land in the DEFAULT partition, which every click query then scans whole.
    call_command("ensure_partitions", since=f"{(now - dt.timedelta(days=31)):%Y-%m}")
    for _chunk in range(0, N_CLICKS, 20_000):
        ShareClick.objects.bulk_create(
            [
                ShareClick(
                    share=random.choice(shares),
                    clicked_at=now - dt.timedelta(minutes=random.randint(0, 43_000)),
                    visitor=f"{random.getrandbits(120):030x}",
                )
                for _ in range(20_000)
            ]
        )
    profile = ATSProfile.objects.create(name="Bench ATS", slug="bench-reach", vendor="generic")
    place = {p.user_id: p.branch for p in profiles}
    applications = []
    for n in range(N_APPLICATIONS):
        share = random.choice(shares)
        branch = place[share.adviser_id]
        hired = n % 10 == 0
        applications.append(
            Application(
                profile=profile,
                external_id=f"BR-{n}",
                job_reference="BENCH-REACH",
                item=item,
                share=share,
                employee_id=share.adviser_id,
                branch=branch,
                region_id=branch.region_id,
                stage="hired" if hired else "applied",
                applied_at=now - dt.timedelta(hours=random.randint(0, 700)),
                hired_at=now if hired else None,
            )
        )
    Application.objects.bulk_create(applications, batch_size=2_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - t0:.0f} s")

if not RollupRun.objects.exists():  # what the beat's roll-up has done by now: every past day, today so far
    t0 = time.perf_counter()
    today = now.astimezone(dt.UTC).date()
    for back in range(31, -1, -1):
        rollup_day(today - dt.timedelta(days=back))
    print(f"rolled up 32 days in {time.perf_counter() - t0:.0f} s")

hr = User.objects.get(username="bench-reach-hr")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(hr)
url = f"/reach/{offer.pk}/"
assert client.get(url).status_code == 200
with CaptureQueriesContext(connection) as queries:
    assert client.get(url).status_code == 200
# Counted now: the captured list is read lazily from the connection's log, which the next request resets.
query_count = len(queries)
timings, cpu = [], []
full_collections = gc.get_stats()[2]["collections"]
for _ in range(RUNS):
    t, c = time.perf_counter(), time.process_time()
    response = client.get(url)
    timings.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)  # this process only: what a busy machine does not inflate
    assert response.status_code == 200
timings.sort()
cpu.sort()
full_collections = gc.get_stats()[2]["collections"] - full_collections
print(
    f"load average {os.getloadavg()[0]:.1f}; backend {sketches.backend_name()}; {query_count} queries; "
    f"{full_collections} full garbage collections in {RUNS} views"
)
print(
    f"HR offer page, {N_SHARERS} sharers, {N_CLICKS:,} clicks, {N_APPLICATIONS:,} applications: "
    f"p50 {statistics.median(timings):.0f} ms, p95 {timings[int(0.95 * (len(timings) - 1))]:.0f} ms "
    f"(CPU of this process: p50 {statistics.median(cpu):.0f} ms, "
    f"p95 {cpu[int(0.95 * (len(cpu) - 1))]:.0f} ms; "
    "the rest is the database, Redis and the machine)"
)
