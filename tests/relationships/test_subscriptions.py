"""Push subscriptions follow the connections, within the plan's limit: through tweepy to the sandbox."""

from __future__ import annotations

import pytest
import requests

from advocacy.networks.x.connections import disconnect_x_account
from advocacy.relationships.models import CaptureCursor
from advocacy.relationships.subscriptions import sync_subscriptions
from tests.networks.conftest import APP_TOKEN

pytestmark = pytest.mark.django_db


def test_connected_advisers_are_subscribed_within_the_limit_and_unsubscribed_when_they_leave(
    sandbox, adviser, adviser2, connect, receiver, settings
):
    response = requests.post(
        f"{sandbox.url}/2/webhooks",
        json={"url": receiver.url},
        headers={"Authorization": f"Bearer {APP_TOKEN}"},
        timeout=5,
    )
    settings.X_WEBHOOK_ID = response.json()["data"]["id"]
    settings.X_APP_BEARER_TOKEN = APP_TOKEN
    requests.post(
        f"{sandbox.url}/_sandbox/plan", json={"subscription_limit": 7}, timeout=5
    ).raise_for_status()
    first = connect(adviser, "camille_x")
    second = connect(adviser2, "hugo_x")

    report = sync_subscriptions()
    assert (report.subscribed, report.over_limit) == (1, 1)  # one account's 7 event types fill the plan
    pushed = CaptureCursor.objects.get(push=CaptureCursor.Push.ACTIVE).account
    polled = CaptureCursor.objects.get(push=CaptureCursor.Push.OVER_LIMIT).account
    assert {pushed, polled} == {first, second}
    assert len(sandbox.state.subscriptions) == 7
    assert sync_subscriptions().subscribed == 0  # nothing asked twice

    disconnect_x_account(account=pushed, actor=pushed.user)
    report = sync_subscriptions()
    assert report.removed == 1 and sandbox.state.subscriptions == {}
    assert CaptureCursor.objects.get(account=pushed).subscription_ids == ""
