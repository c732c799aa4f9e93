"""Campaign fan-out to 10,000 advisers, run synchronously (what the Celery task does), timed.

    .venv/bin/python bench/bench_fanout.py [--advisers 10000] [--chunk 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/bench_fanout.py

Without DATABASE_URL: a fresh SQLite file under var/bench/. With DATABASE_URL (a server URL, with or without
a database name): the database ``relais_bench_fanout`` on that server is dropped and re-created; nothing
else is touched. Setup (not timed) bulk-creates the advisers, their roles, an auto-share opt-in each and a
connected X account each (tokens encrypted with the real crypto module, dummy values), then runs ANALYZE
(fresh statistics, as on a live site); the item has 1,000 approved wordings (one per distinct first name,
from a ``{first_name}`` template) so that texts differ.
Target: the fan-out in at most 10 s. Prints seconds, shares scheduled, distinct texts and archive events.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "relais_bench_fanout"


def _configure(server_url: str | None) -> str:
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    env = {
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "RELAIS_VAR_DIR": str(var),
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    if server_url:
        parts = urlsplit(server_url)
        server = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        env["DATABASE_URL"] = f"{server}/{DB_NAME}"
        label = f"PostgreSQL ({DB_NAME})"
    else:
        db = var / "bench_fanout.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
        label = f"SQLite ({db.name})"
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return label


def _seed(n: int):
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from advocacy.campaigns.models import AutoShareOptIn
    from advocacy.content.models import ApprovedText, ContentItem, ContentVariant, ContentVersion
    from advocacy.content.selectors import publishable_texts
    from advocacy.networks.crypto import encrypt
    from advocacy.networks.x.models import XAccount
    from advocacy.org.models import Bank, Branch, Region, Role, StaffProfile, StaffRole
    from compliance.review.models import ComplianceSettings

    User = get_user_model()
    now = timezone.now()
    bank = Bank.objects.create(name="Bench")
    regions = [Region.objects.create(bank=bank, code=f"R{r}", name=f"Region {r}") for r in range(4)]
    branches = [
        Branch.objects.create(region=regions[b % 4], code=f"B{b:03d}", name=f"Branch {b}", city=f"City{b}")
        for b in range(100)
    ]
    users = User.objects.bulk_create(
        [
            User(username=f"adv{i}", email=f"adv{i}@bench.test", first_name=f"Prenom{i % 1000}")
            for i in range(n + 1)
        ],
        batch_size=2000,
    )
    if users[0].pk is None:  # backends that do not return ids
        users = list(User.objects.order_by("pk"))
    author, advisers = users[0], users[1:]
    profiles = StaffProfile.objects.bulk_create(
        [
            StaffProfile(user=u, employee_id=f"E{u.pk}", branch=branches[i % 100] if i else None)
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    if profiles[0].pk is None:
        profiles = list(StaffProfile.objects.order_by("user_id"))
    StaffRole.objects.bulk_create(
        [StaffRole(profile=profiles[0], role=Role.MARKETING)]
        + [StaffRole(profile=p, role=Role.ADVISER) for p in profiles[1:]],
        batch_size=2000,
    )
    AutoShareOptIn.objects.bulk_create(
        [AutoShareOptIn(adviser=u, category="market_news") for u in advisers], batch_size=2000
    )
    access, refresh = encrypt("dummy-access-token"), encrypt("dummy-refresh-token")
    XAccount.objects.bulk_create(
        [
            XAccount(
                user=u,
                x_user_id=str(10_000_000 + u.pk),
                username=f"adv{u.pk}",
                access_token_encrypted=access,
                refresh_token_encrypted=refresh,
                expires_at=now + dt.timedelta(hours=2),
                connected_at=now,
            )
            for u in advisers
        ],
        batch_size=2000,
    )
    row = ComplianceSettings.current()
    row.allowed_domains = ["banque-test.fr"]
    row.save()
    item = ContentItem.objects.create(
        title="Livret Relais",
        category="market_news",
        origin="library",
        author=author,
        status="approved",
        approved_at=now,
    )
    version = ContentVersion.objects.create(
        item=item,
        number=1,
        text="Notre livret d'épargne est disponible en agence.",
        link_url="https://www.banque-test.fr/livret",
        label="#PUB",
        created_by=author,
        status="approved",
    )
    ContentVariant.objects.create(
        version=version, position=1, text="{first_name} vous présente le livret Relais."
    )
    item.current_version = version
    item.save(update_fields=["current_version"])
    texts = publishable_texts(version)
    ApprovedText.objects.bulk_create(
        [
            ApprovedText(
                version=version,
                variant_id=t.variant_id,
                slots=t.slots,
                text=str.__str__(t),
                fingerprint=t.fingerprint,
            )
            for t in texts
        ],
        batch_size=1000,
    )
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have by now on a live site
        cursor.execute("ANALYZE")
    return item, author, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisers", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=500)
    args = parser.parse_args()
    label = _configure(os.environ.get("DATABASE_URL"))

    import datetime as dt

    from django.utils import timezone

    from advocacy.campaigns import fanout, lifecycle
    from advocacy.campaigns.models import Campaign
    from advocacy.shares.models import Share
    from compliance.archive.models import ArchiveRecord

    started = time.perf_counter()
    item, author, approved = _seed(args.advisers)
    print(
        f"{label}: seeded {args.advisers} advisers, {approved} approved texts in "
        f"{time.perf_counter() - started:.1f} s"
    )
    now = timezone.now()
    campaign = lifecycle.create_campaign(
        item=item, starts_at=now, ends_at=now + dt.timedelta(days=2), actor=author
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FANNING_OUT)  # launch, no broker
    started = time.perf_counter()
    done = fanout.fan_out(campaign_id=campaign.pk, chunk_size=args.chunk)
    seconds = time.perf_counter() - started
    shares = Share.objects.filter(campaign=campaign)
    distinct = shares.values("fingerprint").distinct().count()
    events = ArchiveRecord.objects.filter(event_type="campaign.fanned_out_chunk").count()
    print(
        f"{label}: fan-out of {done.targeted} advisers in {seconds:.2f} s "
        f"(target <= 10 s): {done.scheduled} shares scheduled, {distinct} distinct texts, "
        f"{done.skipped} skipped, {events} chunk events, status {done.status}"
    )
    again = time.perf_counter()
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FANNING_OUT, cursor=0, processed=0)
    fanout.fan_out(campaign_id=campaign.pk, chunk_size=args.chunk)
    print(
        f"{label}: replay from the start in {time.perf_counter() - again:.2f} s, "
        f"shares now {shares.count()} (no duplicate)"
    )


if __name__ == "__main__":
    main()
