"""The webhook answers X once a delivery is committed to the inbox, and workers ingest the inbox: with a
real Celery worker on Redis, the sandbox's signed deliveries are answered 200 before anything is
ingested, then stored and archived by the worker, and the inbox empties."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from advocacy.networks.x import webhooks
from advocacy.networks.x.network import X
from advocacy.relationships.models import Interaction, WebhookDelivery
from compliance.archive.models import ArchiveRecord
from tests.relationships.test_webhook_capture import _client_activity, _register_webhook


def _wait(predicate, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.django_db
def test_a_delivery_leaves_the_inbox_in_the_transaction_that_ingests_it(
    sandbox, adviser, connect, receiver, client, settings
):
    """Tasks run inline here: the drain queued by the webhook runs before the answer is returned."""
    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    X.subscribe_activity(account)
    _client_activity(sandbox, post_id)
    for body, signature in receiver.wait_for(5):
        response = client.post(
            reverse("relationships:x_webhook"),
            body,
            content_type="application/json",
            headers={webhooks.SIGNATURE_HEADER: signature},
        )
        assert response.status_code == 200
    assert Interaction.objects.filter(adviser=adviser).count() == 5
    assert not WebhookDelivery.objects.exists()


@pytest.mark.services
def test_deliveries_are_answered_from_the_inbox_and_ingested_by_a_real_worker(
    sandbox, adviser, connect, receiver, client, settings, celery_worker_for_tests
):
    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    X.subscribe_activity(account)
    _client_activity(sandbox, post_id)
    deliveries = receiver.wait_for(5)
    for body, signature in deliveries:
        response = client.post(
            reverse("relationships:x_webhook"),
            body,
            content_type="application/json",
            headers={webhooks.SIGNATURE_HEADER: signature},
        )
        assert response.status_code == 200

    _wait(lambda: Interaction.objects.filter(adviser=adviser).count() == 5, "the worker to ingest the inbox")
    _wait(lambda: not WebhookDelivery.objects.exists(), "the inbox to empty")
    inbound = ArchiveRecord.objects.filter(event_type="inbound.received")
    assert sorted(r.payload["kind"] for r in inbound) == ["mention", "reply"]
    assert {r.payload["via"] for r in inbound} == {"webhook"}

    for body, signature in deliveries:  # X delivers them all again: answered, stored nowhere twice
        client.post(
            reverse("relationships:x_webhook"),
            body,
            content_type="application/json",
            headers={webhooks.SIGNATURE_HEADER: signature},
        )
    _wait(lambda: not WebhookDelivery.objects.exists(), "the replays to be drained")
    assert Interaction.objects.filter(adviser=adviser).count() == 5
    assert ArchiveRecord.objects.filter(event_type="inbound.received").count() == 2
