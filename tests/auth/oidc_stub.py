"""A loopback OpenID Connect provider for tests: the corporate identity provider, offline.

Standard library HTTP server in a thread on a free port. It implements just what allauth's
``openid_connect`` provider uses, and checks what a real provider checks:

- ``/.well-known/openid-configuration``: the discovery document;
- ``/authorize``: "signs in" whoever the test chose (``stub.identity``) and redirects back to the
  registered ``redirect_uri`` with a one-time code and the caller's ``state``;
- ``/token``: exchanges the code (client credentials, redirect URI and PKCE verifier checked) for an
  access token and an RS256 ``id_token`` signed with a key generated at start;
- ``/jwks``: the public key; ``/userinfo``: the identity, for a valid bearer token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class Identity:
    email: str
    given_name: str = "Camille"
    family_name: str = "Dupont"
    email_verified: bool = True
    sub: str = field(default_factory=lambda: secrets.token_hex(8))

    def claims(self) -> dict:
        return {
            "sub": self.sub,
            "email": self.email,
            "email_verified": self.email_verified,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "name": f"{self.given_name} {self.family_name}",
        }


class OidcStub:
    def __init__(self, *, client_id: str = "relais", client_secret: str = "stub-secret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.identity: Identity | None = None
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, Identity] = {}
        self.requests: list[str] = []  # paths served, for assertions
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle ----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> OidcStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OidcStub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- protocol -----------------------------------------------------------------------------------
    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", alg="RS256")
        return {"keys": [jwk]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict, dict]:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {}, {"error": "invalid_request"}
        if "openid" not in query.get("scope", "").split():
            return 400, {}, {"error": "invalid_scope"}
        if self.identity is None:
            return 403, {}, {"error": "access_denied"}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "identity": self.identity,
            "redirect_uri": query["redirect_uri"],
            "code_challenge": query.get("code_challenge"),
            "code_challenge_method": query.get("code_challenge_method"),
            "nonce": query.get("nonce"),
        }
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(params)}"}, {}

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # one use only
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "")
            digest = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if grant["code_challenge_method"] != "S256" or digest != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        identity: Identity = grant["identity"]
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = identity
        now = int(time.time())
        claims = {**identity.claims(), "iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def userinfo(self, authorization: str | None) -> tuple[int, dict]:
        token = (authorization or "").removeprefix("Bearer ")
        identity = self.tokens.get(token)
        if identity is None:
            return 401, {"error": "invalid_token"}
        return 200, identity.claims()

    # --- HTTP plumbing ------------------------------------------------------------------------------
    def _handler_class(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                stub.requests.append(parts.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    self._send(200, stub.discovery())
                elif parts.path == "/jwks":
                    self._send(200, stub.jwks())
                elif parts.path == "/authorize":
                    status, headers, body = stub.authorize(query)
                    self._send(status, body, headers)
                elif parts.path == "/userinfo":
                    self._send(*stub.userinfo(self.headers.get("Authorization")))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                stub.requests.append(parts.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if parts.path == "/token":
                    self._send(*stub.token(form, self.headers.get("Authorization")))
                elif parts.path == "/userinfo":
                    self._send(*stub.userinfo(self.headers.get("Authorization")))
                else:
                    self._send(404, {"error": "not_found"})

        return Handler
