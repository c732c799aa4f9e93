"""Fixtures for the X sandbox tests: a sandbox on an ephemeral port and tweepy clients pointed at it.

tweepy hard-codes ``https://api.twitter.com`` (and ``https://twitter.com`` for the authorize URL), so the
clients get a ``requests`` transport adapter that rewrites those hosts to the sandbox URL. Test-only.
"""

from __future__ import annotations

import pytest
import requests
import tweepy
from requests.adapters import HTTPAdapter

from advocacy.xsandbox import SandboxServer

X_HOSTS = ("https://api.twitter.com", "https://twitter.com")


class SandboxAdapter(HTTPAdapter):
    """Send requests meant for X to the sandbox instead; optionally enforce a default timeout."""

    def __init__(self, base_url: str, timeout: float | None = 5.0):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.default_timeout = timeout

    def send(self, request, **kwargs):
        for host in X_HOSTS:
            if request.url.startswith(host + "/") or request.url == host:
                request.url = self.base_url + request.url[len(host) :]
                break
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().send(request, **kwargs)


def point_at_sandbox(session: requests.Session, base_url: str, timeout: float | None = 5.0):
    adapter = SandboxAdapter(base_url, timeout)
    for host in X_HOSTS:
        session.mount(host, adapter)
    return session


@pytest.fixture
def sandbox():
    server = SandboxServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mount(sandbox):
    """``mount(session, timeout=5.0)``: route a requests session (or tweepy handler) to the sandbox."""

    def _mount(session, timeout: float | None = 5.0):
        return point_at_sandbox(session, sandbox.url, timeout)

    return _mount


@pytest.fixture
def x_client(sandbox):
    """``x_client(access_token, timeout=5.0, **kwargs) -> tweepy.Client`` talking to the sandbox."""

    def _client(access_token: str, timeout: float | None = 5.0, **kwargs) -> tweepy.Client:
        client = tweepy.Client(bearer_token=access_token, **kwargs)
        point_at_sandbox(client.session, sandbox.url, timeout)
        return client

    return _client


@pytest.fixture
def alice(sandbox):
    """A sandbox user with a full-scope token: dict with id, username, name, token, refresh."""
    user = sandbox.state.add_user("alice", name="Alice Example")
    token, refresh = sandbox.state.issue_token(user["id"])
    return {**user, "token": token, "refresh": refresh}


@pytest.fixture
def bob(sandbox):
    user = sandbox.state.add_user("bob", name="Bob Example")
    token, refresh = sandbox.state.issue_token(user["id"])
    return {**user, "token": token, "refresh": refresh}
