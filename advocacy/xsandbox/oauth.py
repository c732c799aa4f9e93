"""OAuth 2.0 authorization code + PKCE, as X does it: the consent page (``/i/oauth2/authorize``), the token
endpoint (code and refresh-token grants, with rotation and replay detection) and revocation.
``OAuthHandlers`` is a part of ``server.SandboxRequestHandler``; tokens live in ``tokens.TokenStore``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from .errors import ControlError
from .pages import html_page
from .routing import Route
from .tokens import token_digest

CODE_TTL = 600
_VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")

ROUTES = [
    Route("GET", r"/i/oauth2/authorize", "GET /i/oauth2/authorize", "authorize_page", "html"),
    Route("POST", r"/i/oauth2/authorize", "POST /i/oauth2/authorize", "authorize_submit", "html"),
    Route("POST", r"/2/oauth2/token", "POST /2/oauth2/token", "oauth_token", "oauth"),
    Route("POST", r"/2/oauth2/revoke", "POST /2/oauth2/revoke", "oauth_revoke", "oauth"),
]

_OAUTH_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


class OAuthHandlers:
    """``/i/oauth2/authorize`` (GET: consent page, POST: the answer), ``/2/oauth2/token`` and ``/revoke``."""

    def _oauth_error(self, status: int, error: str, description: str) -> None:
        self._send_json(status, {"error": error, "error_description": description})

    def _client_authenticated(self, form: dict) -> bool:
        state = self.state
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return False
            client_id, _, secret = decoded.partition(":")
            client_id, secret = unquote(client_id), unquote(secret)
            if not (
                secrets.compare_digest(client_id, state.client_id)
                and secrets.compare_digest(secret, state.client_secret)
            ):
                return False
            return form.get("client_id") in (None, state.client_id)
        return form.get("client_id") == state.client_id  # public client: client_id in the body

    def _form(self, body: bytes) -> dict:
        return {
            k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()
        }

    def oauth_token(self, match, query, body):
        self.state.count_request("POST /2/oauth2/token")
        form = self._form(body)
        if not self._client_authenticated(form):
            self._oauth_error(401, "unauthorized_client", "Missing valid authorization header")
            return
        grant = form.get("grant_type")
        if grant == "authorization_code":
            self._grant_code(form)
        elif grant == "refresh_token":
            self._grant_refresh(form)
        else:
            self._oauth_error(400, "invalid_request", "Value passed for the grant_type was invalid.")

    def _grant_code(self, form: dict) -> None:
        state = self.state
        code = form.get("code") or ""
        with state.lock:
            record = state.codes.get(token_digest(code))
            if record is None or record["expires_at"] <= state.now():
                self._oauth_error(
                    400, "invalid_request", "Value passed for the authorization code was invalid."
                )
                return
            if record["used"]:
                # A replayed code: burn everything that was issued from it (RFC 6749 section 4.1.2).
                state.revoke_family(record["family"])
                self._oauth_error(
                    400, "invalid_request", "Value passed for the authorization code was invalid."
                )
                return
            record["used"] = True  # single use, also when the attempt below fails
            if form.get("redirect_uri") != record["redirect_uri"]:
                self._oauth_error(
                    400,
                    "invalid_request",
                    "Value passed for the redirect uri did not match the uri of the authorization code.",
                )
                return
            verifier = form.get("code_verifier") or ""
            if not _VERIFIER_RE.match(verifier) or not secrets.compare_digest(
                _s256(verifier), record["code_challenge"]
            ):
                self._oauth_error(400, "invalid_request", "Value passed for the code verifier was invalid.")
                return
            body = state.token_response(
                record["user_id"], record["scopes"], family=record["family"], client_id=record["client_id"]
            )
        self._send_json(200, body)

    def _grant_refresh(self, form: dict) -> None:
        state = self.state
        token = form.get("refresh_token") or ""
        with state.lock:
            record = state.refresh_tokens.get(token_digest(token))
            if record is None or record["revoked"]:
                self._oauth_error(400, "invalid_request", "Value passed for the token was invalid.")
                return
            if record["used"]:
                state.revoke_family(record["family"])
                self._oauth_error(400, "invalid_request", "Value passed for the token was invalid.")
                return
            if record["user_id"] not in state.users:
                self._oauth_error(400, "invalid_request", "Value passed for the token was invalid.")
                return
            record["used"] = True
            body = state.token_response(
                record["user_id"], record["scopes"], family=record["family"], client_id=record["client_id"]
            )
        self._send_json(200, body)

    def oauth_revoke(self, match, query, body):
        form = self._form(body)
        if not self._client_authenticated(form):
            self._oauth_error(401, "unauthorized_client", "Missing valid authorization header")
            return
        token = form.get("token")
        if not token:
            self._oauth_error(400, "invalid_request", "Missing required parameter [token].")
            return
        self.state.revoke_token(token)
        self._send_json(200, {"revoked": True})

    def _validate_authorize(self, params: dict) -> str | None:
        if params.get("response_type") != "code":
            return "response_type must be 'code'."
        if params.get("client_id") != self.state.client_id:
            return "Unknown client_id."
        redirect = params.get("redirect_uri") or ""
        parts = urlsplit(redirect)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
            return "redirect_uri must be an absolute http(s) URL without a fragment."
        if not params.get("scope", "").split():
            return "scope is required."
        if not params.get("code_challenge"):
            return "code_challenge is required (PKCE)."
        if params.get("code_challenge_method") != "S256":
            return "code_challenge_method must be S256 (the sandbox refuses 'plain' on purpose)."
        return None

    def _authorize_html(self, params: dict, error: str | None = None) -> bytes:
        esc = html.escape
        hidden = "".join(
            f'<input type="hidden" name="{esc(k)}" value="{esc(params[k])}">'
            for k in _OAUTH_PARAMS
            if k in params
        )
        with self.state.lock:
            users = sorted(self.state.users.values(), key=lambda u: u["username"].lower())
        buttons = (
            "".join(
                f'<button type="submit" name="username" value="{esc(u["username"])}">'
                f'@{esc(u["username"])} <span class="muted">{esc(u["name"])}</span></button>'
                for u in users
            )
            or '<p class="muted">No sandbox users yet: type a username below.</p>'
        )
        scopes = "".join(f"<li><code>{esc(s)}</code></li>" for s in params.get("scope", "").split())
        err = f'<p class="error">{esc(error)}</p>' if error else ""
        body = (
            "<h1>Authorize app &mdash; X sandbox</h1>"
            f"<p><strong>{esc(params.get('client_id', ''))}</strong> wants to access your sandbox account."
            "</p>"
            f'<p class="muted">Scopes:</p><ul>{scopes}</ul>'
            f'<p class="muted">You will be sent back to <code>{esc(params.get("redirect_uri", ""))}</code>'
            "</p>"
            f"{err}"
            f'<form method="post" action="/i/oauth2/authorize">{hidden}<p>Sign in as:</p>'
            f'<div class="users">{buttons}</div></form>'
            f'<form method="post" action="/i/oauth2/authorize">{hidden}'
            '<p><label>Or a new user: @<input type="text" name="username" required maxlength="15" '
            'pattern="[A-Za-z0-9_]{1,15}" placeholder="username" autocomplete="off"></label></p>'
            '<p><button class="primary" type="submit" name="action" value="authorize">Authorize app</button> '
            '<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button></p></form>'
        )
        return html_page("Authorize app - X sandbox", body)

    def authorize_page(self, match, query, body):
        error = self._validate_authorize(query)
        if error:
            self._send_html(
                400,
                html_page(
                    "Invalid request - X sandbox",
                    f'<h1>Invalid authorization request</h1><p class="error">{html.escape(error)}</p>',
                ),
            )
            return
        self._send_html(200, self._authorize_html(query))

    @staticmethod
    def _redirect_with(uri: str, params: dict) -> str:
        parts = urlsplit(uri)
        extra = urlencode(params)
        new_query = f"{parts.query}&{extra}" if parts.query else extra
        return urlunsplit((parts.scheme, parts.netloc, parts.path, new_query, ""))

    def authorize_submit(self, match, query, body):
        form = self._form(body)
        params = {
            k: form.get(k, query.get(k)) for k in _OAUTH_PARAMS if form.get(k, query.get(k)) is not None
        }
        error = self._validate_authorize(params)
        if error:
            self._send_html(
                400,
                html_page(
                    "Invalid request - X sandbox",
                    f'<h1>Invalid authorization request</h1><p class="error">{html.escape(error)}</p>',
                ),
            )
            return
        redirect_uri = params["redirect_uri"]
        state_param = {"state": params["state"]} if "state" in params else {}
        if form.get("action") == "cancel":
            location = self._redirect_with(redirect_uri, {**state_param, "error": "access_denied"})
            self._send(302, b"", "text/plain", {"Location": location})
            return
        try:
            user = self.state.add_user(form.get("username", ""))
        except ControlError as exc:
            self._send_html(400, self._authorize_html(params, exc.message))
            return
        code = secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.codes[token_digest(code)] = {
                "client_id": params["client_id"],
                "redirect_uri": redirect_uri,
                "scopes": self.state._scopes(params["scope"]),
                "code_challenge": params["code_challenge"],
                "user_id": user["id"],
                "expires_at": self.state.now() + CODE_TTL,
                "used": False,
                "family": secrets.token_hex(8),
            }
        location = self._redirect_with(redirect_uri, {**state_param, "code": code})
        self._send(302, b"", "text/plain", {"Location": location})
