"""A real Celery worker on Redis and PostgreSQL publishing a few hundred shares while the sandbox misbehaves.

Run with (one line):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_publishing REDIS_URL=redis://127.0.0.1:6379/3
    .venv/bin/python -m pytest tests/publishing/test_reliability.py -m services
"""

from __future__ import annotations

import collections
import random
import time

import pytest

from advocacy.shares import services
from advocacy.shares.integrity import verify_shares
from advocacy.shares.models import Share
from compliance.archive.models import ArchiveRecord

from .conftest import faults, sandbox_state

ADVISERS = 40
ITEMS = 6


@pytest.mark.services
def test_hundreds_of_shares_under_429s_5xx_timeouts_and_latency_each_end_once(
    worker_connections_closed, celery_worker_for_tests, sandbox, settings, make_staff, connect, make_item
):
    settings.X_RETRY_BASE_SECONDS = 1
    settings.X_RETRY_MAX_SECONDS = 2
    settings.X_UNKNOWN_RECHECK_SECONDS = 0
    settings.X_PUBLISH_MAX_ATTEMPTS = 10
    settings.X_TIMEOUT_SECONDS = 2
    settings.PUBLIC_BASE_URL = "https://relais.banque-test.fr"
    items = [make_item(title=f"Item {n}", text=f"Actualité numéro {n} de la banque.") for n in range(ITEMS)]
    advisers = []
    for n in range(ADVISERS):
        person = make_staff("adviser", first_name=f"Conseiller{n}")
        connect(person, f"adv_{n:03d}")
        advisers.append(person)
    rng = random.Random(7)
    faults(sandbox, latency_ms=15, reset_after_s=1, timeout_mode="close", endpoints=["POST /2/tweets"])
    for person in advisers:  # on_commit -> .delay() through Redis -> the worker
        for item in items:
            services.schedule_share(adviser=person, item=item, when=None, actor=person)
    total = ADVISERS * ITEMS
    deadline = time.monotonic() + 240
    from advocacy.shares.tasks import publish_due_shares

    while time.monotonic() < deadline:
        faults(
            sandbox,
            rate_limit_next=rng.randint(0, 3),
            error_5xx_next=rng.randint(0, 3),
            timeout_after_commit_next=rng.randint(0, 2),
        )
        publish_due_shares.delay()  # what beat does every 30 s, faster here
        time.sleep(1)
        open_ = Share.objects.exclude(status__in=[Share.Status.PUBLISHED, Share.Status.FAILED]).count()
        if open_ == 0:
            break
    faults(sandbox, clear=True)
    statuses = collections.Counter(Share.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == total
    assert set(statuses) <= {Share.Status.PUBLISHED, Share.Status.FAILED}, statuses
    assert not Share.objects.filter(status=Share.Status.FAILED, last_error="").exists()
    state = sandbox_state(sandbox)
    texts = collections.Counter(t["text"] for t in state["tweets"] if not t["deleted"])
    assert all(count == 1 for count in texts.values()), "a text was posted twice"
    for share in Share.objects.all():
        expected = 1 if share.status == Share.Status.PUBLISHED else 0
        assert texts.get(share.sent_text or "-", 0) == expected, (share.pk, share.status, share.last_error)
    assert (
        len(set(Share.objects.exclude(network_post_id="").values_list("network_post_id", flat=True)))
        == (statuses[Share.Status.PUBLISHED])
    )
    # The archive tells the same story: every post live on the sandbox has exactly one share.published
    # record, and every share's archived events replay to its status.
    live_ids = [t["id"] for t in state["tweets"] if not t["deleted"]]
    published_records = collections.Counter(
        ArchiveRecord.objects.filter(event_type="share.published").values_list("network_post_id", flat=True)
    )
    assert {post_id: published_records[post_id] for post_id in live_ids} == dict.fromkeys(live_ids, 1)
    assert sum(published_records.values()) == len(live_ids)
    check = verify_shares()
    assert check.ok, check.problems[:5]
    print(f"\n{total} shares: {dict(statuses)}; sandbox create calls {state['counters']['create_calls']}")
