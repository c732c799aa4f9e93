"""The token store: OAuth 2.0 access and refresh tokens, kept as SHA-256 digests only.

``TokenStore`` is a part of ``SandboxState`` (``state.py``): it relies on its ``lock``, ``now()``, ``users``,
``client_id``, ``access_token_ttl``, ``_require_user`` and ``_changed``. The OAuth endpoints (``oauth.py``)
issue and rotate tokens through it; the API (``api.py``) authenticates with it.
"""

from __future__ import annotations

import hashlib
import secrets

DEFAULT_SCOPES = ("tweet.read", "tweet.write", "users.read", "follows.read", "like.read", "offline.access")
ACCESS_TOKEN_TTL = 7200


def token_digest(token: str) -> str:
    """How a token (or an authorization code) is stored: its SHA-256 hex digest."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    """Access/refresh tokens of ``SandboxState`` (see the module docstring)."""

    def _scopes(self, scopes) -> list[str]:
        if scopes is None:
            return list(DEFAULT_SCOPES)
        if isinstance(scopes, str):
            scopes = scopes.replace(",", " ").split()
        return list(dict.fromkeys(s for s in scopes if s))

    def issue_token(
        self, user_id: str, scopes=None, *, family: str | None = None, client_id: str | None = None
    ) -> tuple[str, str | None]:
        """Mint an access token (and a refresh token if ``offline.access`` is in ``scopes``) for a user.

        ``scopes`` is a space-separated string or an iterable; default ``DEFAULT_SCOPES``.
        Returns ``(access_token, refresh_token_or_None)``.
        """
        scopes = self._scopes(scopes)
        with self.lock:
            user = self._require_user(user_id)
            family = family or secrets.token_hex(8)
            access = secrets.token_urlsafe(48)
            record = {
                "user_id": user["id"],
                "scopes": scopes,
                "family": family,
                "client_id": client_id or self.client_id,
                "expires_at": self.now() + self.access_token_ttl,
                "revoked": False,
            }
            self.access_tokens[token_digest(access)] = record
            refresh = None
            if "offline.access" in scopes:
                refresh = secrets.token_urlsafe(48)
                self.refresh_tokens[token_digest(refresh)] = {
                    "user_id": user["id"],
                    "scopes": scopes,
                    "family": family,
                    "client_id": record["client_id"],
                    "used": False,
                    "revoked": False,
                }
            self._changed()
            return access, refresh

    def token_response(self, user_id: str, scopes, *, family=None, client_id=None) -> dict:
        access, refresh = self.issue_token(user_id, scopes, family=family, client_id=client_id)
        body = {
            "token_type": "bearer",
            "expires_in": self.access_token_ttl,
            "access_token": access,
            "scope": " ".join(self._scopes(scopes)),
        }
        if refresh:
            body["refresh_token"] = refresh
        return body

    def authenticate(self, access_token: str) -> tuple[dict, dict] | None:
        """Return ``(token_record, user)`` for a live access token, else None."""
        with self.lock:
            record = self.access_tokens.get(token_digest(access_token))
            if not record or record["revoked"] or record["expires_at"] <= self.now():
                return None
            user = self.users.get(record["user_id"])
            if user is None:
                return None
            return record, user

    def revoke_family(self, family: str) -> int:
        count = 0
        with self.lock:
            for record in (*self.access_tokens.values(), *self.refresh_tokens.values()):
                if record["family"] == family and not record["revoked"]:
                    record["revoked"] = True
                    count += 1
            self._changed()
        return count

    def revoke_token(self, token: str) -> bool:
        """Revoke an access token, or a refresh token together with its whole family (RFC 7009)."""
        digest = token_digest(token)
        with self.lock:
            if digest in self.access_tokens:
                self.access_tokens[digest]["revoked"] = True
                self._changed()
                return True
            if digest in self.refresh_tokens:
                self.revoke_family(self.refresh_tokens[digest]["family"])
                return True
        return False

    def revoke_user_tokens(self, user_ref) -> int:
        """Simulate the user revoking the app: every token of that user stops working."""
        with self.lock:
            user = self._require_user(user_ref)
            count = 0
            for record in (*self.access_tokens.values(), *self.refresh_tokens.values()):
                if record["user_id"] == user["id"] and not record["revoked"]:
                    record["revoked"] = True
                    count += 1
            self._changed()
            return count

    def expire_access_tokens(self, user_ref=None) -> int:
        """Make access tokens (of one user, or all) expired now; refresh tokens keep working."""
        with self.lock:
            user = self._require_user(user_ref) if user_ref is not None else None
            count = 0
            for record in self.access_tokens.values():
                if user is None or record["user_id"] == user["id"]:
                    record["expires_at"] = min(record["expires_at"], self.now() - 1)
                    count += 1
            self._changed()
            return count
