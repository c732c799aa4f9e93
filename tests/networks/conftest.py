"""The X sandbox and a connected account, as the publishing tests have them, plus a webhook receiver: a real
HTTP server on loopback that answers X's CRC with Relais's ``crc_response`` and keeps every delivery."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from advocacy.networks.x import webhooks
from tests.publishing.conftest import connect, sandbox  # noqa: F401 - fixtures

APP_TOKEN = "relais-sandbox-app-token"


class Receiver:
    def __init__(self):
        self.deliveries: list[tuple[bytes, str]] = []
        self.arrived = threading.Condition()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[tuple[bytes, str]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.deliveries) >= count, timeout=timeout)
            return list(self.deliveries)


@pytest.fixture
def receiver(settings):
    settings.X_CONSUMER_SECRET = "relais-sandbox-secret"
    box = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            token = parse_qs(urlsplit(self.path).query).get("crc_token", [""])[0]
            body = json.dumps(webhooks.crc_response(token)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with box.arrived:
                box.deliveries.append((body, self.headers.get(webhooks.SIGNATURE_HEADER, "")))
                box.arrived.notify_all()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    box.url = f"http://127.0.0.1:{server.server_address[1]}/x/webhook"
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
