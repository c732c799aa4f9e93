"""Relationship pages at scale on PostgreSQL: an adviser's prospects, the managers' team page, the digest.

Run inside the project against a scratch PostgreSQL database (it adds 300 advisers and 300,000 interactions,
skewed as engagement is: one adviser holds over half), e.g.::

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_scratch .venv/bin/python manage.py migrate
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_scratch \
        .venv/bin/python manage.py shell < bench/bench_relationship_pages.py
"""

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from advocacy.org.models import Bank, Branch, Region, Role, StaffProfile, StaffRole
from advocacy.relationships import team
from advocacy.relationships.engagers import count_engagements
from advocacy.relationships.models import Interaction
from advocacy.relationships.prospects import prospects_of
from advocacy.relationships.signals import weekly_digest

random.seed(4)
User = get_user_model()
N_ADVISERS, N_ROWS, N_ACTORS = 300, 300_000, 60_000
if not Interaction.objects.filter(key__startswith="bench:").exists():
    bank = Bank.objects.first() or Bank.objects.create(name="Bench")
    region = Region.objects.create(bank=bank, code="BR", name="Bench region")
    branch = Branch.objects.create(region=region, code="BB01", name="Bench branch", city="Lyon")
    advisers = []
    for n in range(N_ADVISERS):
        u = User.objects.create(
            username=f"bench{n}", email=f"bench{n}@bench.test", first_name="A", last_name=f"Bench{n:03d}"
        )
        p = StaffProfile.objects.create(user=u, branch=branch, employee_id=f"B{n:05d}")
        StaffRole.objects.create(profile=p, role=Role.ADVISER)
        advisers.append(u)
    manager = User.objects.create(username="benchmgr", email="benchmgr@bench.test")
    mp = StaffProfile.objects.create(user=manager, branch=branch, employee_id="BMGR")
    StaffRole.objects.create(profile=mp, role=Role.BRANCH_MANAGER)
    now = timezone.now()
    rows = []
    for i in range(N_ROWS):
        a = advisers[int(random.paretovariate(1.2)) % N_ADVISERS]
        actor = random.randrange(N_ACTORS)
        rows.append(
            Interaction(
                adviser_id=a.pk,
                kind=random.choice(["like", "like", "repost", "mention", "follow"]),
                key=f"bench:{i}",
                actor_id=str(10**9 + actor),
                actor_username=f"p{actor}",
                occurred_at=now - dt.timedelta(minutes=random.randrange(60 * 24 * 120)),
                via="poll",
            )
        )
        if len(rows) == 10_000:
            Interaction.objects.bulk_create(rows)
            count_engagements(rows)  # what ingestion keeps alongside (the prospects' summaries)
            rows = []
    Interaction.objects.bulk_create(rows)
    count_engagements(rows)
    with connection.cursor() as c:
        c.execute("ANALYZE")

top = Interaction.objects.values("adviser_id").annotate(n=Count("id")).order_by("-n").first()
busiest = User.objects.get(pk=top["adviser_id"])
manager = User.objects.get(username="benchmgr")
print(
    "interactions",
    Interaction.objects.count(),
    "busiest adviser rows",
    Interaction.objects.filter(adviser=busiest).count(),
)


def timed(label, fn, runs=5):
    fn()
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        fn()
        t.append((time.perf_counter() - s) * 1000)
    t.sort()
    print(f"{label}: median {t[len(t) // 2]:.1f} ms (min {t[0]:.1f})")


timed(
    "prospects page 1 of the busiest adviser (count + page)",
    lambda: list(Paginator(prospects_of(busiest), 50).get_page(1).object_list),
)
timed(
    "prospects search q=p12",
    lambda: list(Paginator(prospects_of(busiest, q="p12"), 50).get_page(1).object_list),
)
for sort in ("name", "-prospects"):
    timed(
        f"team page sorted {sort} ({N_ADVISERS} advisers)",
        lambda sort=sort: team.rows_of(
            Paginator(team.sorted_by(team.with_figures(team.advisers_in_scope(manager)), sort)[0], 50)
            .get_page(1)
            .object_list
        ),
    )
timed(
    "weekly digest (all advisers)", lambda: weekly_digest(now=timezone.now() + dt.timedelta(days=7)), runs=1
)
with connection.cursor() as c:
    qs = prospects_of(busiest)[:50]
    sql, params = qs.query.sql_with_params()
    c.execute("EXPLAIN ANALYZE " + sql, params)
    print("\n".join(r[0] for r in c.fetchall()[:12]))
