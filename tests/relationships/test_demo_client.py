"""The demo's scripted sandbox client, as ``make demo`` runs it: the webhook registered (X's CRC answered by
the portal), the connected demo adviser subscribed, then the client follows and replies to the adviser's
post; the sandbox pushes both, signed, and they are in the adviser's timeline (the reply in the archive)
without any polling round. Without push, one polling round brings the reply."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from advocacy.clients.demo import seed_clients
from advocacy.clients.models import Client
from advocacy.networks.x import webhooks
from advocacy.networks.x.demo import demo_client_activity, seed_publishing
from advocacy.networks.x.models import XAccount
from advocacy.networks.x.network import X
from advocacy.relationships.models import Interaction
from advocacy.relationships.polling import poll_round
from compliance.archive.models import ArchiveRecord
from tests.networks.conftest import APP_TOKEN
from tests.publishing.conftest import make_item  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_make_demo_registers_the_webhook_and_the_demo_clients_follow_and_reply_are_pushed(
    sandbox, make_staff, receiver, client, settings
):
    settings.X_APP_BEARER_TOKEN = APP_TOKEN
    user = make_staff("adviser", email="adviser@demo.relais.test")
    seed_publishing()
    seed_clients()
    lea = Client.objects.get(client_ref="DEMO-001")
    assert lea.linked  # consented at a branch visit, her handle resolved to the sandbox client's X id
    assert not Client.objects.get(client_ref="DEMO-002").x_handle  # no consent: no handle kept
    assert not Client.objects.get(client_ref="DEMO-003").linked  # withdrawn
    account = XAccount.objects.get(user=user)
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")

    out = io.StringIO()
    call_command("register_x_webhook", receiver.url, stdout=out, stderr=io.StringIO())
    settings.X_WEBHOOK_ID = out.getvalue().strip()
    again = io.StringIO()
    call_command("register_x_webhook", receiver.url, stdout=again, stderr=io.StringIO())
    assert again.getvalue().strip() == settings.X_WEBHOOK_ID  # the same webhook, not a second one
    call_command("sync_x_subscriptions", stdout=io.StringIO())

    assert demo_client_activity() == 1
    for body, signature in receiver.wait_for(2):
        response = client.post(
            reverse("relationships:x_webhook"),
            body,
            content_type="application/json",
            headers={webhooks.SIGNATURE_HEADER: signature},
        )
        assert response.status_code == 200
    stored = {i.kind: i for i in Interaction.objects.filter(adviser=user)}
    assert sorted(stored) == ["follow", "reply"]
    assert {i.client_id for i in stored.values()} == {lea.pk}  # on Léa's timeline
    assert stored["reply"].actor_username == "client_lea_demo"
    assert stored["reply"].target_post_id == post_id and stored["reply"].via == "webhook"
    assert ArchiveRecord.objects.filter(event_type="inbound.received", subject_user_id=user.pk).count() == 1

    assert demo_client_activity() == 0  # once: a restarted demo does not write again


def test_without_push_one_polling_round_brings_the_demo_clients_message(sandbox, make_staff):
    user = make_staff("adviser", email="adviser@demo.relais.test")
    seed_publishing()
    assert demo_client_activity() == 1
    report = poll_round()
    assert (report.read, report.stored) == (1, 1)
    mention = Interaction.objects.get(adviser=user, kind__in=["mention", "reply"])
    assert mention.actor_username == "client_lea_demo" and "conseils" in mention.text
    assert ArchiveRecord.objects.filter(event_type="inbound.received", subject_user_id=user.pk).count() == 1


def test_the_demo_adviser_has_one_post_shared_through_the_engine_for_the_client_to_answer(
    sandbox, make_staff, make_item  # noqa: F811
):
    from advocacy.shares.demo import seed_shares
    from advocacy.shares.models import Share
    from tests.publishing.conftest import live_posts

    user = make_staff("adviser", email="adviser@demo.relais.test")
    seed_publishing()
    make_item()
    assert seed_shares() == 1
    share = Share.objects.get(adviser=user)
    assert share.status == Share.Status.PUBLISHED
    assert [p["id"] for p in live_posts(sandbox, "camille_martin")] == [share.network_post_id]
    assert seed_shares() == 0  # idempotent: a restarted demo shares nothing more

    assert demo_client_activity() == 1
    reply = [t for t in live_posts(sandbox) if t.get("in_reply_to_tweet_id") == share.network_post_id]
    assert len(reply) == 1  # the scripted client replies to that post
