"""Inbound activity is matched to the adviser's consented clients by X id, and erasing a client removes
their timeline while the archive keeps the public posts: the client book, the sandbox and the webhook, for
real."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from advocacy.clients.erasure import erase_client
from advocacy.clients.models import Client
from advocacy.clients.resolution import resolve_pending
from advocacy.clients.services import add_client, record_consent
from advocacy.networks.x.network import X
from advocacy.relationships.models import Interaction
from compliance.archive.models import ArchiveRecord
from compliance.archive.verify import verify_database
from tests.relationships.test_webhook_capture import _client_activity, _post_all, _register_webhook

pytestmark = pytest.mark.django_db


def test_a_consented_clients_activity_is_theirs_and_erasure_removes_it_but_not_the_archive(
    sandbox, adviser, connect, receiver, client
):
    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    sandbox.state.add_user("client_lea")
    lea = add_client(adviser=adviser, client_ref="CRM-001", first_name="Léa", last_name="Martin")
    record_consent(lea, by=adviser, method="form", consent_date=dt.date(2026, 11, 30), x_handle="@client_lea")
    resolve_pending()
    lea.refresh_from_db()
    assert lea.x_user_id

    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    X.subscribe_activity(account)
    _client_activity(
        sandbox, post_id
    )  # Léa follows, replies and likes; Marc (no client) mentions and reposts
    _post_all(client, receiver.wait_for(5))

    theirs = Interaction.objects.filter(client=lea)
    assert sorted(theirs.values_list("kind", flat=True)) == ["follow", "like", "reply"]
    assert not Interaction.objects.filter(actor_username="client_marc", client__isnull=False).exists()
    lea.refresh_from_db()
    assert lea.last_interaction_at is not None

    erase_client(lea, by=adviser)
    assert not Client.objects.filter(pk=lea.pk).exists()
    assert not Interaction.objects.filter(actor_id=lea.x_user_id).exists()
    inbound = ArchiveRecord.objects.filter(event_type="inbound.received")
    assert inbound.count() == 2  # Léa's public reply stays in the archive, without any link to her
    everything = ArchiveRecord.objects.values_list("payload_json", "subject_ref", "subject_repr")
    assert "CRM-001" not in str(list(everything))
    assert verify_database().ok
