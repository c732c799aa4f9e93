"""X's side of inbound capture, through tweepy over HTTP to the sandbox: handle lookup, engagement reads,
replies, X Activity API subscriptions with signed webhook deliveries, plan refusals, and the usage ledger
that every call writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from django.urls import reverse

from advocacy.networks import interface as net
from advocacy.networks.usage import budget, capabilities
from advocacy.networks.usage.models import ApiCall, UsageBudget
from advocacy.networks.usage.reads import first_read_today
from advocacy.networks.x import webhooks
from advocacy.networks.x.network import X
from tests.networks.conftest import APP_TOKEN

pytestmark = pytest.mark.django_db


def _control(sandbox, path: str, payload: dict) -> dict:
    response = requests.post(f"{sandbox.url}/_sandbox/{path}", json=payload, timeout=5)
    response.raise_for_status()
    return response.json()


def _register_webhook(sandbox, url: str) -> str:
    response = requests.post(
        f"{sandbox.url}/2/webhooks",
        json={"url": url},
        headers={"Authorization": f"Bearer {APP_TOKEN}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["valid"] is True
    return response.json()["data"]["id"]


def test_handles_are_looked_up_a_hundred_at_a_time_and_each_user_returned_is_billed(
    sandbox, adviser, connect
):
    account = connect(adviser, "camille_x")
    sandbox.state.add_user("Client_Lea")
    found = X.users_by_usernames(account, ["client_lea", "nobody_here", "camille_x"])
    assert sorted(found) == ["camille_x", "client_lea"]
    assert found["client_lea"].username == "Client_Lea"
    row = ApiCall.objects.get(endpoint="GET /2/users/by")
    assert (row.resources, row.unit_price, row.cost) == (2, Decimal("0.0100"), Decimal("0.0200"))
    usage = requests.get(f"{sandbox.url}/control/usage", timeout=5).json()["endpoints"]
    assert usage["GET /2/users/by"] == {"calls": 1, "resources": 2, "billed_as": "user_read"}
    with pytest.raises(ValueError):
        X.users_by_usernames(account, [f"u{i}" for i in range(101)])


def test_a_post_with_a_link_costs_more_and_a_reply_lands_in_the_thread(sandbox, adviser, connect):
    account = connect(adviser, "camille_x")
    plain = X.publish(account, "Nos conseils épargne de la semaine.")
    X.publish(account, "Le détail : https://banque.example/epargne")
    client = sandbox.state.add_user("client_lea")
    question = sandbox.state.create_tweet(client["id"], "@camille_x une question", in_reply_to_tweet_id=plain)
    answer = X.reply(account, "@client_lea avec plaisir, passez en agence.", question["id"])
    with sandbox.state.lock:
        sent = sandbox.state.tweets[answer]
    assert sent["in_reply_to_tweet_id"] == question["id"] and sent["conversation_id"] == plain
    costs = list(
        ApiCall.objects.filter(endpoint="POST /2/tweets").order_by("id").values_list("purpose", "cost")
    )
    assert costs == [
        ("publish", Decimal("0.0150")),
        ("publish", Decimal("0.2000")),
        ("reply", Decimal("0.0150")),
    ]
    mentions = X.mentions(account)
    assert mentions.items[0].conversation_id == plain


def test_likes_and_reposts_are_read_page_by_page(sandbox, adviser, connect):
    account = connect(adviser, "camille_x")
    post_id = X.publish(account, "Taux du livret A.")
    for name in ("fan_a", "fan_b", "fan_c"):
        _control(sandbox, "like", {"tweet_id": post_id, "user": name})
    _control(sandbox, "repost", {"tweet_id": post_id, "user": "fan_b"})
    likers = X.liking_users(account, post_id)
    assert [p.username for p in likers.items] == ["fan_c", "fan_b", "fan_a"] and likers.next_cursor == ""
    assert [p.username for p in X.reposted_by(account, post_id).items] == ["fan_b"]
    assert ApiCall.objects.get(endpoint="GET /2/tweets/:id/liking_users").resources == 3


def test_a_plan_refusal_marks_the_capability_unavailable_and_is_recorded(
    sandbox, adviser, connect, client_for, compliance_officer
):
    account = connect(adviser, "camille_x")
    _control(sandbox, "plan", {"not_enrolled": ["GET /2/users/:id/followers"]})
    assert capabilities.available("followers")
    with pytest.raises(net.Unavailable) as refused:
        X.followers(account)
    assert refused.value.capability == "followers"
    assert not capabilities.available("followers")
    assert "attached to a Project" in capabilities.unavailable().get().detail
    row = ApiCall.objects.get(endpoint="GET /2/users/:id/followers")
    assert (row.status, row.cost) == (ApiCall.Status.UNAVAILABLE, Decimal("0"))
    X.mentions(account)  # other endpoints still answer
    assert capabilities.available("mentions")
    page = client_for(compliance_officer).get(reverse("xnetwork:compliance_connections")).content.decode()
    assert "Not allowed by the X plan" in page and "Reading followers" in page
    assert "Reading mentions" not in page


def test_subscriptions_beyond_the_plan_limit_are_refused_and_none_is_left_half_made(
    sandbox, adviser, connect, settings
):
    account = connect(adviser, "camille_x")
    _control(sandbox, "plan", {"subscription_limit": 3})
    with pytest.raises(net.Unavailable) as refused:
        X.subscribe_activity(account)
    assert refused.value.capability == "activity_subscriptions"
    assert sandbox.state.subscriptions == {}


def test_activity_reaches_the_webhook_signed_and_parses_into_activities(
    sandbox, adviser, connect, receiver, settings
):
    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    subscription = X.subscribe_activity(account)
    assert len(subscription.split(",")) == 7 and len(sandbox.state.subscriptions) == 7

    _control(sandbox, "follow", {"target": "camille_x", "follower": "client_lea"})
    _control(
        sandbox,
        "reply",
        {"from": "client_lea", "to": "camille_x", "text": "Merci !", "in_reply_to_tweet_id": post_id},
    )
    _control(sandbox, "mention", {"from": "client_marc", "to": "camille_x", "text": "@camille_x bonjour"})
    _control(sandbox, "like", {"tweet_id": post_id, "user": "client_lea"})
    _control(sandbox, "repost", {"tweet_id": post_id, "user": "client_marc"})
    _control(sandbox, "unfollow", {"target": "camille_x", "follower": "client_lea"})

    delivered = receiver.wait_for(6)
    assert len(delivered) == 6
    activities = []
    for body, signature in delivered:
        assert webhooks.verify_signature(body, signature)
        assert not webhooks.verify_signature(body + b" ", signature)
        activities += webhooks.parse_delivery(body)
    by_kind = {a.kind: a for a in activities}
    assert sorted(by_kind) == ["follow", "like", "mention", "reply", "repost", "unfollow"]
    assert all(a.account_user_id == account.x_user_id for a in activities)
    reply = by_kind["reply"]
    assert reply.actor.username == "client_lea" and reply.post.text.endswith("Merci !")
    assert reply.target_post_id == post_id and reply.conversation_id == post_id
    assert by_kind["like"].key == f"{by_kind['like'].actor.id}:{post_id}"
    assert by_kind["follow"].key == by_kind["follow"].actor.id
    assert by_kind["repost"].target_post_id == post_id

    X.unsubscribe_activity(account, subscription)
    assert sandbox.state.subscriptions == {}
    assert ApiCall.objects.filter(endpoint="DELETE /2/activity/subscriptions/:id").count() == 7


def test_crc_and_bad_deliveries(settings):
    settings.X_CONSUMER_SECRET = "s3cret"
    assert webhooks.crc_response("challenge") == {
        "response_token": "sha256="
        + __import__("base64")
        .b64encode(__import__("hmac").new(b"s3cret", b"challenge", "sha256").digest())
        .decode()
    }
    assert not webhooks.verify_signature(b"{}", "")
    for body in (b"not json", b"[]", b'{"data": 3}', b'{"data": {"event_type": "post.reply.create"}}'):
        with pytest.raises(ValueError):
            webhooks.parse_delivery(body)
    settings.X_CONSUMER_SECRET = ""
    assert not webhooks.verify_signature(b"{}", webhooks.crc_response("x")["response_token"])


def test_polling_pauses_at_the_budget_and_a_resource_is_read_once_a_day():
    UsageBudget.objects.create(monthly_amount=Decimal("1.00"))
    assert budget.polling_allowed()
    from advocacy.networks.usage.ledger import record_call

    record_call(
        endpoint="GET /2/users/:id/followers", purpose="followers", price_kind="follower_read", resources=100
    )
    assert budget.spent_this_month() == Decimal("1.0000")
    assert not budget.polling_allowed()
    assert first_read_today("post", "123") is True
    assert first_read_today("post", "123") is False
    assert first_read_today("user", "123") is True


def test_compliance_and_admins_are_told_once_at_80_and_at_100_percent(make_staff, mailoutbox):
    from advocacy.networks.usage.ledger import record_call
    from compliance.archive.models import ArchiveRecord

    make_staff("compliance", email="co@bank.test", language="fr")
    make_staff("admin", email="ad@bank.test")
    make_staff("adviser", email="adv@bank.test")
    UsageBudget.objects.create(monthly_amount=Decimal("1.00"))
    record_call(endpoint="GET /2/users/by", purpose="handle_lookup", price_kind="user_read", resources=50)
    assert mailoutbox == []
    record_call(endpoint="GET /2/users/by", purpose="handle_lookup", price_kind="user_read", resources=30)
    record_call(endpoint="GET /2/users/by", purpose="handle_lookup", price_kind="user_read", resources=1)
    assert sorted(m.to[0] for m in mailoutbox) == ["ad@bank.test", "co@bank.test"]
    french = next(m for m in mailoutbox if m.to == ["co@bank.test"])
    assert "80" in french.subject
    record_call(endpoint="GET /2/users/by", purpose="handle_lookup", price_kind="user_read", resources=30)
    assert len(mailoutbox) == 4 and "polling is paused" in mailoutbox[-1].subject + mailoutbox[-2].subject
    alerts = ArchiveRecord.objects.filter(event_type="usage.budget_alert")
    assert sorted(r.payload["threshold"] for r in alerts) == [80, 100]
