"""A bank reaches X through its outbound proxy: the environment's proxy and CA settings apply to every X call,
read once when the session is built (not scanned again on every post)."""

from __future__ import annotations

import http.server
import threading

import pytest
import requests

from advocacy.networks.crypto import Secret
from advocacy.networks.x import client as xclient
from advocacy.networks.x.http import route_x_calls

pytestmark = pytest.mark.django_db


class RecordingProxy(http.server.ThreadingHTTPServer):
    """An HTTP proxy that forwards requests to their absolute URL and remembers what passed through it."""

    def __init__(self):
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    def _forward(self):
        self.server.seen.append(f"{self.command} {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection")}
        upstream = requests.request(
            self.command, self.path, data=body, headers=headers, timeout=5, proxies={"http": None}
        )
        self.send_response(upstream.status_code)
        for name, value in upstream.headers.items():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(upstream.content)))
        self.end_headers()
        self.wfile.write(upstream.content)

    do_GET = do_POST = do_DELETE = _forward

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    server = RecordingProxy()
    yield server
    server.shutdown()
    server.server_close()


def _fresh_client():
    xclient._per_thread.__dict__.clear()  # this thread's client was built before the environment changed


def _me_with_a_fresh_client(sandbox, username: str) -> str:
    """``GET /2/users/me`` for a new sandbox user, from a client built under the current environment."""
    _fresh_client()
    x_user = sandbox.state.add_user(username)
    access, _refresh = sandbox.state.issue_token(x_user["id"])
    try:
        return xclient.me(Secret(access)).username
    finally:
        _fresh_client()


def test_x_calls_go_through_the_proxy_named_in_the_environment(sandbox, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert _me_with_a_fresh_client(sandbox, "proxied") == "proxied"
    assert proxy.seen == [f"GET {sandbox.url}/2/users/me"]


def test_hosts_in_no_proxy_are_reached_directly(sandbox, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert _me_with_a_fresh_client(sandbox, "direct") == "direct"
    assert proxy.seen == []


def test_the_ca_bundle_of_the_environment_verifies_x(settings, monkeypatch, tmp_path):
    bundle = tmp_path / "bank-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    settings.X_API_BASE_URL = "https://api.x.com"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    session = route_x_calls(requests.Session())
    assert session.verify == str(bundle)
    assert session.trust_env is False  # read once: nothing is looked up again on each call


def test_the_session_keeps_nothing_of_the_environment_it_was_not_told(settings, monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    settings.X_API_BASE_URL = "https://api.x.com"
    session = route_x_calls(requests.Session())
    assert session.verify is True and not session.proxies
