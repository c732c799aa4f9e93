"""Control endpoints, HTML pages, persistence, the command line, log redaction."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import requests

from advocacy.xsandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]


def test_control_users_tokens_state_reset(sandbox, x_client):
    resp = requests.post(
        f"{sandbox.url}/_sandbox/users",
        json={"username": "alice", "name": "Alice", "issue_token": True},
        timeout=5,
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["data"]["username"] == "alice" and body["access_token"] and body["refresh_token"]
    assert x_client(body["access_token"]).get_me(user_auth=False).data.name == "Alice"
    token = requests.post(
        f"{sandbox.url}/_sandbox/tokens",
        json={"user": "@alice", "scopes": "tweet.read users.read"},
        timeout=5,
    ).json()
    assert token["scope"] == "tweet.read users.read" and "refresh_token" not in token
    assert (
        requests.post(f"{sandbox.url}/_sandbox/users", json={"username": "bad name"}, timeout=5).status_code
        == 400
    )
    assert (
        requests.post(f"{sandbox.url}/_sandbox/tokens", json={"user": "ghost"}, timeout=5).status_code == 404
    )

    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    assert [u["username"] for u in state["users"]] == ["alice"]
    assert body["access_token"] not in json.dumps(state)  # no token material in the dump
    assert state["tokens"]["access_live"] == 2

    assert requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5).json() == {"reset": True}
    assert requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()["users"] == []


def test_unknown_paths(sandbox):
    assert requests.get(f"{sandbox.url}/2/nothing", timeout=5).status_code == 404
    assert requests.put(f"{sandbox.url}/2/tweets", timeout=5).status_code == 405


def test_html_pages(sandbox, x_client, alice):
    client = x_client(alice["token"])
    client.create_tweet(text="<b>not bold</b> & co", user_auth=False)
    gone = client.create_tweet(text="regrettable", user_auth=False).data["id"]
    client.create_tweet(text="newest", user_auth=False)
    client.delete_tweet(gone, user_auth=False)

    index = requests.get(f"{sandbox.url}/", timeout=5)
    assert index.status_code == 200 and index.headers["Content-Type"].startswith("text/html")
    assert '<meta http-equiv="refresh" content="5">' in index.text
    assert 'href="/timeline/alice"' in index.text

    page = requests.get(f"{sandbox.url}/timeline/alice", timeout=5).text
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; co" in page and "<b>not bold" not in page
    assert "<del>regrettable</del>" in page
    assert page.index("newest") < page.index("regrettable") < page.index("not bold")
    assert "like 0" in page and "http://" not in page.replace(sandbox.url, "")  # no external assets
    assert requests.get(f"{sandbox.url}/timeline/nobody", timeout=5).status_code == 404


def test_the_timeline_button_raises_a_posts_impressions_and_likes(sandbox, x_client, alice):
    """The demo's "raise impressions" control: a plain form on the timeline, back to the timeline after."""
    post = x_client(alice["token"]).create_tweet(text="taux du mois", user_auth=False).data["id"]
    page = requests.get(f"{sandbox.url}/timeline/alice", timeout=5).text
    assert 'action="/timeline/alice/raise"' in page and f'value="{post}"' in page
    for _ in range(2):
        answer = requests.post(
            f"{sandbox.url}/timeline/alice/raise", data={"tweet_id": post}, allow_redirects=False, timeout=5
        )
        assert (answer.status_code, answer.headers["Location"]) == (303, "/timeline/alice")
    tweet = next(t for t in requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()["tweets"])
    assert (tweet["public_metrics"]["impression_count"], tweet["public_metrics"]["like_count"]) == (200, 10)
    missing = requests.post(f"{sandbox.url}/timeline/alice/raise", data={"tweet_id": "1"}, timeout=5)
    assert missing.status_code == 404


def test_state_file_survives_restart(tmp_path):
    state_file = tmp_path / "xsandbox.json"
    first = SandboxServer(state_file=state_file).start()
    try:
        user = first.state.add_user("alice")
        token, _ = first.state.issue_token(user["id"])
        resp = requests.post(
            f"{first.url}/2/tweets",
            json={"text": "persist me"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert resp.status_code == 201
        tweet_id = resp.json()["data"]["id"]
    finally:
        first.stop()
    saved = state_file.read_text()
    assert "persist me" in saved and token not in saved
    assert not list(tmp_path.glob(".xsandbox-*"))  # atomic write left no temp file

    second = SandboxServer(state_file=state_file).start()
    try:
        me = requests.get(f"{second.url}/2/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert me.json()["data"]["username"] == "alice"
        assert second.state.tweets[tweet_id]["text"] == "persist me"
        resp = requests.post(
            f"{second.url}/2/tweets",
            json={"text": "after restart"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert int(resp.json()["data"]["id"]) > int(tweet_id)
    finally:
        second.stop()


def test_log_lines_never_contain_tokens(sandbox, alice, caplog):
    caplog.set_level(logging.INFO, logger="advocacy.xsandbox")
    requests.get(
        f"{sandbox.url}/2/users/me?access_token={alice['token']}",
        headers={"Authorization": f"Bearer {alice['token']}"},
        timeout=5,
    )
    requests.post(
        f"{sandbox.url}/2/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": alice["refresh"],
            "client_id": "relais-sandbox-client",
        },
        timeout=5,
    )
    assert "/2/users/me" in caplog.text
    assert alice["token"] not in caplog.text and alice["refresh"] not in caplog.text
    assert "access_token=[REDACTED]" in caplog.text


def test_command_line(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "advocacy.xsandbox",
            "--port",
            "0",
            "--quiet",
            "--state-file",
            str(tmp_path / "s.json"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("X sandbox listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        requests.post(f"{url}/_sandbox/users", json={"username": "cli_user"}, timeout=5)
        assert requests.get(f"{url}/_sandbox/state", timeout=5).json()["users"][0]["username"] == "cli_user"
        assert (tmp_path / "s.json").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=5)
