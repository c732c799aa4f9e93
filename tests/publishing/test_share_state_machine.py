"""One door for a share's status: every move through ``transitions.transition``, archived only when made,
and the archive replaying to every share's status (``verify_shares``). X calls go through tweepy to the
sandbox."""

from __future__ import annotations

import ast
import datetime as dt
import os
import pathlib
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from advocacy.shares import services
from advocacy.shares.integrity import verify_shares
from advocacy.shares.models import Share
from advocacy.shares.transitions import TRANSITIONS
from compliance.archive.events import SchemaError
from compliance.archive.models import ArchiveRecord
from compliance.archive.services import record

from .conftest import faults, live_posts

ROOT = pathlib.Path(__file__).resolve().parents[2]
S = Share.Status


def _sources():
    for folder in ("advocacy", "compliance"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts and "xsandbox" not in path.parts:
                yield path, ast.parse(path.read_text())


def _uses_share_transitions(path, tree) -> bool:
    """The share engine's modules: transitions.py itself and whoever imports from it (other state machines,
    such as replies', have their own ``transition``)."""
    if path.parts[-2:] == ("shares", "transitions.py"):
        return True
    return any(
        isinstance(node, ast.ImportFrom) and node.module == "advocacy.shares.transitions"
        for node in ast.walk(tree)
    )


def test_every_listed_move_is_made_by_the_code_and_every_move_made_is_listed():
    used = set()
    for path, tree in _sources():
        if not _uses_share_transitions(path, tree):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                "transition",
                "transition_many",
                "_move",
            ):
                action = node.args[1] if len(node.args) > 1 else None
                if len(node.args) > 2 and getattr(node.func, "id", None) == "_move":
                    action = node.args[2]
                if isinstance(action, ast.Constant):
                    used.add(action.value)
    assert used == set(TRANSITIONS)


def test_nothing_but_the_transition_module_writes_a_shares_status():
    offenders = []
    for path, tree in _sources():
        if path.name == "transitions.py":
            continue
        for node in ast.walk(tree):
            writes_status = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("update", "create", "bulk_update", "update_or_create")
                and any(k.arg == "status" for k in node.keywords)
            )
            if writes_status:
                receiver = ast.unparse(node.func.value)
                if "Share" in receiver or "share" in receiver.split(".")[0]:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {receiver[:60]}")
            if isinstance(node, ast.Assign):
                offenders += [
                    f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(target)}"
                    for target in node.targets
                    if isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and "share" in ast.unparse(target.value).lower()
                ]
    assert offenders == []


@pytest.mark.django_db
def test_record_refuses_an_undeclared_event_type_and_a_payload_off_its_schema(adviser):
    before = ArchiveRecord.objects.count()
    with pytest.raises(SchemaError, match="not a declared archive event type"):
        record("share.publishd", payload={})
    with pytest.raises(SchemaError, match=r"missing \['version_id'\]"):
        record("share.cancelled", payload={"item": 1, "status": "cancelled"})
    with pytest.raises(SchemaError, match=r"unknown \['version'\]"):
        record("share.cancelled", payload={"item": 1, "version_id": 2, "status": "cancelled", "version": 3})
    with pytest.raises(SchemaError, match="'item' is a str"):
        record("share.cancelled", payload={"item": "1", "version_id": 2, "status": "cancelled"})
    assert ArchiveRecord.objects.count() == before


@pytest.fixture
def connected(adviser, connect):
    return connect(adviser, "camille_x")


def _due_share(adviser, item) -> Share:
    share = services.schedule_share(
        adviser=adviser, item=item, when=timezone.now() + dt.timedelta(minutes=5), actor=adviser
    )
    Share.objects.filter(pk=share.pk).update(scheduled_for=timezone.now() - dt.timedelta(seconds=1))
    return share


def _events(share) -> list[str]:
    return list(
        ArchiveRecord.objects.filter(subject_ref=f"shares.share:{share.pk}")
        .order_by("seq")
        .values_list("event_type", flat=True)
    )


@pytest.mark.django_db
def test_a_cancellation_that_comes_too_late_is_not_archived(sandbox, adviser, connected, make_item):
    share = _due_share(adviser, make_item())
    assert services.publish_share(share_id=share.pk) == S.PUBLISHED
    assert services.cancel_share(share=share, actor=adviser, reason="changed my mind") is False
    assert _events(share) == ["share.scheduled", "share.attempted", "share.published"]
    assert verify_shares().ok


@pytest.mark.django_db(transaction=True)
def test_a_post_that_went_live_after_its_claim_was_taken_over_is_recorded_once(
    sandbox, adviser, connected, make_item, settings
):
    """The worker is slow (X takes 1.5 s), the beat presumes it dead and hands the share to the
    look-before-retry path; the post goes live all the same: one share.published, and the share says so."""
    if connection.vendor != "postgresql":
        message = "two threads writing one table need PostgreSQL (SQLite's shared cache locks the table)"
        if os.environ.get("RELAIS_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    settings.X_PUBLISH_CLAIM_STALE_SECONDS = 0
    share = _due_share(adviser, make_item())
    faults(sandbox, latency_ms=1500, endpoints=["POST /2/tweets"])
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(status=services.publish_share(share_id=share.pk)))
    worker.start()
    deadline = timezone.now() + dt.timedelta(seconds=5)
    while Share.objects.get(pk=share.pk).status != S.PUBLISHING and timezone.now() < deadline:
        pass
    assert services.recover_stale_claims(now=timezone.now() + dt.timedelta(seconds=1)) == 1
    worker.join(10)
    assert outcome["status"] == S.PUBLISHED
    share.refresh_from_db()
    assert share.status == S.PUBLISHED and share.network_post_id
    published = ArchiveRecord.objects.filter(
        event_type="share.published", network_post_id=share.network_post_id
    )
    assert published.count() == 1
    assert published.get().payload["claim_lost"] is True
    assert [p["id"] for p in live_posts(sandbox, "camille_x")] == [share.network_post_id]
    assert _events(share)[-2:] == ["share.outcome_unknown", "share.published"]
    assert verify_shares().ok


@pytest.mark.django_db
def test_a_post_url_that_cannot_be_built_never_turns_a_live_post_into_an_unknown_one(
    sandbox, adviser, connected, make_item, settings
):
    settings.X_POST_URL_TEMPLATE = "https://x.com/{username}/status/{id}}"  # the demo script's old typo
    share = _due_share(adviser, make_item())
    assert services.publish_share(share_id=share.pk) == S.PUBLISHED
    share.refresh_from_db()
    assert share.status == S.PUBLISHED and share.network_post_id and share.post_url == ""
    assert ArchiveRecord.objects.filter(event_type="share.published", network_post_id=share.network_post_id)
    assert len(live_posts(sandbox, "camille_x")) == 1
    assert verify_shares().ok


@pytest.mark.django_db
def test_an_outcome_that_stays_unknown_is_escalated_after_the_bound_and_the_adviser_told(
    sandbox,
    adviser,
    connected,
    make_item,
    settings,
    django_capture_on_commit_callbacks,
    client_for,
    compliance_officer,
):
    settings.X_UNKNOWN_MAX_ATTEMPTS = 3
    settings.X_UNKNOWN_RECHECK_SECONDS = 0
    share = _due_share(adviser, make_item())
    # X's answer to the post is lost, then every look at the account fails: it may well be live.
    faults(sandbox, timeout_after_commit_next=1, timeout_mode="close", endpoints=["POST /2/tweets"])
    assert services.publish_share(share_id=share.pk) == S.OUTCOME_UNKNOWN
    faults(sandbox, error_5xx_next=10, endpoints=["GET /2/users/:id/tweets"])
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            Share.objects.filter(pk=share.pk).update(next_attempt_at=None)
            statuses.append(services.publish_share(share_id=share.pk))
    assert statuses == [S.OUTCOME_UNKNOWN, S.UNCONFIRMED, None, None]
    assert Share.objects.get(pk=share.pk).status == S.UNCONFIRMED
    assert _events(share)[-1] == "share.unconfirmed"
    [message] = mail.outbox
    assert message.to == [adviser.email] and "could not confirm" in message.subject
    assert verify_shares().ok
    page = client_for(compliance_officer).get(reverse("shares:compliance_recalls")).content.decode()
    assert "1 post possibly live, not confirmed" in page and "@camille_x" in page


@pytest.mark.django_db
def test_a_recall_looks_for_an_unknown_outcome_post_and_deletes_it_when_found(
    sandbox, adviser, connected, make_item, compliance_officer, django_capture_on_commit_callbacks
):
    from compliance.review.recall import recall_content as recall_item

    item = make_item()
    share = _due_share(adviser, item)
    # X creates the post but the answer is lost: the share's outcome is unknown, the post live.
    faults(sandbox, timeout_after_commit_next=1, timeout_mode="close", endpoints=["POST /2/tweets"])
    assert services.publish_share(share_id=share.pk) == S.OUTCOME_UNKNOWN
    assert len(live_posts(sandbox, "camille_x")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        recall_item(item=item, actor=compliance_officer, reason="Taux erroné")
    share.refresh_from_db()
    assert share.status == S.DELETED
    assert live_posts(sandbox, "camille_x") == []
    assert _events(share)[-2:] == ["share.published", "share.deleted"]
    assert verify_shares().ok


@pytest.mark.django_db
def test_verify_shares_names_a_share_whose_status_the_archive_does_not_explain(
    sandbox, adviser, connected, make_item
):
    share = _due_share(adviser, make_item())
    services.publish_share(share_id=share.pk)
    call_command("verify_shares")
    Share.objects.filter(pk=share.pk).update(status=S.FAILED)  # as a hand edit in the database would
    with pytest.raises(CommandError, match="1 disagreement"):
        call_command("verify_shares")
    assert verify_shares().problems == [
        f"share {share.pk}: status failed, but its archived events replay to published"
    ]
