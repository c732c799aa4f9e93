"""The people-who-engaged summary that prospects and the managers' view read: what ingestion keeps in it is
what the interactions say, a replay adds nothing, and erasing a client removes theirs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Max, Min

from advocacy.clients.erasure import erase_client
from advocacy.networks.x.network import X
from advocacy.relationships.models import Engager, Interaction
from tests.relationships.helpers import consented_client
from tests.relationships.test_webhook_capture import _client_activity, _post_all, _register_webhook

pytestmark = pytest.mark.django_db


def _from_interactions(adviser) -> dict:
    rows = (
        Interaction.objects.filter(adviser=adviser)
        .exclude(kind="unfollow")
        .values("actor_id")
        .annotate(n=Count("id"), first=Min("occurred_at"), last=Max("occurred_at"))
    )
    return {r["actor_id"]: (r["n"], r["first"], r["last"]) for r in rows}


def _summaries(adviser) -> dict:
    return {
        e.actor_id: (e.engagements, e.first_engaged_at, e.last_engaged_at)
        for e in Engager.objects.filter(adviser=adviser)
    }


def test_the_summary_is_what_the_interactions_say_replays_add_nothing_and_erasure_removes_it(
    sandbox, adviser, connect, receiver, client, settings
):
    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    lea = consented_client(sandbox, adviser, "client_lea", ref="CRM-001", first="Léa", last="Martin")
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    X.subscribe_activity(account)
    _client_activity(sandbox, post_id)  # Léa follows, replies, likes; Marc mentions and reposts
    deliveries = receiver.wait_for(5)
    _post_all(client, deliveries)

    expected = _from_interactions(adviser)
    assert _summaries(adviser) == expected
    assert sorted(n for n, _first, _last in expected.values()) == [2, 3]  # Marc 2, Léa 3
    _post_all(client, deliveries)  # X delivers everything again
    assert _summaries(adviser) == expected
    marc = Engager.objects.get(adviser=adviser, actor_username="client_marc")
    assert marc.last_engaged_at - marc.first_engaged_at < dt.timedelta(minutes=5)

    erase_client(lea, by=adviser)
    assert list(Engager.objects.filter(adviser=adviser).values_list("actor_username", flat=True)) == [
        "client_marc"
    ]
