"""Fault injection: /_sandbox/faults, seen through tweepy and requests."""

import time

import pytest
import requests
import tweepy


def _faults(sandbox, **switches):
    resp = requests.post(f"{sandbox.url}/_sandbox/faults", json=switches, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_injected_rate_limit(sandbox, x_client, alice):
    _faults(sandbox, rate_limit_next=2, reset_after_s=30, endpoints=["POST /2/tweets"])
    client = x_client(alice["token"])
    for _ in range(2):
        with pytest.raises(tweepy.TooManyRequests) as info:
            client.create_tweet(text="throttled", user_auth=False)
        assert info.value.response.headers["x-rate-limit-remaining"] == "0"
        assert time.time() + 28 <= info.value.reset_time <= time.time() + 31
    assert sandbox.state.tweets == {}
    assert client.create_tweet(text="throttled", user_auth=False).data["id"]
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    assert state["counters"]["create_calls"] == 3
    assert state["counters"]["tweets_created"] == 1
    assert state["faults"]["rate_limit_next"] == 0


def test_injected_5xx_only_on_selected_endpoint(sandbox, x_client, alice):
    _faults(sandbox, error_5xx_next=1, endpoints=["POST /2/tweets"])
    client = x_client(alice["token"])
    assert client.get_me(user_auth=False).data.username == "alice"  # not a selected endpoint
    with pytest.raises(tweepy.TwitterServerError) as info:
        client.create_tweet(text="unlucky", user_auth=False)
    assert info.value.response.status_code == 503
    assert sandbox.state.tweets == {}
    client.create_tweet(text="unlucky", user_auth=False)


def test_faults_default_to_every_api_endpoint(sandbox, x_client, alice):
    _faults(sandbox, error_5xx_next=1)
    with pytest.raises(tweepy.TwitterServerError):
        x_client(alice["token"]).get_me(user_auth=False)


def test_latency_and_client_timeout(sandbox, x_client, alice):
    _faults(sandbox, latency_ms=400, endpoints=["GET /2/users/me"])
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        x_client(alice["token"], timeout=0.1).get_me(user_auth=False)
    assert time.monotonic() - started < 0.35
    slow = time.monotonic()
    assert x_client(alice["token"], timeout=2).get_me(user_auth=False).data.username == "alice"
    assert time.monotonic() - slow >= 0.4
    _faults(sandbox, clear=True)
    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json()["latency_ms"] == 0


def test_malformed_json_after_commit(sandbox, x_client, alice):
    _faults(sandbox, malformed_json_next=1, endpoints=["POST /2/tweets"])
    client = x_client(alice["token"])
    with pytest.raises(requests.exceptions.JSONDecodeError):
        client.create_tweet(text="garbled answer", user_auth=False)
    assert [t["text"] for t in sandbox.state.tweets.values()] == ["garbled answer"]  # it was created


def test_connection_closed_after_commit(sandbox, x_client, alice):
    _faults(sandbox, timeout_after_commit_next=1, endpoints=["POST /2/tweets"])
    client = x_client(alice["token"])
    with pytest.raises(requests.exceptions.ConnectionError):
        client.create_tweet(text="did it post?", user_auth=False)
    assert [t["text"] for t in sandbox.state.tweets.values()] == ["did it post?"]
    # A naive retry hits X's duplicate check; reconciliation must look at the timeline instead.
    with pytest.raises(tweepy.Forbidden):
        client.create_tweet(text="did it post?", user_auth=False)
    timeline = client.get_users_tweets(alice["id"], user_auth=False)
    assert [t.text for t in timeline.data] == ["did it post?"]
    assert sandbox.state.snapshot()["counters"]["create_calls"] == 2


def test_delayed_response_after_commit(sandbox, x_client, alice):
    _faults(
        sandbox,
        timeout_after_commit_next=1,
        timeout_mode="delay",
        timeout_delay_s=1,
        endpoints=["POST /2/tweets"],
    )
    with pytest.raises(requests.exceptions.ReadTimeout):
        x_client(alice["token"], timeout=0.2).create_tweet(text="slow commit", user_auth=False)
    assert [t["text"] for t in sandbox.state.tweets.values()] == ["slow commit"]


def test_refused_posts_do_not_consume_commit_faults(sandbox, x_client, alice):
    client = x_client(alice["token"])
    client.create_tweet(text="dup", user_auth=False)
    _faults(sandbox, malformed_json_next=1, endpoints=["POST /2/tweets"])
    with pytest.raises(tweepy.Forbidden):
        client.create_tweet(text="dup", user_auth=False)
    assert sandbox.state.faults["malformed_json_next"] == 1


def test_bad_fault_requests(sandbox):
    for body in ({"explode": 1}, {"endpoints": ["GET /nowhere"]}, {"timeout_mode": "sometimes"}):
        assert requests.post(f"{sandbox.url}/_sandbox/faults", json=body, timeout=5).status_code == 400
    assert requests.post(f"{sandbox.url}/_sandbox/faults", data="nope", timeout=5).status_code == 400
