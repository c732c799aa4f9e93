"""Bank-scale bench of the archive search pages on PostgreSQL: p50/p95 and queries per page, at two archive
sizes (issue 13).

    .venv/bin/python bench/bench_pages.py [--sizes 1000000,5000000] [--requests 200] [--concurrency 4]
                                          [--workers 2] [--pg postgres://postgres@127.0.0.1:5432]

1. Drops and re-creates the database ``relais_pages_bench`` (nothing else is touched), migrates, creates a
   compliance officer (TOTP enrolled, as the portal requires) and 10,000 advisers' accounts.
2. Fills the archive to the first size with a valid chain: records built and hashed in Python with the
   archive's own canonical form (``compliance/archive/chain.py``), loaded in one ``COPY`` with the
   secondary indexes dropped and rebuilt afterwards (an index build is faster than millions of index
   inserts; the triggers refuse UPDATE/DELETE only, so nothing is disabled). One record every 6 s from
   now on (timestamps follow the sequence, as in production): 1,000,000 records span 69 days, 5,000,000
   span 347. Each record is by one of the 10,000 advisers
   (``actor_id``/e-mail/name) and about them, of a declared event type, with a payload text in which
   "immobilier" appears in 1 record in 1,000 and "zanzibar" in 200 records (all within the first size).
   ``manage.py verify_archive`` must then pass (it is run and its verdict printed).
3. Serves the portal with gunicorn (sync workers, DEBUG off) and requests each search form at the given
   concurrency with a threaded ``http.client`` loop (new connection per request, as gunicorn's sync workers
   close them), signed in as the officer: warm-up, then ``--requests`` requests per form; prints p50/p95 per
   form, and the number of SQL queries the page runs (Django's test client in this process).
4. Appends records up to the next size (the chain continues from the head) and measures again.

Forms: no filter; no filter, an older page (``?before=`` the middle of the archive); adviser e-mail; event
type (``share.published``); event-type prefix (``share.``); a date range (one day, 10 days after the
start); free text rare (``zanzibar``, 200 records) and common (``immobilier``, 0.1 % of records); network
post id.

What this bench does not (yet) cover: the manager homes, compliance connections, My shares and the other
lists of issue 13 (shares and clicks are not seeded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# BENCH_DB: another name when several people bench on the same PostgreSQL server.
DB_NAME = os.environ.get("BENCH_DB", "relais_pages_bench")
STEP = dt.timedelta(seconds=6)
RARE_WORD_RECORDS = 200


def _env(pg: str, redis: str) -> dict:
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DATABASE_URL": f"{pg}/{DB_NAME}",
        "REDIS_URL": redis,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "TOKEN_ENCRYPTION_KEYS": os.environ.get("TOKEN_ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "RELAIS_VAR_DIR": str(ROOT / "var" / "bench-pages"),
        "LANGUAGE_CODE": "en",
    }


def recreate_database(pg: str, env: dict) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )


# --- The bank: people, content, shares, clicks, lists -----------------------------------------------------
# Volumes at --scale 1 (issue 13); the lists HR, marketing and compliance page through are a few hundred
# rows at any scale (they grow with time, not with the number of advisers).
ADVISERS = 10_000
BRANCHES = 500
REGIONS = 50
SHARES = 500_000
CLICKS = 5_000_000
SHARE_DAYS = 90
ITEMS = 60  # approved library items: each adviser's 50 published shares are of 50 different items
QUEUE_ITEMS = 40  # submitted, waiting in the review queue
CAMPAIGNS = 300
RUNNING_CAMPAIGNS = 12
LISTS = 300  # roster imports, exports, legal holds
PERSONA_EXTRA_SHARES = 1_000  # the measured adviser's older (deleted) shares: My shares has later pages


class Steps:
    """Times each seeding step and prints it as it ends."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def __call__(self, name: str):
        steps = self

        class _Step:
            def __enter__(self):
                self.started = time.monotonic()

            def __exit__(self, *exc):
                if exc[0] is None:
                    steps.times[name] = time.monotonic() - self.started
                    print(f"  seeded {name:<58} {steps.times[name]:6.1f} s", flush=True)

        return _Step()


def _staff(user_model, n: int, prefix: str, first: str, last: str):
    return [
        user_model(
            username=f"{prefix}{i:05d}@bench.test",
            email=f"{prefix}{i:05d}@bench.test",
            first_name=f"{first}{i}",
            last_name=f"{last}{i:05d}",
            password="!",  # noqa: S106 (unusable: the bench signs people in with force_login)
        )
        for i in range(n)
    ]


def seed_people(scale: float, step: Steps) -> dict:
    """The organisation: regions, branches, advisers, branch and regional managers (``bulk_create``: Django's
    own bulk path, a few batches of 5,000), and the head office through the product's services (compliance,
    HR, marketing; compliance TOTP enrolled, as the portal requires)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model

    from advocacy.org.models import Bank, Branch, ManagedRegion, Region, Role, StaffProfile, StaffRole
    from advocacy.org.privileges import bootstrap_grant
    from advocacy.org.services import StaffData, upsert_staff

    User = get_user_model()
    n_regions, n_branches = max(1, round(REGIONS * scale)), max(2, round(BRANCHES * scale))
    n_advisers = max(40, round(ADVISERS * scale))
    with step(f"organisation: {n_regions} regions, {n_branches} branches"):
        bank = Bank.objects.create(name="Banque Bench")
        regions = Region.objects.bulk_create(
            [Region(bank=bank, code=f"R{r:02d}", name=f"Région {r:02d}") for r in range(n_regions)]
        )
        branches = Branch.objects.bulk_create(
            [
                Branch(region=regions[b % n_regions], code=f"B{b:04d}", name=f"Agence {b:04d}", city="Lyon")
                for b in range(n_branches)
            ]
        )
    with step(f"people: {n_advisers:,} advisers, {n_branches} branch and {n_regions} regional managers"):
        advisers = User.objects.bulk_create(_staff(User, n_advisers, "adviser", "Prénom", "Conseiller"), 5000)
        bms = User.objects.bulk_create(_staff(User, n_branches, "bm", "Claire", "Agence"), 5000)
        rms = User.objects.bulk_create(_staff(User, n_regions, "rm", "Marc", "Region"), 5000)
        profiles = StaffProfile.objects.bulk_create(
            [
                StaffProfile(user=u, employee_id=f"A{i:06d}", branch=branches[i % n_branches], language="en")
                for i, u in enumerate(advisers)
            ]
            + [
                StaffProfile(user=u, employee_id=f"M{i:06d}", branch=branches[i], language="en")
                for i, u in enumerate(bms)
            ]
            + [
                StaffProfile(user=u, employee_id=f"R{i:06d}", branch=branches[i], language="en")
                for i, u in enumerate(rms)
            ],
            5000,
        )
        roles = [Role.ADVISER] * n_advisers + [Role.BRANCH_MANAGER] * n_branches
        roles += [Role.REGIONAL_MANAGER] * n_regions
        StaffRole.objects.bulk_create(
            [StaffRole(profile=p, role=r) for p, r in zip(profiles, roles, strict=True)], 5000
        )
        ManagedRegion.objects.bulk_create(
            [ManagedRegion(profile=p, region=regions[i]) for i, p in enumerate(profiles[-n_regions:])]
        )
    with step("head office: compliance, HR, marketing (services)"):
        head = {}
        for n, (key, role, first) in enumerate(
            [
                ("compliance", "compliance", "Chloé"),
                ("hr", Role.HR, "Nadia"),
                ("marketing", Role.MARKETING, "Léa"),
            ]
        ):
            profile, _ = upsert_staff(
                data=StaffData(
                    employee_id=f"H{n:05d}",
                    email=f"{key}@bench.test",
                    first_name=first,
                    last_name=key.title(),
                    branch=None,
                    roles=frozenset() if role == "compliance" else frozenset({role}),
                    language="en",
                )
            )
            if role == "compliance":
                bootstrap_grant(profile=profile, role=role, process="bench")
                TOTP.activate(profile.user, generate_totp_secret())
            head[key] = profile.user
    # The adviser measured is in the first branch, which the branch manager measured runs, in the region
    # the regional manager measured covers.
    return {
        **head,
        "adviser": advisers[0],
        "branch_manager": bms[0],
        "regional_manager": rms[0],
        "advisers": advisers,
        "branch_staff": advisers + bms + rms,
    }


def seed_content(people: dict, step: Steps) -> list:
    """Approved library items (rows as the workflow leaves them after approval, with their approved texts)
    and items waiting in the review queue."""
    from django.utils import timezone

    from advocacy.content import selectors as content_selectors
    from advocacy.content.models import ApprovedText, ContentItem, ContentVersion

    marketer, now = people["marketing"], timezone.now()
    with step(f"content: {ITEMS} approved items, {QUEUE_ITEMS} waiting for review"):
        items = []
        for n in range(ITEMS + QUEUE_ITEMS):
            approved = n < ITEMS
            status = "approved" if approved else "submitted"
            item = ContentItem.objects.create(
                title=f"Produit {n:03d}",
                category="market_news",
                origin="library",
                author=marketer,
                status=status,
                approved_at=now if approved else None,
            )
            version = ContentVersion.objects.create(
                item=item,
                number=1,
                text=f"Notre offre {n} est disponible en agence.",
                link_url="https://www.banque-bench.fr/offre",
                created_by=marketer,
                status=status,
                label="#PUB",
                submitted_at=now - dt.timedelta(hours=n),
            )
            item.current_version = version
            item.save(update_fields=["current_version"])
            if approved:
                for publishable in content_selectors.publishable_texts(version):
                    ApprovedText.objects.create(
                        version=version,
                        variant_id=publishable.variant_id,
                        slots=publishable.slots,
                        text=str.__str__(publishable),
                        fingerprint=publishable.fingerprint,
                    )
                items.append(item)
    return items


def _secondary_indexes(conn, table: str) -> list[tuple[str, str]]:
    """Indexes of ``table`` that no constraint owns (those can be dropped and rebuilt around a bulk load).
    A partitioned table's index is listed ``ON ONLY`` the parent: rebuilt without ``ONLY``, on every
    partition."""
    rows = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
        "AND i.indexname NOT IN (SELECT conname FROM pg_constraint)",
        (table,),
    ).fetchall()
    return [(name, definition.replace(" ON ONLY ", " ON ")) for name, definition in rows]


def seed_shares(pg: str, people: dict, items: list, scale: float, step: Steps) -> dict:
    """Shares and clicks, generated by PostgreSQL itself (``INSERT … SELECT`` over ``generate_series``:
    no row crosses the wire), with the tables' secondary indexes dropped first and built afterwards, then
    ``ANALYZE``. Every adviser publishes 50 shares, of 50 different items, over the last 90 days; a third
    belong to a campaign; the measured adviser also has 1,000 older deleted shares."""
    import psycopg
    from django.core.management import call_command

    from advocacy.campaigns.models import Campaign

    n_shares, n_clicks = max(1000, round(SHARES * scale)), max(10_000, round(CLICKS * scale))
    # The seeded months get their partitions (clicks up to a year back), as a backfill would.
    since = dt.date.today() - dt.timedelta(days=SHARE_DAYS * 4 + 31)
    call_command("ensure_partitions", "--since", since.strftime("%Y-%m"))
    advisers = people["advisers"]
    campaigns = list(Campaign.objects.order_by("pk").values_list("pk", flat=True))
    with psycopg.connect(f"{pg}/{DB_NAME}") as conn:
        conn.execute("CREATE TEMP TABLE bench_advisers (idx int PRIMARY KEY, user_id bigint)")
        with conn.cursor().copy("COPY bench_advisers FROM STDIN") as copy:
            for i, user in enumerate(advisers):
                copy.write_row((i, user.pk))
        conn.execute(
            "CREATE TEMP TABLE bench_items (idx int PRIMARY KEY, item_id bigint, version_id bigint, "
            "approved_text_id bigint, text text, fingerprint text)"
        )
        with conn.cursor().copy("COPY bench_items FROM STDIN") as copy:
            for i, item in enumerate(items):
                text = item.current_version.approved_texts.first()
                copy.write_row((i, item.pk, item.current_version_id, text.pk, text.text, text.fingerprint))
        conn.execute("CREATE TEMP TABLE bench_campaigns (idx int PRIMARY KEY, campaign_id bigint)")
        with conn.cursor().copy("COPY bench_campaigns FROM STDIN") as copy:
            for i, pk in enumerate(campaigns):
                copy.write_row((i, pk))
        dropped = _secondary_indexes(conn, "shares_share") + _secondary_indexes(conn, "shares_shareclick")
        for name, _definition in dropped:
            conn.execute(f'DROP INDEX "{name}"')
        columns = (
            "adviser_id, item_id, version_id, approved_text_id, text, fingerprint, sent_text, scheduled_for, "
            "status, attempts, unknown_outcomes, last_error, claim_token, send_started_at, network_post_id, "
            "post_url, account_username, x_user_id, published_at, link_code, delete_error, campaign_id, "
            "created_at, updated_at"
        )
        share_rows = (
            "SELECT a.user_id, i.item_id, i.version_id, i.approved_text_id, i.text, i.fingerprint, i.text, "
            "t.at, %(status)s, 1, 0, '', '', t.at, (1700000000000 + g)::text, "
            "'https://x.com/a/status/' || (1700000000000 + g), 'adv' || a.idx, (100000 + a.idx)::text, "
            "t.at, %(code)s || g, '', {campaign}, t.at, t.at "
            "FROM generate_series(0::bigint, %(n)s - 1) g "
            "JOIN bench_advisers a ON a.idx = {adviser} "
            "JOIN bench_items i ON i.idx = {item} "
            "CROSS JOIN LATERAL "
            "(SELECT now() - interval '{days} days' * (((g * 7919) %% 1000003) / 1000003.0) AS at) t"
        )
        with step(f"shares: {n_shares:,} published over {SHARE_DAYS} days (SQL, indexes dropped)"):
            conn.execute("SET session_replication_role = replica")  # generated ids: skip FK triggers
            sql = share_rows.format(
                campaign="CASE WHEN g %% 3 = 0 AND %(ncamp)s > 0 "
                "THEN (SELECT campaign_id FROM bench_campaigns WHERE idx = g %% %(ncamp)s) END",
                adviser="g %% %(nadv)s",
                item="(g / %(nadv)s) %% %(nitems)s",
                days=SHARE_DAYS,
            )
            conn.execute(
                f"INSERT INTO shares_share ({columns}) {sql}",
                {"status": "published", "code": "b", "n": n_shares, "nadv": len(advisers),
                 "nitems": len(items), "ncamp": len(campaigns)},
            )  # fmt: skip
            sql = share_rows.format(campaign="NULL", adviser="0", item="g %% %(nitems)s", days=SHARE_DAYS * 4)
            conn.execute(
                f"INSERT INTO shares_share ({columns}) {sql}",
                {"status": "deleted", "code": "d", "n": PERSONA_EXTRA_SHARES, "nitems": len(items)},
            )
        with step(f"clicks: {n_clicks:,} (SQL, indexes dropped)"):
            conn.execute(
                "CREATE TEMP TABLE bench_shares AS SELECT (row_number() OVER (ORDER BY id)) - 1 AS idx, id, "
                "published_at FROM shares_share"
            )
            conn.execute("ALTER TABLE bench_shares ADD PRIMARY KEY (idx)")
            total = conn.execute("SELECT count(*) FROM bench_shares").fetchone()[0]
            conn.execute(
                "INSERT INTO shares_shareclick (share_id, clicked_at, visitor) "
                "SELECT s.id, s.published_at + LEAST(interval '3 days', now() - s.published_at) * random(), "
                "substr(md5((g %% (%(n)s / 2))::text), 1, 32) "
                "FROM generate_series(0::bigint, %(n)s - 1) g "
                "JOIN bench_shares s ON s.idx = (g * 7919) %% %(total)s",
                {"n": n_clicks, "total": total},
            )
            conn.execute("SET session_replication_role = DEFAULT")
            conn.commit()
        with step("shares and clicks: indexes built, ANALYZE"):
            conn.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in dropped:
                conn.execute(definition)
            conn.commit()
    with psycopg.connect(f"{pg}/{DB_NAME}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE shares_share")
        conn.execute("VACUUM ANALYZE shares_shareclick")
    return {"shares": n_shares + PERSONA_EXTRA_SHARES, "clicks": n_clicks}


def seed_lists(people: dict, items: list, step: Steps) -> None:
    """Campaigns, roster imports, exports, legal holds (a few hundred each, ``bulk_create``), then the X
    accounts of every adviser and manager, all but the measured adviser's disconnected by a mass
    revocation, each with its open gap and two older closed gaps."""
    from django.utils import timezone

    from advocacy.accounts.models import RosterImport
    from advocacy.campaigns.models import Campaign
    from advocacy.networks.x.models import ConnectionGap, XAccount
    from compliance.archive.models import ArchiveExport, LegalHold

    now = timezone.now()
    day = dt.timedelta(days=1)
    with step(f"lists: {CAMPAIGNS} campaigns, {LISTS} roster imports, exports and legal holds"):
        campaigns = []
        for n in range(CAMPAIGNS):
            running = n >= CAMPAIGNS - RUNNING_CAMPAIGNS
            starts = now - day if running else now - day * (SHARE_DAYS * (CAMPAIGNS - n) / CAMPAIGNS) - day
            campaigns.append(
                Campaign(
                    item=items[n % len(items)],
                    name=f"Campagne {n:03d}",
                    starts_at=starts,
                    ends_at=now + 2 * day if running else starts + day,
                    created_by=people["marketing"],
                    status=Campaign.Status.CANCELLED if n % 10 == 7 else Campaign.Status.SCHEDULED,
                    targeted=len(people["advisers"]),
                    processed=len(people["advisers"]),
                    scheduled=len(people["advisers"]) // 20,
                    skipped=len(people["advisers"]) - len(people["advisers"]) // 20,
                    launched_at=starts,
                    finished_at=starts,
                )
            )
        Campaign.objects.bulk_create(campaigns)
        RosterImport.objects.bulk_create(
            [
                RosterImport(
                    uploaded_by=people["hr"],
                    original_filename=f"roster-{n:03d}.csv",
                    content=b"employee_id,email\n",
                    sha256="0" * 64,
                    status=RosterImport.Status.DONE,
                    started_at=now,
                    finished_at=now,
                    total_rows=10_550,
                    processed_rows=10_550,
                    unchanged_count=10_500 - n,
                    updated_count=50 + n,
                )
                for n in range(LISTS)
            ]
        )
        officer = people["compliance"]
        ArchiveExport.objects.bulk_create(
            [
                ArchiveExport(
                    requested_by_id=officer.pk,
                    requested_by_email=officer.email,
                    date_from=(now - day * 30).date(),
                    date_to=now.date(),
                    status=ArchiveExport.Status.DONE,
                    total=1000,
                    written=1000,
                    manifest_sha256="0" * 64,
                    finished_at=now,
                )
                for _ in range(LISTS)
            ]
        )
        advisers = people["advisers"]
        LegalHold.objects.bulk_create(
            [
                LegalHold(
                    user_id=advisers[n * 7 % len(advisers)].pk,
                    user_email=advisers[n * 7 % len(advisers)].email,
                    reason=f"Dossier {n}",
                    created_by_id=officer.pk,
                    created_by_email=officer.email,
                )
                for n in range(LISTS)
            ]
        )
        # auto_now_add stamped them all "now": spread them over the last months, as a history would be.
        for model in (RosterImport, ArchiveExport, LegalHold):
            for n, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True)):
                model.objects.filter(pk=pk).update(created_at=now - dt.timedelta(hours=6 * (LISTS - n)))
    staff = people["branch_staff"]
    with step(f"X accounts: {len(staff):,}, {len(staff) - 1:,} disconnected, {3 * (len(staff) - 1):,} gaps"):
        revoked = now - dt.timedelta(hours=2)
        accounts = XAccount.objects.bulk_create(
            [
                XAccount(
                    user=user,
                    x_user_id=str(100_000 + n),
                    username=f"adv{n}",
                    connected_at=now - day * 200,
                    status=XAccount.Status.CONNECTED if n == 0 else XAccount.Status.DISCONNECTED,
                    disconnected_reason="" if n == 0 else XAccount.Reason.REVOKED,
                    disconnected_at=None if n == 0 else revoked,
                )
                for n, user in enumerate(staff)
            ],
            5000,
        )
        gaps = []
        for account in accounts[1:]:
            gaps.append(ConnectionGap(account=account, started_at=now - day * 60, ended_at=now - day * 59,
                                      reason="invalid_grant"))  # fmt: skip
            gaps.append(ConnectionGap(account=account, started_at=now - day * 20, ended_at=now - day * 19,
                                      reason="invalid_grant"))  # fmt: skip
        for account in accounts[1:]:
            gaps.append(ConnectionGap(account=account, started_at=revoked, reason="invalid_grant"))
        ConnectionGap.objects.bulk_create(gaps, 5000)


def seed_bank(pg: str, scale: float) -> tuple[dict, dict]:
    step = Steps()
    people = seed_people(scale, step)
    items = seed_content(people, step)
    seed_lists(people, items, step)
    counts = seed_shares(pg, people, items, scale, step)
    import psycopg

    with step("ANALYZE"), psycopg.connect(f"{pg}/{DB_NAME}", autocommit=True) as conn:
        conn.execute("ANALYZE")
    return people, {**counts, "steps": step.times}


def fill(
    conn, people, start_seq: int, count: int, prev_hash: str, origin: dt.datetime, rare_until: int
) -> str:
    """Append records ``start_seq`` .. ``start_seq + count - 1`` by COPY; return the last hash. The rare
    word goes into 200 records up to ``rare_until`` (the first size), none after."""
    from compliance.archive import events
    from compliance.archive.chain import (
        canonical_json,
        canonical_record,
        payload_digest,
        record_hash,
        timestamp,
    )

    types = events.event_types()
    rare_every = max(1, rare_until // RARE_WORD_RECORDS)
    columns = (
        "seq, recorded_at, event_type, actor_id, actor_email, actor_name, subject_ref, subject_repr, "
        "subject_user_id, network_post_id, payload_json, payload_sha256, prev_hash, hash"
    )
    with conn.cursor() as cur, cur.copy(f"COPY archive_archiverecord ({columns}) FROM STDIN") as copy:
        for seq in range(start_seq, start_seq + count):
            when = origin + STEP * seq
            person_id, email, name = people[(seq * 7919) % len(people)]
            event = types[seq % len(types)]  # every declared type, evenly
            post = str(1_800_000_000 + seq) if event == "share.published" else ""
            words = "Publication du " + ("crédit immobilier" if seq % 1000 == 0 else "livret A")
            if seq <= rare_until and seq % rare_every == 3:
                words += " zanzibar"
            payload = canonical_json({"n": seq, "text": f"{words} #{seq}", "network_post_id": post or None})
            ref, rep = f"shares.share:{seq}", f"Share {seq}"
            canonical = canonical_record(
                seq, timestamp(when), event, person_id, email, name, ref, rep, person_id, post, payload
            )
            digest = record_hash(prev_hash, canonical)
            copy.write_row(
                (seq, when, event, person_id, email, name, ref, rep, person_id, post, payload,
                 payload_digest(payload), prev_hash, digest)
            )  # fmt: skip
            prev_hash = digest
    return prev_hash


def grow_archive(pg: str, people, target: int, origin: dt.datetime, rare_until: int) -> float:
    """Fill the archive up to ``target`` records (head included); indexes dropped and rebuilt around the
    COPY. Record ``seq`` is recorded at ``origin + seq * 6 s``: timestamps follow the sequence."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(f"{pg}/{DB_NAME}") as conn:
        seq, head_hash = conn.execute("SELECT seq, hash FROM archive_archivehead WHERE id = 1").fetchone()
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'archive_archiverecord' "
            "AND indexname NOT LIKE '%%pkey'"
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        last = fill(conn, people, seq + 1, target - seq, head_hash, origin, rare_until)
        conn.execute("UPDATE archive_archivehead SET seq = %s, hash = %s WHERE id = 1", (target, last))
        conn.commit()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            conn.execute(definition)
        conn.commit()
    with psycopg.connect(f"{pg}/{DB_NAME}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE archive_archiverecord")
    return time.monotonic() - started


def forms(people, total: int, origin: dt.datetime) -> dict[str, dict]:
    from compliance.archive import events

    day = (origin + dt.timedelta(days=10)).date().isoformat()
    types = events.event_types()
    post_seq = next(seq for seq in range(total // 3, total) if types[seq % len(types)] == "share.published")
    return {
        "no filter": {},
        "no filter, older page": {"before": str(total // 2)},
        "adviser e-mail": {"adviser": people[42].email.upper()},
        "event type": {"event_type": "share.published"},
        "event type prefix": {"event_type": "share."},
        "date range (1 day)": {"date_from": day, "date_to": day},
        "free text, rare (200)": {"text": "zanzibar"},
        "free text, 0.1 %": {"text": "immobilier"},
        "network post id": {"network_post_id": str(1_800_000_000 + post_seq)},
    }


def count_queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def serve(env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "advocacy.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--log-level", "warning", "--chdir", str(ROOT)],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("gunicorn did not start")


def load(port: int, path: str, cookie: str, requests: int, concurrency: int) -> list[float]:
    """``requests`` GETs of ``path`` from ``concurrency`` threads; latencies in ms (non-200 is fatal)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    remaining = [requests]

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            conn.close()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    errors.append(f"{response.status} {path}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        sys.exit(f"errors: {errors[:3]}")
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def pages(people: dict, share_pk_middle: int) -> list[tuple[str, str, str]]:
    """(page, who, path) for every page of issue 13 but the archive search."""
    from django.urls import reverse

    from advocacy.networks.x.selectors import disconnected_accounts
    from advocacy.web.paging import time_cursor

    home, connections = reverse("portal:home"), reverse("xnetwork:compliance_connections")
    shares = reverse("shares:my_shares")
    # Page 100 of the revoked accounts (Older from page 99, a (time, id) cursor): once an OFFSET of 4,950.
    deep = disconnected_accounts().values_list("disconnected_at", "pk")[99 * 50 - 1]
    return [
        ("branch manager home", "branch_manager", home),
        ("regional manager home", "regional_manager", home),
        ("regional home, by branch, page 3", "regional_manager", f"{home}?team_sort=branch&page=3"),
        ("adviser home", "adviser", home),
        ("library feed", "adviser", reverse("content:library")),
        ("My shares", "adviser", shares),
        ("My shares, older page", "adviser", f"{shares}?before={share_pk_middle}"),
        ("compliance connections", "compliance", connections),
        ("connections, later pages", "compliance",
         f"{connections}?before={time_cursor(*deep)}&gaps_before=1000"),
        ("campaign list", "marketing", reverse("campaigns:list")),
        ("roster imports", "hr", reverse("accounts:roster")),
        ("exports", "compliance", reverse("archive:exports")),
        ("legal holds", "compliance", reverse("archive:legal_holds")),
        ("review queue", "compliance", reverse("review:queue")),
    ]


WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format("RESULT %f %f %d %d\\n", latency:percentile(50) / 1000,
                         latency:percentile(95) / 1000, summary.requests, b))
end
"""


def load_wrk(port: int, path: str, cookie: str, seconds: float, concurrency: int) -> tuple[float, float, int]:
    """``wrk`` at ``concurrency`` connections for ``seconds``: (p50 ms, p95 ms, requests); non-200 is fatal.
    wrk's latency runs from the request written to the response read (gunicorn's sync workers close each
    connection; wrk reconnects)."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    done = subprocess.run(
        ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
         "-s", script.name,
         "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    os.unlink(script.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    p50, p95, requests, bad = line.split()[1:]
    if int(bad):
        sys.exit(f"{bad} non-200 answers for {path}")
    return float(p50), float(p95), int(requests)


def cookie_for(user) -> tuple[object, str]:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client, "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(args, env, people, total, origin, share_pk_middle) -> dict[str, tuple[float, float, int]]:
    who_is_measured = ("branch_manager", "regional_manager", "adviser", "compliance", "marketing", "hr")
    sessions = {who: cookie_for(people[who]) for who in who_is_measured}
    searches = archive_forms({"people": people, "size": total, "origin": origin})
    groups = {"pages": pages(people, share_pk_middle), "archive search": searches}
    proc, port = serve(env, args.workers)
    results = {}
    try:
        for group, rows in groups.items():
            print(f"  [{group}] load average {_load_average()}", flush=True)
            for name, who, path in rows:
                client, cookie = sessions[who]
                queries = count_queries(client, path)
                if args.client == "wrk":
                    load_wrk(port, path, cookie, args.warmup, args.concurrency)
                    p50, p95, n = load_wrk(port, path, cookie, args.seconds, args.concurrency)
                else:
                    load(port, path, cookie, max(8, args.requests // 10), args.concurrency)
                    latencies = load(port, path, cookie, args.requests, args.concurrency)
                    p50, p95, n = statistics.median(latencies), percentile(latencies, 0.95), len(latencies)
                results[name] = (p50, p95, queries)
                print(f"  {name:<40} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {queries:3d} queries  "
                      f"({n} requests)", flush=True)  # fmt: skip
        print(f"  [end] load average {_load_average()}", flush=True)
    finally:
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return results


def verify(env) -> str:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", "verify_archive"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    verdict = (done.stdout.strip() or done.stderr.strip()).splitlines()[-1:]
    return f"exit {done.returncode} in {time.monotonic() - started:.0f}s: {' '.join(verdict)}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--scale", type=float, default=1.0, help="of the bank (advisers, shares, clicks)")
    parser.add_argument("--sizes", default="1000000,5000000", help="archive sizes to measure, ascending")
    parser.add_argument(
        "--client", choices=("wrk", "threads"), default="wrk" if shutil.which("wrk") else "threads"
    )
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per page (wrk)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds per page (wrk)")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page (threads)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument(
        "--seed-only", action="store_true", help="seed the bank and the archive to the sizes, measure nothing"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database BENCH_DB as an earlier --seed-only (or full) run left it, at its size",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    env = _env(args.pg, args.redis)
    os.environ.update(env)
    if args.reuse:
        measure_existing(args, env)
        return
    started = time.monotonic()
    recreate_database(args.pg, env)
    print(f"database created and migrated in {time.monotonic() - started:.0f}s", flush=True)
    import django

    django.setup()
    from django.core.cache import cache

    cache.clear()  # Redis db of the bench only
    people, seeded = seed_bank(args.pg, args.scale)
    print(f"bank seeded in {sum(seeded['steps'].values()):.0f}s: {len(people['advisers']):,} advisers, "
          f"{seeded['shares']:,} shares, {seeded['clicks']:,} clicks", flush=True)  # fmt: skip
    from advocacy.shares.models import Share

    mine = list(Share.objects.filter(adviser=people["adviser"]).order_by("pk").values_list("pk", flat=True))
    share_pk_middle = mine[len(mine) // 2]
    archive_people = [(u.pk, u.email, u.last_name) for u in people["advisers"]]
    # After the head office's own records (seq 1..n, recorded now): the timeline runs on from there.
    origin = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=1)
    all_results = {}
    for size in sizes:
        seconds = grow_archive(args.pg, archive_people, size, origin, sizes[0])
        print(f"archive at {size:,} records (filled and indexed in {seconds:.0f}s)", flush=True)
        if not args.skip_verify:
            print(f"  verify_archive: {verify(env)}", flush=True)
        if not args.seed_only:
            all_results[size] = measure(args, env, people, size, origin, share_pk_middle)
    if not args.seed_only:
        report(all_results, sizes)


def existing_bank() -> dict:
    """What a database seeded earlier (``--seed-only``) holds, read back from it: the people measured, the
    archive's size and time origin, and the middle of the measured adviser's shares (My shares' older
    page). Used by ``--reuse``, ``bench_pages_ratio.py`` and ``profile_pages.py``."""
    from django.contrib.auth import get_user_model

    from advocacy.shares.models import Share
    from compliance.archive.models import ArchiveHead, ArchiveRecord

    User = get_user_model()
    advisers = list(User.objects.filter(email__startswith="adviser").order_by("pk"))
    people = {key: User.objects.get(email=f"{key}@bench.test") for key in ("compliance", "hr", "marketing")}
    people.update(
        adviser=advisers[0],
        branch_manager=User.objects.get(email="bm00000@bench.test"),
        regional_manager=User.objects.get(email="rm00000@bench.test"),
        advisers=advisers,
    )
    size = ArchiveHead.objects.get(pk=1).seq
    origin = ArchiveRecord.objects.get(seq=size).recorded_at - STEP * size
    mine = list(Share.objects.filter(adviser=people["adviser"]).order_by("pk").values_list("pk", flat=True))
    return {"people": people, "size": size, "origin": origin, "share_pk_middle": mine[len(mine) // 2]}


def archive_forms(bank: dict) -> list[tuple[str, str, str]]:
    """(page, who, path) for each archive search form of ``bank`` (``existing_bank``)."""
    from django.urls import reverse

    search = reverse("archive:search")
    return [
        (f"archive: {name}", "compliance", f"{search}?{urllib.parse.urlencode(params)}" if params else search)
        for name, params in forms(bank["people"]["advisers"], bank["size"], bank["origin"]).items()
    ]


def measure_existing(args, env) -> None:
    """Measure a database seeded earlier (``--seed-only``): the people, the archive's size and its time
    origin are read back from it, so that the same pages are measured on a quiet machine without
    re-seeding (seeding 5,000,000 records takes longer than measuring them). Migrations added since the
    seeding are applied first."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    import django

    django.setup()
    bank = existing_bank()
    size = bank["size"]
    advisers = len(bank["people"]["advisers"])
    print(f"reusing {DB_NAME}: {advisers:,} advisers, archive at {size:,} records", flush=True)
    results = {size: measure(args, env, bank["people"], size, bank["origin"], bank["share_pk_middle"])}
    report(results, [size])


def report(all_results: dict, sizes: list[int]) -> None:
    """The table for bench/README.md, and which targets are met."""
    print("\n| page | " + " | ".join(f"{s:,} p50 / p95 (queries)" for s in sizes) + " | p95 ratio |")
    print("|---|" + "---|" * len(sizes) + "---|")
    misses = []
    for name in all_results[sizes[0]]:
        cells = []
        for size in sizes:
            p50, p95, queries = all_results[size][name]
            cells.append(f"{p50:.0f} / {p95:.0f} ms ({queries})")
            target = 200 if name.startswith("archive") else 150
            if p95 > target:
                misses.append(f"{name} at {size:,}: p95 {p95:.0f} ms > {target}")
        ratio = all_results[sizes[-1]][name][1] / max(0.001, all_results[sizes[0]][name][1])
        if name.startswith("archive") and len(sizes) > 1 and not 0.8 <= ratio <= 1.2:
            misses.append(f"{name}: 5M/1M p95 {ratio:.2f}x")
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio:.2f}x |")
    print("\ntargets missed:" if misses else "\nevery target met")
    for miss in misses:
        print(f"  {miss}")


if __name__ == "__main__":
    main()
