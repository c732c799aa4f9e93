"""The X API v2 subset, driven through the real tweepy.Client."""

import re
import time

import pytest
import requests
import tweepy

from advocacy.xsandbox import SandboxServer
from advocacy.xsandbox.server import DUPLICATE

ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_get_me(x_client, alice):
    me = x_client(alice["token"]).get_me(user_auth=False)
    assert (str(me.data.id), me.data.username, me.data.name) == (alice["id"], "alice", "Alice Example")


def test_get_me_raw_shape_and_rate_limit_headers(x_client, alice):
    client = x_client(alice["token"], return_type=requests.Response)
    resp = client.get_me(user_auth=False)
    assert resp.json() == {"data": {"id": alice["id"], "name": "Alice Example", "username": "alice"}}
    assert resp.headers["x-rate-limit-limit"] == "75"
    assert resp.headers["x-rate-limit-remaining"] == "74"
    assert int(resp.headers["x-rate-limit-reset"]) > time.time() + 800
    resp = client.get_me(user_auth=False)
    assert resp.headers["x-rate-limit-remaining"] == "73"


def test_unauthorized(x_client, alice):
    with pytest.raises(tweepy.Unauthorized) as info:
        x_client("not-a-token").get_me(user_auth=False)
    assert info.value.response.status_code == 401
    assert "x-rate-limit-limit" in info.value.response.headers


def test_missing_scope_is_403(sandbox, x_client, alice):
    token, refresh = sandbox.state.issue_token(alice["id"], "tweet.read users.read")
    assert refresh is None
    client = x_client(token)
    assert client.get_me(user_auth=False).data.username == "alice"
    with pytest.raises(tweepy.Forbidden) as info:
        client.create_tweet(text="no write scope", user_auth=False)
    assert "tweet.write" in info.value.response.json()["detail"]
    with pytest.raises(tweepy.Forbidden):
        client.get_users_followers(alice["id"], user_auth=False)


def test_create_tweet_and_ids_increase(sandbox, x_client, alice):
    client = x_client(alice["token"], return_type=requests.Response)
    first = client.create_tweet(text="Hello from Relais", user_auth=False)
    assert first.status_code == 201
    body = first.json()
    assert body == {
        "data": {
            "id": body["data"]["id"],
            "text": "Hello from Relais",
            "edit_history_tweet_ids": [body["data"]["id"]],
        }
    }
    second = client.create_tweet(text="Second post", user_auth=False).json()["data"]["id"]
    assert body["data"]["id"].isdigit() and len(body["data"]["id"]) >= 18
    assert int(second) > int(body["data"]["id"])
    assert sandbox.state.snapshot()["counters"]["create_calls"] == 2


def test_duplicate_refused(x_client, alice, bob):
    client = x_client(alice["token"])
    client.create_tweet(text="Same words", user_auth=False)
    with pytest.raises(tweepy.Forbidden) as info:
        client.create_tweet(text="Same words", user_auth=False)
    assert info.value.response.json() == DUPLICATE
    assert "duplicate content" in info.value.api_messages[0]
    # Another author may say the same thing; a near-duplicate is fine too.
    x_client(bob["token"]).create_tweet(text="Same words", user_auth=False)
    client.create_tweet(text="Same words!", user_auth=False)


def test_duplicate_allowed_after_delete(x_client, alice):
    client = x_client(alice["token"])
    tweet_id = client.create_tweet(text="Again", user_auth=False).data["id"]
    client.delete_tweet(tweet_id, user_auth=False)
    assert client.create_tweet(text="Again", user_auth=False).data["id"] != tweet_id


def test_length_limit(x_client, alice):
    client = x_client(alice["token"])
    client.create_tweet(text="x" * 280, user_auth=False)
    client.create_tweet(text="€" * 140, user_auth=False)
    client.create_tweet(text="x" * 256 + " https://example.com/" + "p" * 300, user_auth=False)
    for text in ("y" * 281, "€" * 141, "z" * 257 + " https://example.com/" + "p" * 300):
        with pytest.raises(tweepy.BadRequest) as info:
            client.create_tweet(text=text, user_auth=False)
        body = info.value.response.json()
        assert body["title"] == "Invalid Request"
        assert "too long" in body["errors"][0]["message"]
    with pytest.raises(tweepy.BadRequest):
        client.create_tweet(text="", user_auth=False)


def test_reply(sandbox, x_client, alice, bob):
    parent = x_client(alice["token"]).create_tweet(text="Question?", user_auth=False).data["id"]
    reply = x_client(bob["token"]).create_tweet(text="Answer", in_reply_to_tweet_id=parent, user_auth=False)
    fields = ["in_reply_to_user_id", "conversation_id", "referenced_tweets"]
    tweet = x_client(alice["token"]).get_tweet(reply.data["id"], tweet_fields=fields, user_auth=False).data
    assert str(tweet.in_reply_to_user_id) == alice["id"]
    assert str(tweet.conversation_id) == parent
    assert sandbox.state.tweets[parent]["public_metrics"]["reply_count"] == 1


def test_delete(x_client, alice, bob):
    client = x_client(alice["token"])
    tweet_id = client.create_tweet(text="To be deleted", user_auth=False).data["id"]
    with pytest.raises(tweepy.Forbidden):
        x_client(bob["token"]).delete_tweet(tweet_id, user_auth=False)
    assert client.delete_tweet(tweet_id, user_auth=False).data == {"deleted": True}
    with pytest.raises(tweepy.NotFound) as info:
        client.delete_tweet(tweet_id, user_auth=False)
    assert info.value.response.json()["type"] == "https://api.twitter.com/2/problems/resource-not-found"
    with pytest.raises(tweepy.NotFound):
        client.delete_tweet("1234567890", user_auth=False)
    missing = client.get_tweet(tweet_id, user_auth=False)
    assert missing.data is None
    assert missing.errors[0]["title"] == "Not Found Error"


def test_get_tweets_with_public_metrics(sandbox, x_client, alice):
    client = x_client(alice["token"])
    a = client.create_tweet(text="metrics a", user_auth=False).data["id"]
    b = client.create_tweet(text="metrics b", user_auth=False).data["id"]
    sandbox.state.set_metrics(a, like_count=7, impression_count=1000)
    requests.post(f"{sandbox.url}/_sandbox/metrics", json={"tweet_id": b, "retweet_count": 3}, timeout=5)
    resp = client.get_tweets(
        [a, b, "999"], tweet_fields=["public_metrics", "created_at", "author_id"], user_auth=False
    )
    by_id = {str(t.id): t for t in resp.data}
    assert by_id[a].public_metrics == {
        "retweet_count": 0,
        "reply_count": 0,
        "like_count": 7,
        "quote_count": 0,
        "impression_count": 1000,
    }
    assert by_id[b].public_metrics["retweet_count"] == 3
    assert str(by_id[a].author_id) == alice["id"]
    assert by_id[a].created_at.year >= 2024  # tweepy parsed the ISO timestamp
    assert [e["resource_id"] for e in resp.errors] == ["999"]
    raw = x_client(alice["token"], return_type=dict).get_tweets(
        [a], tweet_fields=["created_at"], user_auth=False
    )
    assert ISO_RE.match(raw["data"][0]["created_at"])
    assert "public_metrics" not in raw["data"][0]
    with pytest.raises(tweepy.BadRequest):
        client.get_tweets("abc", user_auth=False)


def test_user_timeline_pagination_and_since_id(x_client, alice):
    client = x_client(alice["token"])
    ids = [client.create_tweet(text=f"post {i}", user_auth=False).data["id"] for i in range(12)]
    pages = list(tweepy.Paginator(client.get_users_tweets, alice["id"], max_results=5, user_auth=False))
    assert [p.meta["result_count"] for p in pages] == [5, 5, 2]
    seen = [str(t.id) for p in pages for t in p.data]
    assert seen == list(reversed(ids))  # newest first
    assert pages[0].meta["newest_id"] == ids[-1] and pages[0].meta["oldest_id"] == ids[-5]
    assert "next_token" not in pages[-1].meta
    newer = client.get_users_tweets(alice["id"], since_id=ids[9], user_auth=False)
    assert [str(t.id) for t in newer.data] == [ids[11], ids[10]]
    empty = client.get_users_tweets(alice["id"], since_id=ids[11], user_auth=False)
    assert empty.data is None and empty.meta == {"result_count": 0}
    with pytest.raises(tweepy.BadRequest):
        client.get_users_tweets(alice["id"], max_results=200, user_auth=False)


def test_mentions_with_since_id(sandbox, x_client, alice):
    client = x_client(alice["token"])
    client.create_tweet(text="@alice talking to myself", user_auth=False)  # own posts are not mentions
    first = sandbox.state.add_mention("bob", "alice", "great post!")
    assert first["text"] == "@alice great post!"
    resp = requests.post(
        f"{sandbox.url}/_sandbox/mention",
        json={"from": "carol", "to": "alice", "text": "hi @alice"},
        timeout=5,
    )
    assert resp.status_code == 201
    second = resp.json()["data"]
    mentions = client.get_users_mentions(
        alice["id"], tweet_fields=["author_id", "created_at"], expansions=["author_id"], user_auth=False
    )
    assert [str(t.id) for t in mentions.data] == [second["id"], first["id"]]
    assert {u.username for u in mentions.includes["users"]} == {"bob", "carol"}
    newer = client.get_users_mentions(alice["id"], since_id=first["id"], user_auth=False)
    assert [str(t.id) for t in newer.data] == [second["id"]]
    assert newer.meta["newest_id"] == second["id"]
    assert client.get_users_mentions(alice["id"], since_id=second["id"], user_auth=False).data is None


def test_mention_as_reply(sandbox, x_client, alice):
    post = x_client(alice["token"]).create_tweet(text="Our new savings account", user_auth=False).data["id"]
    reply = sandbox.state.add_mention("dave", "alice", "Nice rate", in_reply_to_tweet_id=post)
    assert reply["in_reply_to_tweet_id"] == post
    mentions = x_client(alice["token"]).get_users_mentions(alice["id"], user_auth=False)
    assert [str(t.id) for t in mentions.data] == [reply["id"]]


def test_followers_pagination(sandbox, x_client, alice):
    resp = requests.post(f"{sandbox.url}/_sandbox/follow", json={"target": "alice", "count": 250}, timeout=5)
    assert resp.json()["followers_count"] == 250
    requests.post(f"{sandbox.url}/_sandbox/follow", json={"target": "alice", "follower": "bob"}, timeout=5)
    client = x_client(alice["token"])
    pages = list(tweepy.Paginator(client.get_users_followers, alice["id"], max_results=100, user_auth=False))
    assert [p.meta["result_count"] for p in pages] == [100, 100, 51]
    usernames = [u.username for p in pages for u in p.data]
    assert len(set(usernames)) == 251
    assert usernames[0] == "bob"  # most recent follower first
    big = client.get_users_followers(alice["id"], max_results=1000, user_auth=False)
    assert big.meta == {"result_count": 251}
    with pytest.raises(tweepy.BadRequest):
        client.get_users_followers(alice["id"], max_results=1001, user_auth=False)
    with pytest.raises(tweepy.BadRequest):
        client.get_users_followers(alice["id"], pagination_token="garbage!", user_auth=False)


def test_unknown_user_resources(x_client, alice):
    client = x_client(alice["token"])
    resp = client.get_users_tweets("42", user_auth=False)
    assert resp.data is None and resp.errors[0]["resource_type"] == "user"
    assert client.get_user(username="alice", user_auth=False).data.name == "Alice Example"
    assert str(client.get_user(id=alice["id"], user_auth=False).data.username) == "alice"


def test_real_rate_limit_window(sandbox, x_client, alice, bob):
    resp = requests.post(
        f"{sandbox.url}/_sandbox/rate_limits",
        json={"POST /2/tweets": {"limit": 3, "window_s": 900}},
        timeout=5,
    )
    assert resp.json()["POST /2/tweets"] == {"limit": 3, "window_s": 900}
    client = x_client(alice["token"], return_type=requests.Response)
    remaining = [
        client.create_tweet(text=f"n{i}", user_auth=False).headers["x-rate-limit-remaining"] for i in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    with pytest.raises(tweepy.TooManyRequests) as info:
        client.create_tweet(text="one too many", user_auth=False)
    headers = info.value.response.headers
    assert headers["x-rate-limit-limit"] == "3" and headers["x-rate-limit-remaining"] == "0"
    assert info.value.reset_time == int(headers["x-rate-limit-reset"])
    assert time.time() + 800 < info.value.reset_time <= time.time() + 901
    assert info.value.response.json()["title"] == "Too Many Requests"
    assert len(sandbox.state.tweets) == 3
    # Per user: bob still has his own window; and the window really resets.
    x_client(bob["token"]).create_tweet(text="bob is fine", user_auth=False)
    sandbox.state.clock = lambda: time.time() + 901
    client.create_tweet(text="next window", user_auth=False)


def test_default_limits_for_posts_and_deletes():
    sandbox = SandboxServer()
    assert sandbox.state.rate_limits["POST /2/tweets"] == (100, 900)
    assert sandbox.state.rate_limits["DELETE /2/tweets/:id"] == (50, 900)
    sandbox.stop()
