"""Inbound capture by push: the sandbox's signed X Activity API deliveries reach Relais's webhook, every
interaction is stored once and every inbound post archived once, whatever is replayed; a delivery that is
not signed by the app's secret, or cannot be read, stores nothing."""

from __future__ import annotations

import pytest
import requests
from django.urls import reverse

from advocacy.networks.x import webhooks
from advocacy.networks.x.network import X
from advocacy.relationships.models import Interaction
from compliance.archive.models import ArchiveRecord
from compliance.archive.verify import verify_database
from tests.networks.conftest import APP_TOKEN

SECRET = "relais-sandbox-secret"


def _control(sandbox, path: str, payload: dict) -> None:
    requests.post(f"{sandbox.url}/_sandbox/{path}", json=payload, timeout=5).raise_for_status()


def _register_webhook(sandbox, url: str) -> str:
    response = requests.post(
        f"{sandbox.url}/2/webhooks",
        json={"url": url},
        headers={"Authorization": f"Bearer {APP_TOKEN}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["id"]


def _client_activity(sandbox, post_id: str) -> None:
    _control(sandbox, "follow", {"target": "camille_x", "follower": "client_lea"})
    _control(
        sandbox,
        "reply",
        {"from": "client_lea", "to": "camille_x", "text": "Merci !", "in_reply_to_tweet_id": post_id},
    )
    _control(sandbox, "mention", {"from": "client_marc", "to": "camille_x", "text": "@camille_x bonjour"})
    _control(sandbox, "like", {"tweet_id": post_id, "user": "client_lea"})
    _control(sandbox, "repost", {"tweet_id": post_id, "user": "client_marc"})


def _inbound_records():
    return ArchiveRecord.objects.filter(event_type="inbound.received").order_by("seq")


def _post_all(client, deliveries) -> None:
    url = reverse("relationships:x_webhook")
    for body, signature in deliveries:
        response = client.post(
            url, body, content_type="application/json", headers={webhooks.SIGNATURE_HEADER: signature}
        )
        assert response.status_code == 200


@pytest.mark.django_db
def test_activity_pushed_by_x_reaches_the_adviser_store_and_the_archive(
    sandbox, adviser, connect, receiver, client
):
    """The sandbox signs and pushes X Activity API events; the exact bytes it sent go to the webhook."""
    from django.conf import settings

    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    X.subscribe_activity(account)
    _client_activity(sandbox, post_id)
    _post_all(client, receiver.wait_for(5))

    stored = {i.kind: i for i in Interaction.objects.filter(adviser=adviser)}
    assert sorted(stored) == ["follow", "like", "mention", "reply", "repost"]
    assert {i.via for i in stored.values()} == {"webhook"}
    assert stored["reply"].actor_username == "client_lea" and stored["reply"].target_post_id == post_id
    assert stored["like"].target_post_id == post_id
    archived = {r.payload["kind"]: r for r in _inbound_records()}
    assert sorted(archived) == ["mention", "reply"]  # follows, likes, reposts are not communications
    reply = archived["reply"]
    assert reply.payload["text"].endswith("Merci !") and reply.payload["author_username"] == "client_lea"
    assert reply.payload["in_reply_to"] == post_id and reply.payload["via"] == "webhook"
    assert reply.subject_user_id == adviser.pk
    assert verify_database().ok


@pytest.mark.django_db
def test_a_delivery_replayed_three_times_is_stored_and_archived_once(
    sandbox, adviser, connect, receiver, client
):
    from django.conf import settings

    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    X.subscribe_activity(account)
    _client_activity(sandbox, post_id)
    deliveries = receiver.wait_for(5)
    assert len(deliveries) == 5

    for _ in range(3):
        _post_all(client, deliveries)
    assert Interaction.objects.filter(adviser=adviser).count() == 5
    assert _inbound_records().count() == 2


@pytest.mark.django_db
def test_unsigned_forged_or_unreadable_deliveries_store_nothing(client, settings, adviser, sandbox, connect):
    settings.X_CONSUMER_SECRET = SECRET
    account = connect(adviser, "camille_x")
    url = reverse("relationships:x_webhook")
    body = (
        b'{"data": {"event_type": "follow.follow", "filter": {"user_id": "%s"}, "event_uuid": "1",'
        b' "payload": {"source": {"id": "77", "username": "eve"}, "target": {"id": "%s"}}}}'
        % (account.x_user_id.encode(), account.x_user_id.encode())
    )
    assert client.post(url, body, content_type="application/json").status_code == 401
    forged = "sha256=" + "A" * 44
    response = client.post(
        url, body, content_type="application/json", headers={webhooks.SIGNATURE_HEADER: forged}
    )
    assert response.status_code == 401
    signed_elsewhere = webhooks._sign(body)  # the right signature of another body does not sign this one
    response = client.post(
        url,
        body + b" ",
        content_type="application/json",
        headers={webhooks.SIGNATURE_HEADER: signed_elsewhere},
    )
    assert response.status_code == 401
    garbage = b"not json"
    response = client.post(
        url,
        garbage,
        content_type="application/json",
        headers={webhooks.SIGNATURE_HEADER: webhooks._sign(garbage)},
    )
    assert response.status_code == 400
    assert Interaction.objects.count() == 0 and not _inbound_records().exists()

    challenge = client.get(url, {"crc_token": "challenge"})
    assert challenge.json() == webhooks.crc_response("challenge")
    assert client.get(url).status_code == 400


@pytest.mark.django_db
def test_polling_overlapping_the_webhook_stores_nothing_twice_and_reads_only_what_is_new(
    sandbox, adviser, connect, receiver, client
):
    from django.conf import settings
    from django.core.management import call_command

    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    X.subscribe_activity(account)
    _client_activity(sandbox, post_id)
    _post_all(client, receiver.wait_for(5))
    assert Interaction.objects.filter(adviser=adviser, kind__in=["mention", "reply"]).count() == 2

    out = __import__("io").StringIO()
    call_command("poll_inbound", "--adviser", adviser.email, stdout=out)
    assert "2 post(s) read, 0 new" in out.getvalue()  # the reply and the mention the webhook brought

    _control(
        sandbox, "mention", {"from": "client_paul", "to": "camille_x", "text": "@camille_x une question"}
    )
    out = __import__("io").StringIO()
    call_command("poll_inbound", "--adviser", adviser.email, stdout=out)
    assert "1 post(s) read, 1 new" in out.getvalue()  # since_id: only the new mention is read (and billed)
    assert Interaction.objects.filter(adviser=adviser, kind__in=["mention", "reply"]).count() == 3
    assert _inbound_records().count() == 3
    assert _inbound_records().last().payload["via"] == "poll"


@pytest.mark.django_db
def test_the_adviser_sees_their_timeline_and_never_another_advisers(
    sandbox, adviser, adviser2, connect, receiver, client, django_assert_num_queries
):
    from django.conf import settings

    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    X.subscribe_activity(account)
    _client_activity(sandbox, post_id)
    _post_all(client, receiver.wait_for(5))

    client.force_login(adviser)
    page = client.get(reverse("relationships:timeline")).content.decode()
    assert "@client_lea" in page and "Merci !" in page and "@client_marc" in page
    client.force_login(adviser2)
    with django_assert_num_queries(5):  # the session is no longer written on every page
        other = client.get(reverse("relationships:timeline")).content.decode()
    assert "@client_lea" not in other and "Merci" not in other
