"""Handles resolve through tweepy over HTTP to the X sandbox with the adviser's account; retention purges."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from advocacy.clients import services, tasks
from advocacy.clients.models import Client, Consent, HandleStatus
from compliance.archive.models import ArchiveRecord

pytestmark = pytest.mark.django_db


def _consented(adviser, ref, handle):
    client = services.add_client(adviser=adviser, client_ref=ref, last_name=ref)
    services.record_consent(
        client, by=adviser, method=Consent.Method.FORM, consent_date=dt.date(2026, 12, 1), x_handle=handle
    )
    return client


def test_handles_resolve_with_the_advisers_account_unknown_ones_are_marked(
    sandbox, connect, adviser, adviser2
):
    connect(adviser, "camille_x")
    sandbox.state.add_user("Client_Lea")
    lea = _consented(adviser, "CR-1", "@client_lea")
    ghost = _consented(adviser, "CR-2", "nobody_here")
    waiting = _consented(adviser2, "CR-3", "client_lea")  # adviser2 has no X account: stays pending
    counts = tasks.poll_client_handles()
    assert counts == {"resolved": 1, "unknown": 1, "error": 0, "no_account": 1}
    lea.refresh_from_db(), ghost.refresh_from_db(), waiting.refresh_from_db()
    assert lea.handle_status == HandleStatus.RESOLVED and lea.x_user_id and lea.linked
    assert ghost.handle_status == HandleStatus.UNKNOWN and not ghost.linked
    assert waiting.handle_status == HandleStatus.PENDING
    assert tasks.poll_client_handles()["resolved"] == 0  # nothing due again before the re-resolve delay


def test_withdrawn_clients_are_not_looked_up(sandbox, connect, adviser):
    connect(adviser, "camille_x")
    sandbox.state.add_user("Client_Lea")
    lea = _consented(adviser, "CR-1", "client_lea")
    services.withdraw_consent(lea, by=adviser)
    assert tasks.poll_client_handles() == {"resolved": 0, "unknown": 0, "error": 0, "no_account": 0}


def test_purge_erases_clients_past_retention_only(adviser, settings):
    settings.CLIENT_RETENTION_YEARS = 5
    old = services.add_client(adviser=adviser, client_ref="OLD")
    recent = services.add_client(adviser=adviser, client_ref="RECENT")
    Client.objects.filter(pk=old.pk).update(last_interaction_at=timezone.now() - dt.timedelta(days=6 * 365))
    Client.objects.filter(pk=recent.pk).update(last_interaction_at=timezone.now() - dt.timedelta(days=30))
    call_command("purge_clients", "--dry-run")
    assert Client.objects.count() == 2
    assert tasks.purge_clients() == {"due": 1, "erased": 1}
    assert list(Client.objects.values_list("client_ref", flat=True)) == ["RECENT"]
    event = ArchiveRecord.objects.get(event_type="client.erased")
    assert '"retention"' in event.payload_json and "OLD" not in event.payload_json
