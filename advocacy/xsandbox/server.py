"""The X sandbox HTTP server: the request handler's plumbing (routing, responses, logging) and startup.

The parts live beside this module: ``state.py`` (users, posts, counters, persistence) with ``tokens.py`` and
``faults.py``, ``api.py`` (X API v2), ``oauth.py`` (OAuth 2.0 PKCE), ``control.py`` (``/_sandbox/`` switches)
and ``pages.py`` (HTML). Standard library only. Every mutation of state happens under ``SandboxState.lock``;
the HTTP server is a ``ThreadingHTTPServer`` with daemon threads, so any number of clients may talk to it at
once. Responses mimic X API v2 closely enough that the real ``tweepy.Client`` parses them (and raises the same
exceptions it raises against X). Tokens are stored only as SHA-256 digests (also in the state file).

The names other code imported from this module before the split are still importable from here.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import api, control, oauth, pages
from .api import ApiHandlers
from .control import ControlHandlers
from .errors import (
    DUPLICATE,
    TOO_MANY,
    UNAUTHORIZED,
    UNAVAILABLE,
    ControlError,
    invalid_request,
    not_found_error,
)
from .faults import API_ENDPOINTS, DEFAULT_RATE_LIMITS, FAULT_DEFAULTS
from .oauth import CODE_TTL, OAuthHandlers
from .pages import PageHandlers
from .payloads import tweet_json, tweets_payload, user_json
from .state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, TWITTER_EPOCH_MS, SandboxState, iso8601
from .tokens import ACCESS_TOKEN_TTL, DEFAULT_SCOPES
from .weighted import MAX_WEIGHTED_LENGTH, weighted_length

__all__ = [
    "ACCESS_TOKEN_TTL",
    "API_ENDPOINTS",
    "CODE_TTL",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_RATE_LIMITS",
    "DEFAULT_SCOPES",
    "DUPLICATE",
    "FAULT_DEFAULTS",
    "MAX_WEIGHTED_LENGTH",
    "ROUTES",
    "TOO_MANY",
    "TWITTER_EPOCH_MS",
    "UNAUTHORIZED",
    "UNAVAILABLE",
    "ControlError",
    "SandboxRequestHandler",
    "SandboxServer",
    "SandboxState",
    "invalid_request",
    "iso8601",
    "not_found_error",
    "redact",
    "tweet_json",
    "tweets_payload",
    "user_json",
    "weighted_length",
]

log = logging.getLogger("advocacy.xsandbox")

_SECRET_PARAM_RE = re.compile(
    r"((?:access_token|refresh_token|code|code_verifier|token|client_secret|password)=)[^&\s\"']+",
    re.IGNORECASE,
)
_BEARER_RE = re.compile(r"(Bearer|Basic)\s+[A-Za-z0-9\-._~+/=%]+", re.IGNORECASE)

# Matched in this order (the first route whose path and method match wins).
ROUTES = [*pages.ROUTES, *oauth.ROUTES, *api.ROUTES, *control.ROUTES]


def redact(message: str) -> str:
    """Remove anything that looks like a credential from a log line."""
    return _BEARER_RE.sub(r"\1 [REDACTED]", _SECRET_PARAM_RE.sub(r"\1[REDACTED]", message))


class SandboxRequestHandler(
    PageHandlers, OAuthHandlers, ApiHandlers, ControlHandlers, BaseHTTPRequestHandler
):
    server_version = "XSandbox/1.0"
    # Keep-alive, as X does: every response carries Content-Length (``_send``), so clients reuse their
    # connection instead of opening one per call (which cost both sides a TCP handshake per post).
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle's algorithm the body would wait for the client's
    # delayed ACK of the headers (40 ms) on a kept-alive connection.
    disable_nagle_algorithm = True

    @property
    def state(self) -> SandboxState:
        return self.server.state

    def version_string(self) -> str:
        return self.server_version

    # ----------------------------------------------------------- logging

    def log_message(self, format, *args):
        log.info("%s %s", self.address_string(), redact(format % args))

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        self.log_message('"%s" %s %s', getattr(self, "requestline", ""), str(code), str(size))

    # ---------------------------------------------------------- plumbing

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PUT(self):
        self._dispatch("PUT")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for key, value in (headers or {}).items():
                self.send_header(key, str(value))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            log.info("client went away before the response was written")

    def _send_json(self, status: int, obj, headers: dict | None = None) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8", headers)

    def _send_html(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self._send(status, body, "text/html; charset=utf-8", headers)

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        route = match = None
        path_matched = False
        for candidate in ROUTES:
            m = candidate.regex.match(path)
            if m:
                path_matched = True
                if candidate.method == method:
                    route, match = candidate, m
                    break
        try:
            if route is None:
                status = 405 if path_matched else 404
                title = "Method Not Allowed" if path_matched else "Not Found"
                self._send_json(
                    status, {"title": title, "type": "about:blank", "status": status, "detail": title}
                )
                return
            body = self._read_body()
            if route.kind == "api":
                self._handle_api(route, match, query, body)
            elif route.kind == "control":
                self._handle_control(route, query, body)
            else:
                getattr(self, route.handler)(match, query, body)
        except Exception:
            log.exception("xsandbox: unhandled error on %s %s", method, redact(parts.path))
            self._send_json(
                500,
                {
                    "title": "Internal Server Error",
                    "type": "about:blank",
                    "status": 500,
                    "detail": "sandbox bug; see the sandbox log",
                },
            )


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    allow_reuse_address = True
    state: SandboxState


class SandboxServer:
    """The sandbox on a background thread (``start``/``stop``) or in the foreground (``serve_forever``).

    ``port=0`` binds an ephemeral port; the socket is bound in the constructor, so ``url`` is known at once.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        rate_limits: dict | None = None,
        access_token_ttl: int = ACCESS_TOKEN_TTL,
        state_file: str | os.PathLike | None = None,
    ):
        self.state = SandboxState(
            client_id=client_id,
            client_secret=client_secret,
            rate_limits=rate_limits,
            access_token_ttl=access_token_ttl,
            state_file=state_file,
        )
        server_class = _HTTPServer
        if ":" in host:
            server_class = type("_HTTPServer6", (_HTTPServer,), {"address_family": socket.AF_INET6})
        self.httpd = server_class((host, port), SandboxRequestHandler)
        self.httpd.state = self.state
        self.host = host
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SandboxServer:
        self.state.stop_event.clear()
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="xsandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.state.stop_event.set()
            self.httpd.server_close()

    def stop(self) -> None:
        self.state.stop_event.set()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
