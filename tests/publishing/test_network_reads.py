"""The network interface's reads (what inbound capture will call), through tweepy to the X sandbox: mentions
read incrementally, followers page by page, post metrics in batches. Each read is billed on X, so the tests
also count the requests the sandbox received."""

from __future__ import annotations

import pytest
import requests

from advocacy.networks import interface as net
from advocacy.networks.x.network import X
from tests.publishing.conftest import sandbox_state

pytestmark = pytest.mark.django_db


def _control(sandbox, path: str, payload: dict) -> dict:
    response = requests.post(f"{sandbox.url}/_sandbox/{path}", json=payload, timeout=5)
    response.raise_for_status()
    return response.json()


def _requests(sandbox, endpoint: str) -> int:
    return sandbox_state(sandbox)["counters"]["requests"].get(endpoint, 0)


def test_mentions_come_with_their_author_and_reply_target_and_are_read_only_once(sandbox, adviser, connect):
    account = connect(adviser, "camille_x")
    post_id = X.publish(account, "Nos conseils épargne de la semaine.")
    _control(sandbox, "mention", {"from": "client_lea", "to": "camille_x", "text": "@camille_x merci !"})
    _control(
        sandbox,
        "mention",
        {
            "from": "client_marc",
            "to": "camille_x",
            "text": "@camille_x une question",
            "in_reply_to_tweet_id": post_id,
        },
    )

    first = X.mentions(account)
    assert [(p.author_username, p.text) for p in first.items] == [
        ("client_marc", "@camille_x une question"),
        ("client_lea", "@camille_x merci !"),
    ]
    assert first.items[0].in_reply_to == post_id and first.items[1].in_reply_to == ""
    assert first.newest_id == first.items[0].id and first.next_cursor == ""

    # The next read starts after the newest one seen: nothing is read (or billed) twice.
    _control(sandbox, "mention", {"from": "client_lea", "to": "camille_x", "text": "@camille_x à bientôt"})
    again = X.mentions(account, since_id=first.newest_id)
    assert [p.text for p in again.items] == ["@camille_x à bientôt"]
    assert _requests(sandbox, "GET /2/users/:id/mentions") == 2


def test_followers_are_read_a_page_at_a_time(sandbox, adviser, connect):
    account = connect(adviser, "camille_x")
    _control(sandbox, "follow", {"target": "camille_x", "count": 1001})
    first = X.followers(account)
    assert len(first.items) == 1000 and first.next_cursor
    rest = X.followers(account, cursor=first.next_cursor)
    assert len(rest.items) == 1 and rest.next_cursor == ""
    assert len({p.id for p in first.items + rest.items}) == 1001
    assert all(isinstance(p, net.Person) and p.username for p in rest.items)


def test_post_metrics_are_read_for_the_posts_that_still_exist(sandbox, adviser, connect):
    account = connect(adviser, "camille_x")
    kept = X.publish(account, "Un post qui reste.")
    gone = X.publish(account, "Un post supprimé.")
    X.delete(account, gone)
    _control(sandbox, "metrics", {"tweet_id": kept, "like_count": 7, "retweet_count": 2})
    metrics = X.post_metrics(account, [kept, gone])
    assert list(metrics) == [kept]
    assert metrics[kept]["like_count"] == 7 and metrics[kept]["retweet_count"] == 2


def test_a_revoked_token_is_the_interfaces_unauthorized_on_a_read(sandbox, adviser, connect):
    account = connect(adviser, "camille_x")
    _control(sandbox, "revoke_user_tokens", {"user": "camille_x"})
    with pytest.raises(net.Unauthorized):
        X.mentions(account)
