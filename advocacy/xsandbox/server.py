"""The X sandbox HTTP server: in-memory state, OAuth 2.0 (PKCE) endpoints, X API v2 subset, control switches.

Standard library only. Every mutation of state happens under ``SandboxState.lock``; the HTTP server is a
``ThreadingHTTPServer`` with daemon threads, so any number of clients may talk to it at once.
Responses mimic X API v2 closely enough that the real ``tweepy.Client`` parses them (and raises the same
exceptions it raises against X). Tokens are stored only as SHA-256 digests (also in the state file).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import html
import json
import logging
import os
import re
import secrets
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from .weighted import MAX_WEIGHTED_LENGTH, weighted_length

log = logging.getLogger("advocacy.xsandbox")

DEFAULT_CLIENT_ID = "relais-sandbox-client"
DEFAULT_CLIENT_SECRET = "relais-sandbox-secret"  # noqa: S105 - a public, documented sandbox value
DEFAULT_SCOPES = ("tweet.read", "tweet.write", "users.read", "follows.read", "offline.access")
ACCESS_TOKEN_TTL = 7200
CODE_TTL = 600
TWITTER_EPOCH_MS = 1288834974657

# endpoint name -> (requests allowed, window in seconds), per user.
DEFAULT_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "GET /2/users/me": (75, 900),
    "GET /2/users/:id": (900, 900),
    "GET /2/users/by/username/:username": (900, 900),
    "POST /2/tweets": (100, 900),
    "DELETE /2/tweets/:id": (50, 900),
    "GET /2/tweets": (900, 900),
    "GET /2/tweets/:id": (900, 900),
    "GET /2/users/:id/tweets": (900, 900),
    "GET /2/users/:id/mentions": (180, 900),
    "GET /2/users/:id/followers": (15, 900),
}
API_ENDPOINTS = tuple(DEFAULT_RATE_LIMITS)

_PUBLIC_METRICS = ("retweet_count", "reply_count", "like_count", "quote_count", "impression_count")
_USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{1,15})")
_VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_SECRET_PARAM_RE = re.compile(
    r"((?:access_token|refresh_token|code|code_verifier|token|client_secret|password)=)[^&\s\"']+",
    re.IGNORECASE,
)
_BEARER_RE = re.compile(r"(Bearer|Basic)\s+[A-Za-z0-9\-._~+/=%]+", re.IGNORECASE)

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
UNAVAILABLE = {
    "title": "Service Unavailable",
    "detail": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
}
FAULT_DEFAULTS = {
    "rate_limit_next": 0,
    "error_5xx_next": 0,
    "latency_ms": 0,
    "malformed_json_next": 0,
    "timeout_after_commit_next": 0,
    "reset_after_s": 60,
    "timeout_mode": "close",  # "close": drop the connection without answering; "delay": answer too late
    "timeout_delay_s": 10.0,
    "endpoints": None,  # None: every API endpoint; else a list of endpoint names like "POST /2/tweets"
}


def redact(message: str) -> str:
    """Remove anything that looks like a credential from a log line."""
    return _BEARER_RE.sub(r"\1 [REDACTED]", _SECRET_PARAM_RE.sub(r"\1[REDACTED]", message))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def iso8601(ts: float) -> str:
    """X's timestamp format: ``2026-11-25T10:00:00.000Z``."""
    ms = round(ts * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def _encode_page_token(kind: str, value: str) -> str:
    return base64.b32encode(f"{kind}:{value}".encode()).decode().rstrip("=").lower()


def _decode_page_token(kind: str, token: str) -> str | None:
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, value = raw.partition(":")
    if prefix != kind or not value.isdigit():
        return None
    return value


def invalid_request(message: str, parameter: str | None = None, value: object = None) -> dict:
    error: dict = {"message": message}
    if parameter is not None:
        error["parameters"] = {parameter: [str(value)]}
    return {
        "errors": [error],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


def not_found_error(resource_type: str, value: str, parameter: str = "id") -> dict:
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


class ControlError(Exception):
    """A refused control or state-helper call (becomes a JSON error on /_sandbox/...)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class SandboxState:
    """All sandbox data, guarded by ``lock`` (re-entrant). Safe to call from tests while the server runs."""

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        rate_limits: dict[str, tuple[int, int]] | None = None,
        access_token_ttl: int = ACCESS_TOKEN_TTL,
        state_file: str | os.PathLike | None = None,
        clock=time.time,
    ):
        self.lock = threading.RLock()
        self.clock = clock
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_token_ttl = access_token_ttl
        self.state_file = os.fspath(state_file) if state_file else None
        self.stop_event = threading.Event()
        self.rate_limits = dict(DEFAULT_RATE_LIMITS)
        if rate_limits:
            self.set_rate_limits(rate_limits)
        self._init_data()
        if self.state_file and os.path.exists(self.state_file):
            self._load()

    # ----------------------------------------------------------------- basics

    def _init_data(self) -> None:
        self.users: dict[str, dict] = {}
        self.tweets: dict[str, dict] = {}
        self.followers: dict[str, list[str]] = {}
        self.access_tokens: dict[str, dict] = {}
        self.refresh_tokens: dict[str, dict] = {}
        self.codes: dict[str, dict] = {}
        self.faults: dict = dict(FAULT_DEFAULTS)
        self.counters: dict = {"create_calls": 0, "tweets_created": 0, "requests": {}}
        self.rate_windows: dict[tuple[str, str], list] = {}
        self.last_id = 0

    def now(self) -> float:
        return self.clock()

    def sleep(self, seconds: float) -> None:
        """Sleep, but wake up at once when the server stops."""
        if seconds > 0:
            self.stop_event.wait(seconds)

    def next_id(self) -> str:
        """Snowflake-like id: numeric string, strictly increasing."""
        with self.lock:
            candidate = (int(self.now() * 1000) - TWITTER_EPOCH_MS) << 22
            self.last_id = max(candidate, self.last_id + 1)
            return str(self.last_id)

    def reset(self) -> None:
        with self.lock:
            self._init_data()
            self._changed()

    # ------------------------------------------------------------ persistence

    def _changed(self) -> None:
        if not self.state_file:
            return
        with self.lock:
            data = {
                "version": 1,
                "users": self.users,
                "tweets": self.tweets,
                "followers": self.followers,
                "access_tokens": self.access_tokens,
                "refresh_tokens": self.refresh_tokens,
                "counters": self.counters,
                "last_id": self.last_id,
            }
            directory = os.path.dirname(os.path.abspath(self.state_file))
            fd, tmp = tempfile.mkstemp(prefix=".xsandbox-", suffix=".json", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, ensure_ascii=False, indent=1)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.state_file)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def _load(self) -> None:
        with open(self.state_file, encoding="utf-8") as fh:
            data = json.load(fh)
        with self.lock:
            self.users = data.get("users", {})
            self.tweets = data.get("tweets", {})
            self.followers = data.get("followers", {})
            self.access_tokens = data.get("access_tokens", {})
            self.refresh_tokens = data.get("refresh_tokens", {})
            self.counters = data.get("counters", self.counters)
            self.counters.setdefault("requests", {})
            self.last_id = int(data.get("last_id", 0))

    # ------------------------------------------------------------------ users

    def add_user(self, username: str, name: str | None = None) -> dict:
        """Create a user (or return the existing one with that username, case-insensitively)."""
        username = (username or "").strip().lstrip("@")
        if not _USERNAME_RE.match(username):
            raise ControlError(400, "username must be 1-15 letters, digits or underscores")
        with self.lock:
            existing = self.find_user(username)
            if existing:
                return dict(existing)
            user = {
                "id": self.next_id(),
                "username": username,
                "name": name or username,
                "created_at": self.now(),
            }
            self.users[user["id"]] = user
            self._changed()
            return dict(user)

    def find_user(self, ref: str | None) -> dict | None:
        """Find a user by id, username or @username."""
        if ref is None:
            return None
        ref = str(ref).strip()
        with self.lock:
            if ref in self.users:
                return self.users[ref]
            wanted = ref.lstrip("@").lower()
            for user in self.users.values():
                if user["username"].lower() == wanted:
                    return user
        return None

    def _require_user(self, ref) -> dict:
        user = self.find_user(ref)
        if user is None:
            raise ControlError(404, f"unknown user: {ref!r}")
        return user

    # ----------------------------------------------------------------- tokens

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
            self.access_tokens[_digest(access)] = record
            refresh = None
            if "offline.access" in scopes:
                refresh = secrets.token_urlsafe(48)
                self.refresh_tokens[_digest(refresh)] = {
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
            record = self.access_tokens.get(_digest(access_token))
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
        digest = _digest(token)
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

    # ----------------------------------------------------------------- tweets

    def create_tweet(self, author_id: str, text: str, in_reply_to_tweet_id: str | None = None) -> dict:
        """Create a post. Raises ControlError(400/403) on invalid text or duplicate content."""
        if not isinstance(text, str) or weighted_length(text) == 0:
            raise ControlError(400, "text must be a non-empty string")
        length = weighted_length(text)
        if length > MAX_WEIGHTED_LENGTH:
            raise ControlError(400, f"Tweet text is too long: {length} weighted characters, limit 280.")
        with self.lock:
            author = self._require_user(author_id)
            for tweet in self.tweets.values():
                if (
                    tweet["author_id"] == author["id"]
                    and tweet["deleted_at"] is None
                    and tweet["text"] == text
                ):
                    raise ControlError(403, DUPLICATE["detail"])
            parent = None
            if in_reply_to_tweet_id is not None:
                parent = self.tweets.get(str(in_reply_to_tweet_id))
                if parent is None or parent["deleted_at"] is not None:
                    raise ControlError(
                        400, f"Could not find tweet with in_reply_to_tweet_id: [{in_reply_to_tweet_id}]."
                    )
            tweet_id = self.next_id()
            mentions = []
            for username in _MENTION_RE.findall(text):
                mentioned = self.find_user(username)
                if mentioned and mentioned["id"] not in mentions:
                    mentions.append(mentioned["id"])
            if parent is not None and parent["author_id"] not in mentions:
                mentions.append(parent["author_id"])
            tweet = {
                "id": tweet_id,
                "text": text,
                "author_id": author["id"],
                "created_at": self.now(),
                "deleted_at": None,
                "conversation_id": parent["conversation_id"] if parent else tweet_id,
                "in_reply_to_user_id": parent["author_id"] if parent else None,
                "in_reply_to_tweet_id": parent["id"] if parent else None,
                "mentions": mentions,
                "public_metrics": dict.fromkeys(_PUBLIC_METRICS, 0),
            }
            if parent is not None:
                parent["public_metrics"]["reply_count"] += 1
            self.tweets[tweet_id] = tweet
            self.counters["tweets_created"] += 1
            self._changed()
            return dict(tweet)

    def delete_tweet(self, tweet_id: str, by_user_id: str | None = None) -> dict:
        with self.lock:
            tweet = self.tweets.get(str(tweet_id))
            if tweet is None or tweet["deleted_at"] is not None:
                raise ControlError(404, f"Could not find tweet with id: [{tweet_id}].")
            if by_user_id is not None and tweet["author_id"] != by_user_id:
                raise ControlError(403, "You are not allowed to delete a Tweet that you did not create.")
            tweet["deleted_at"] = self.now()
            self._changed()
            return dict(tweet)

    def live_tweet(self, tweet_id: str) -> dict | None:
        with self.lock:
            tweet = self.tweets.get(str(tweet_id))
            if tweet is None or tweet["deleted_at"] is not None:
                return None
            return tweet

    def add_mention(self, from_user, to_user, text: str | None = None, in_reply_to_tweet_id=None) -> dict:
        """Another sandbox user (created if needed) posts a mention of / reply to ``to_user``."""
        with self.lock:
            target = self._require_user(to_user)
            author = self.find_user(from_user) or self.add_user(str(from_user))
            if text is None:
                text = f"@{target['username']} hello from @{author['username']} #{self.last_id % 100000}"
            elif f"@{target['username'].lower()}" not in text.lower() and in_reply_to_tweet_id is None:
                text = f"@{target['username']} {text}"
            tweet = self.create_tweet(author["id"], text, in_reply_to_tweet_id=in_reply_to_tweet_id)
            if target["id"] not in tweet["mentions"]:
                self.tweets[tweet["id"]]["mentions"].append(target["id"])
                self._changed()
            return dict(self.tweets[tweet["id"]])

    def add_follower(self, target, follower=None) -> dict:
        """``follower`` (created if needed; a fresh synthetic user if None) starts following ``target``."""
        with self.lock:
            target_user = self._require_user(target)
            if follower is None:
                follower_user = self.add_user(f"fan_{len(self.users):010d}"[:15])
            else:
                follower_user = self.find_user(follower) or self.add_user(str(follower))
            fans = self.followers.setdefault(target_user["id"], [])
            if follower_user["id"] not in fans:
                fans.insert(0, follower_user["id"])  # X lists the most recent follower first
            self._changed()
            return dict(follower_user)

    def set_metrics(self, tweet_id: str, **metrics: int) -> dict:
        with self.lock:
            tweet = self.tweets.get(str(tweet_id))
            if tweet is None:
                raise ControlError(404, f"unknown tweet: {tweet_id}")
            for key, value in metrics.items():
                if key not in _PUBLIC_METRICS:
                    raise ControlError(400, f"unknown metric {key!r}; known: {', '.join(_PUBLIC_METRICS)}")
                tweet["public_metrics"][key] = int(value)
            self._changed()
            return dict(tweet["public_metrics"])

    # ----------------------------------------------------------------- faults

    def set_faults(self, **changes) -> dict:
        """Merge fault switches (see FAULT_DEFAULTS / README). ``clear=True`` resets them first."""
        with self.lock:
            if changes.pop("clear", False):
                self.faults = dict(FAULT_DEFAULTS)
            for key, value in changes.items():
                if key not in FAULT_DEFAULTS:
                    raise ControlError(400, f"unknown fault switch {key!r}")
                if key == "endpoints":
                    if value is not None:
                        unknown = [e for e in value if e not in API_ENDPOINTS]
                        if unknown:
                            raise ControlError(
                                400, f"unknown endpoints {unknown}; known: {list(API_ENDPOINTS)}"
                            )
                        value = list(value)
                elif key == "timeout_mode":
                    if value not in ("close", "delay"):
                        raise ControlError(400, "timeout_mode must be 'close' or 'delay'")
                elif key in ("timeout_delay_s", "reset_after_s"):
                    value = float(value)
                else:
                    value = int(value)
                self.faults[key] = value
            return dict(self.faults)

    def _fault_applies(self, endpoint: str) -> bool:
        endpoints = self.faults["endpoints"]
        return endpoints is None or endpoint in endpoints

    def take_fault(self, endpoint: str, switch: str) -> bool:
        """Consume one unit of a counted fault switch if it applies to ``endpoint``."""
        with self.lock:
            if self.faults.get(switch, 0) > 0 and self._fault_applies(endpoint):
                self.faults[switch] -= 1
                return True
            return False

    def latency_for(self, endpoint: str) -> float:
        with self.lock:
            if self._fault_applies(endpoint):
                return self.faults["latency_ms"] / 1000.0
            return 0.0

    # ------------------------------------------------------------ rate limits

    def set_rate_limits(self, limits: dict) -> None:
        with self.lock:
            for endpoint, value in limits.items():
                if endpoint not in API_ENDPOINTS:
                    raise ControlError(400, f"unknown endpoint {endpoint!r}")
                if isinstance(value, dict):
                    value = (value["limit"], value.get("window_s", 900))
                limit, window = value
                self.rate_limits[endpoint] = (int(limit), int(window))
                for key in [k for k in getattr(self, "rate_windows", {}) if k[1] == endpoint]:
                    del self.rate_windows[key]

    def rate_limit(self, key: str, endpoint: str, consume: bool) -> tuple[int, int, int, bool]:
        """Fixed window per (user, endpoint). Returns ``(limit, remaining, reset_epoch, allowed)``."""
        with self.lock:
            limit, window = self.rate_limits.get(endpoint, (900, 900))
            now = self.now()
            slot = self.rate_windows.get((key, endpoint))
            if slot is None or slot[0] + window <= now:
                slot = [now, 0]
                self.rate_windows[(key, endpoint)] = slot
            allowed = slot[1] < limit
            if consume and allowed:
                slot[1] += 1
            return limit, max(limit - slot[1], 0), int(slot[0] + window), allowed

    # ------------------------------------------------------------------- dump

    def count_request(self, endpoint: str) -> None:
        with self.lock:
            requests = self.counters["requests"]
            requests[endpoint] = requests.get(endpoint, 0) + 1
            if endpoint == "POST /2/tweets":
                self.counters["create_calls"] += 1

    def snapshot(self) -> dict:
        """JSON-able dump for ``GET /_sandbox/state`` (no token material)."""
        with self.lock:
            tweets = []
            for tweet in sorted(self.tweets.values(), key=lambda t: int(t["id"])):
                item = dict(
                    tweet, created_at=iso8601(tweet["created_at"]), deleted=tweet["deleted_at"] is not None
                )
                item["deleted_at"] = iso8601(tweet["deleted_at"]) if tweet["deleted_at"] is not None else None
                item["public_metrics"] = dict(tweet["public_metrics"])
                item["mentions"] = list(tweet["mentions"])
                tweets.append(item)
            now = self.now()
            live_tokens = sum(
                1 for r in self.access_tokens.values() if not r["revoked"] and r["expires_at"] > now
            )
            return {
                "users": [dict(u, created_at=iso8601(u["created_at"])) for u in self.users.values()],
                "tweets": tweets,
                "followers": {uid: list(ids) for uid, ids in self.followers.items()},
                "counters": json.loads(json.dumps(self.counters)),
                "faults": dict(self.faults),
                "rate_limits": {k: {"limit": v[0], "window_s": v[1]} for k, v in self.rate_limits.items()},
                "tokens": {
                    "access_live": live_tokens,
                    "access_total": len(self.access_tokens),
                    "refresh_total": len(self.refresh_tokens),
                },
            }


# ---------------------------------------------------------------------- output shaping


def _fields(query: dict, name: str) -> set[str]:
    return {f.strip() for f in query.get(name, "").split(",") if f.strip()}


def user_json(user: dict, state: SandboxState, fields: set[str]) -> dict:
    data = {"id": user["id"], "name": user["name"], "username": user["username"]}
    if "created_at" in fields:
        data["created_at"] = iso8601(user["created_at"])
    if "description" in fields:
        data["description"] = ""
    if "protected" in fields:
        data["protected"] = False
    if "verified" in fields:
        data["verified"] = False
    if "public_metrics" in fields:
        following = sum(1 for fans in state.followers.values() if user["id"] in fans)
        data["public_metrics"] = {
            "followers_count": len(state.followers.get(user["id"], [])),
            "following_count": following,
            "tweet_count": sum(
                1 for t in state.tweets.values() if t["author_id"] == user["id"] and t["deleted_at"] is None
            ),
            "listed_count": 0,
        }
    return data


def tweet_json(tweet: dict, fields: set[str]) -> dict:
    data = {"id": tweet["id"], "text": tweet["text"], "edit_history_tweet_ids": [tweet["id"]]}
    if "created_at" in fields:
        data["created_at"] = iso8601(tweet["created_at"])
    if "author_id" in fields:
        data["author_id"] = tweet["author_id"]
    if "conversation_id" in fields:
        data["conversation_id"] = tweet["conversation_id"]
    if "in_reply_to_user_id" in fields and tweet["in_reply_to_user_id"]:
        data["in_reply_to_user_id"] = tweet["in_reply_to_user_id"]
    if "referenced_tweets" in fields and tweet["in_reply_to_tweet_id"]:
        data["referenced_tweets"] = [{"type": "replied_to", "id": tweet["in_reply_to_tweet_id"]}]
    if "public_metrics" in fields:
        data["public_metrics"] = dict(tweet["public_metrics"])
    return data


def tweets_payload(state: SandboxState, tweets: list[dict], query: dict) -> dict:
    fields = _fields(query, "tweet.fields")
    payload: dict = {}
    if tweets:
        payload["data"] = [tweet_json(t, fields) for t in tweets]
    if "author_id" in _fields(query, "expansions") and tweets:
        user_fields = _fields(query, "user.fields")
        seen = list(dict.fromkeys(t["author_id"] for t in tweets))
        payload["includes"] = {
            "users": [user_json(state.users[uid], state, user_fields) for uid in seen if uid in state.users]
        }
    return payload


# ------------------------------------------------------------------------------ HTTP


class _Route:
    def __init__(self, method: str, pattern: str, name: str, handler: str, kind: str, scopes=()):
        self.method = method
        self.regex = re.compile("^" + pattern + "$")
        self.name = name
        self.handler = handler
        self.kind = kind
        self.scopes = scopes


_READ = ("tweet.read", "users.read")
_WRITE = ("tweet.read", "tweet.write", "users.read")

ROUTES = [
    _Route("GET", r"/", "GET /", "page_index", "html"),
    _Route("GET", r"/timeline/(?P<username>[^/]+)", "GET /timeline", "page_timeline", "html"),
    _Route("GET", r"/i/oauth2/authorize", "GET /i/oauth2/authorize", "authorize_page", "html"),
    _Route("POST", r"/i/oauth2/authorize", "POST /i/oauth2/authorize", "authorize_submit", "html"),
    _Route("POST", r"/2/oauth2/token", "POST /2/oauth2/token", "oauth_token", "oauth"),
    _Route("POST", r"/2/oauth2/revoke", "POST /2/oauth2/revoke", "oauth_revoke", "oauth"),
    _Route("GET", r"/2/users/me", "GET /2/users/me", "api_me", "api", ("users.read", "tweet.read")),
    _Route(
        "GET",
        r"/2/users/by/username/(?P<username>[A-Za-z0-9_]{1,15})",
        "GET /2/users/by/username/:username",
        "api_user_by_username",
        "api",
        _READ,
    ),
    _Route("GET", r"/2/users/(?P<id>\d+)", "GET /2/users/:id", "api_user", "api", _READ),
    _Route("POST", r"/2/tweets", "POST /2/tweets", "api_create_tweet", "api", _WRITE),
    _Route("GET", r"/2/tweets", "GET /2/tweets", "api_get_tweets", "api", _READ),
    _Route("GET", r"/2/tweets/(?P<id>\d+)", "GET /2/tweets/:id", "api_get_tweet", "api", _READ),
    _Route("DELETE", r"/2/tweets/(?P<id>\d+)", "DELETE /2/tweets/:id", "api_delete_tweet", "api", _WRITE),
    _Route("GET", r"/2/users/(?P<id>\d+)/tweets", "GET /2/users/:id/tweets", "api_timeline", "api", _READ),
    _Route(
        "GET", r"/2/users/(?P<id>\d+)/mentions", "GET /2/users/:id/mentions", "api_mentions", "api", _READ
    ),
    _Route(
        "GET",
        r"/2/users/(?P<id>\d+)/followers",
        "GET /2/users/:id/followers",
        "api_followers",
        "api",
        (*_READ, "follows.read"),
    ),
    _Route("GET", r"/_sandbox/state", "GET /_sandbox/state", "ctl_state", "control"),
    _Route("GET", r"/_sandbox/faults", "GET /_sandbox/faults", "ctl_get_faults", "control"),
    _Route("POST", r"/_sandbox/faults", "POST /_sandbox/faults", "ctl_faults", "control"),
    _Route("DELETE", r"/_sandbox/faults", "DELETE /_sandbox/faults", "ctl_clear_faults", "control"),
    _Route("POST", r"/_sandbox/rate_limits", "POST /_sandbox/rate_limits", "ctl_rate_limits", "control"),
    _Route("POST", r"/_sandbox/reset", "POST /_sandbox/reset", "ctl_reset", "control"),
    _Route("POST", r"/_sandbox/users", "POST /_sandbox/users", "ctl_users", "control"),
    _Route("POST", r"/_sandbox/tokens", "POST /_sandbox/tokens", "ctl_tokens", "control"),
    _Route("POST", r"/_sandbox/mention", "POST /_sandbox/mention", "ctl_mention", "control"),
    _Route("POST", r"/_sandbox/follow", "POST /_sandbox/follow", "ctl_follow", "control"),
    _Route("POST", r"/_sandbox/metrics", "POST /_sandbox/metrics", "ctl_metrics", "control"),
    _Route(
        "POST",
        r"/_sandbox/revoke_user_tokens",
        "POST /_sandbox/revoke_user_tokens",
        "ctl_revoke_user",
        "control",
    ),
    _Route(
        "POST", r"/_sandbox/expire_tokens", "POST /_sandbox/expire_tokens", "ctl_expire_tokens", "control"
    ),
]


class _ApiContext:
    def __init__(self, user: dict, token: dict, query: dict, match: re.Match, body: bytes):
        self.user = user
        self.token = token
        self.query = query
        self.match = match
        self.body = body


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f8fa;color:#0f1419;
margin:0;padding:2rem}main{max-width:42rem;margin:auto;background:#fff;border:1px solid #cfd9de;
border-radius:16px;padding:1.5rem 2rem}h1{font-size:1.4rem;margin-top:0}a{color:#1d9bf0}
.muted{color:#536471;font-size:.9rem}.users{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}
button{font:inherit;border-radius:999px;border:1px solid #cfd9de;background:#fff;padding:.45rem 1rem;
cursor:pointer}button.primary{background:#0f1419;color:#fff;border-color:#0f1419}button:hover{filter:brightness(.95)}
input[type=text]{font:inherit;padding:.45rem .8rem;border:1px solid #cfd9de;border-radius:8px}
.error{background:#fdecea;border:1px solid #f4212e;color:#a0101a;padding:.6rem 1rem;border-radius:8px}
.tweet{border-top:1px solid #eff3f4;padding:.8rem 0}.tweet del{color:#8b98a5}
.metrics{color:#536471;font-size:.85rem}code{background:#eff3f4;padding:0 .3rem;border-radius:4px}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eff3f4}
"""


def _page(title: str, body: str, refresh: bool = False) -> bytes:
    meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">{meta}'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    ).encode()


_OAUTH_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


class SandboxRequestHandler(BaseHTTPRequestHandler):
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

    # ---------------------------------------------------------------- API

    def _bearer(self) -> str | None:
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        return value.strip()

    @staticmethod
    def _rate_headers(limit: int, remaining: int, reset: int) -> dict:
        return {"x-rate-limit-limit": limit, "x-rate-limit-remaining": remaining, "x-rate-limit-reset": reset}

    def _handle_api(self, route: _Route, match: re.Match, query: dict, body: bytes) -> None:
        state = self.state
        name = route.name
        state.count_request(name)
        state.sleep(state.latency_for(name))

        token = self._bearer()
        auth = state.authenticate(token) if token else None
        rate_key = auth[1]["id"] if auth else f"ip:{self.client_address[0]}"
        headers = self._rate_headers(*state.rate_limit(rate_key, name, consume=False)[:3])
        if auth is None:
            self._send_json(401, UNAUTHORIZED, headers)
            return
        record, user = auth
        missing = [s for s in route.scopes if s not in record["scopes"]]
        if missing:
            self._send_json(
                403,
                {
                    "title": "Forbidden",
                    "type": "about:blank",
                    "status": 403,
                    "detail": f"Missing required OAuth 2.0 scope(s): {' '.join(missing)}",
                },
                headers,
            )
            return

        if state.take_fault(name, "rate_limit_next"):
            with state.lock:
                reset = int(state.now() + state.faults["reset_after_s"])
            self._send_json(429, TOO_MANY, self._rate_headers(headers["x-rate-limit-limit"], 0, reset))
            return
        if state.take_fault(name, "error_5xx_next"):
            self._send_json(503, UNAVAILABLE, headers)
            return

        limit, remaining, reset, allowed = state.rate_limit(rate_key, name, consume=True)
        headers = self._rate_headers(limit, remaining, reset)
        if not allowed:
            self._send_json(429, TOO_MANY, headers)
            return

        status, payload = getattr(self, route.handler)(_ApiContext(user, record, query, match, body))
        out = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        if 200 <= status < 300:
            if state.take_fault(name, "malformed_json_next"):
                out = out[: max(len(out) // 2, 1)] + b"<html>\x00 upstream"
            if state.take_fault(name, "timeout_after_commit_next"):
                with state.lock:
                    mode, delay = state.faults["timeout_mode"], state.faults["timeout_delay_s"]
                if mode == "close":
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                state.sleep(delay)
        self._send(status, out, "application/json; charset=utf-8", headers)

    @staticmethod
    def _parse_max_results(query: dict, default: int, low: int, high: int):
        raw = query.get("max_results")
        if raw is None:
            return default, None
        if not raw.isdigit() or not low <= int(raw) <= high:
            return None, invalid_request(
                f"The `max_results` query parameter value [{raw}] is not between {low} and {high}",
                "max_results",
                raw,
            )
        return int(raw), None

    def api_me(self, ctx: _ApiContext):
        with self.state.lock:
            return 200, {"data": user_json(ctx.user, self.state, _fields(ctx.query, "user.fields"))}

    def api_user(self, ctx: _ApiContext):
        user_id = ctx.match.group("id")
        with self.state.lock:
            user = self.state.users.get(user_id)
            if user is None:
                return 200, {"errors": [not_found_error("user", user_id)]}
            return 200, {"data": user_json(user, self.state, _fields(ctx.query, "user.fields"))}

    def api_user_by_username(self, ctx: _ApiContext):
        username = ctx.match.group("username")
        with self.state.lock:
            user = self.state.find_user(username)
            if user is None:
                return 200, {"errors": [not_found_error("user", username, "username")]}
            return 200, {"data": user_json(user, self.state, _fields(ctx.query, "user.fields"))}

    def api_create_tweet(self, ctx: _ApiContext):
        try:
            payload = json.loads(ctx.body or b"null")
        except ValueError:
            return 400, invalid_request("Request body is not valid JSON.")
        if not isinstance(payload, dict):
            return 400, invalid_request("Request body must be a JSON object.")
        text = payload.get("text")
        reply_to = (payload.get("reply") or {}).get("in_reply_to_tweet_id")
        if not isinstance(text, str) or not text:
            return 400, invalid_request(
                "$.text: text is required (the sandbox does not support media).", "text", text
            )
        try:
            tweet = self.state.create_tweet(ctx.user["id"], text, in_reply_to_tweet_id=reply_to)
        except ControlError as exc:
            if exc.status == 403:
                return 403, DUPLICATE
            return 400, invalid_request(exc.message, "text", text)
        return 201, {
            "data": {"id": tweet["id"], "text": tweet["text"], "edit_history_tweet_ids": [tweet["id"]]}
        }

    def api_delete_tweet(self, ctx: _ApiContext):
        tweet_id = ctx.match.group("id")
        try:
            self.state.delete_tweet(tweet_id, by_user_id=ctx.user["id"])
        except ControlError as exc:
            if exc.status == 403:
                return 403, {
                    "title": "Forbidden",
                    "type": "about:blank",
                    "status": 403,
                    "detail": exc.message,
                }
            return 404, dict(not_found_error("tweet", tweet_id), status=404)
        return 200, {"data": {"deleted": True}}

    def api_get_tweet(self, ctx: _ApiContext):
        tweet_id = ctx.match.group("id")
        with self.state.lock:
            tweet = self.state.live_tweet(tweet_id)
            if tweet is None:
                return 200, {"errors": [not_found_error("tweet", tweet_id)]}
            payload = tweets_payload(self.state, [tweet], ctx.query)
            payload["data"] = payload["data"][0]
            return 200, payload

    def api_get_tweets(self, ctx: _ApiContext):
        raw = ctx.query.get("ids", "")
        ids = [i.strip() for i in raw.split(",") if i.strip()]
        if not ids or len(ids) > 100 or not all(i.isdigit() for i in ids):
            return 400, invalid_request(
                "The `ids` query parameter must be 1 to 100 comma-separated numeric ids.", "ids", raw
            )
        with self.state.lock:
            found, errors = [], []
            for tweet_id in ids:
                tweet = self.state.live_tweet(tweet_id)
                if tweet is None:
                    errors.append(not_found_error("tweet", tweet_id))
                else:
                    found.append(tweet)
            payload = tweets_payload(self.state, found, ctx.query)
            if errors:
                payload["errors"] = errors
            return 200, payload

    def _tweet_list(self, ctx: _ApiContext, predicate):
        user_id = ctx.match.group("id")
        max_results, error = self._parse_max_results(ctx.query, 10, 5, 100)
        if error:
            return 400, error
        since_id = ctx.query.get("since_id")
        until_id = ctx.query.get("until_id")
        for label, value in (("since_id", since_id), ("until_id", until_id)):
            if value is not None and not value.isdigit():
                return 400, invalid_request(
                    f"The `{label}` query parameter value [{value}] is not valid", label, value
                )
        before = None
        if "pagination_token" in ctx.query:
            before = _decode_page_token("t", ctx.query["pagination_token"])
            if before is None:
                return 400, invalid_request(
                    "The `pagination_token` query parameter value is not valid",
                    "pagination_token",
                    ctx.query["pagination_token"],
                )
        with self.state.lock:
            user = self.state.users.get(user_id)
            if user is None:
                return 200, {"errors": [not_found_error("user", user_id)]}
            items = [
                t
                for t in self.state.tweets.values()
                if t["deleted_at"] is None
                and predicate(t, user_id)
                and (since_id is None or int(t["id"]) > int(since_id))
                and (until_id is None or int(t["id"]) < int(until_id))
                and (before is None or int(t["id"]) < int(before))
            ]
            items.sort(key=lambda t: int(t["id"]), reverse=True)
            page, more = items[:max_results], len(items) > max_results
            payload = tweets_payload(self.state, page, ctx.query)
            meta: dict = {"result_count": len(page)}
            if page:
                meta["newest_id"] = page[0]["id"]
                meta["oldest_id"] = page[-1]["id"]
            if more:
                meta["next_token"] = _encode_page_token("t", page[-1]["id"])
            payload["meta"] = meta
            return 200, payload

    def api_timeline(self, ctx: _ApiContext):
        return self._tweet_list(ctx, lambda t, uid: t["author_id"] == uid)

    def api_mentions(self, ctx: _ApiContext):
        return self._tweet_list(ctx, lambda t, uid: uid in t["mentions"] and t["author_id"] != uid)

    def api_followers(self, ctx: _ApiContext):
        user_id = ctx.match.group("id")
        max_results, error = self._parse_max_results(ctx.query, 100, 1, 1000)
        if error:
            return 400, error
        offset = 0
        if "pagination_token" in ctx.query:
            decoded = _decode_page_token("f", ctx.query["pagination_token"])
            if decoded is None:
                return 400, invalid_request(
                    "The `pagination_token` query parameter value is not valid",
                    "pagination_token",
                    ctx.query["pagination_token"],
                )
            offset = int(decoded)
        with self.state.lock:
            if user_id not in self.state.users:
                return 200, {"errors": [not_found_error("user", user_id)]}
            fans = self.state.followers.get(user_id, [])
            page = fans[offset : offset + max_results]
            fields = _fields(ctx.query, "user.fields")
            payload: dict = {}
            if page:
                payload["data"] = [user_json(self.state.users[uid], self.state, fields) for uid in page]
            meta: dict = {"result_count": len(page)}
            if offset + max_results < len(fans):
                meta["next_token"] = _encode_page_token("f", str(offset + max_results))
            if offset > 0:
                meta["previous_token"] = _encode_page_token("f", str(max(offset - max_results, 0)))
            payload["meta"] = meta
            return 200, payload

    # ------------------------------------------------------------- OAuth 2.0

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
            record = state.codes.get(_digest(code))
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
            record = state.refresh_tokens.get(_digest(token))
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
        return _page("Authorize app - X sandbox", body)

    def authorize_page(self, match, query, body):
        error = self._validate_authorize(query)
        if error:
            self._send_html(
                400,
                _page(
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
                _page(
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
            self.state.codes[_digest(code)] = {
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

    # ------------------------------------------------------------- HTML pages

    def page_index(self, match, query, body):
        esc = html.escape
        snap = self.state.snapshot()
        rows = "".join(
            f'<tr><td><a href="/timeline/{esc(u["username"])}">@{esc(u["username"])}</a></td>'
            f"<td>{esc(u['name'])}</td><td><code>{esc(u['id'])}</code></td>"
            f"<td>{sum(1 for t in snap['tweets'] if t['author_id'] == u['id'] and not t['deleted'])}</td>"
            f"<td>{len(snap['followers'].get(u['id'], []))}</td></tr>"
            for u in snap["users"]
        )
        table = (
            "<table><tr><th>User</th><th>Name</th><th>Id</th><th>Posts</th><th>Followers</th></tr>"
            f"{rows}</table>"
            if rows
            else '<p class="muted">No users yet.</p>'
        )
        counters = snap["counters"]
        body_html = (
            "<h1>X sandbox</h1>"
            f'<p class="muted">create calls: {counters["create_calls"]} &middot; posts created: '
            f"{counters['tweets_created']} &middot; JSON dump: "
            '<a href="/_sandbox/state">/_sandbox/state</a></p>'
            f"{table}"
        )
        self._send_html(200, _page("X sandbox", body_html, refresh=True))

    def page_timeline(self, match, query, body):
        esc = html.escape
        username = unquote(match.group("username"))
        with self.state.lock:
            user = self.state.find_user(username)
            if user is None:
                self._send_html(
                    404,
                    _page(
                        "Not found - X sandbox",
                        f'<h1>No user @{esc(username)}</h1><p><a href="/">All users</a></p>',
                    ),
                )
                return
            user = dict(user)
            tweets = sorted(
                (t for t in self.state.tweets.values() if t["author_id"] == user["id"]),
                key=lambda t: int(t["id"]),
                reverse=True,
            )
            items = []
            for t in tweets:
                text = esc(t["text"]).replace("\n", "<br>")
                if t["deleted_at"] is not None:
                    when = esc(iso8601(t["deleted_at"]))
                    text = f'<del>{text}</del> <span class="muted">(deleted {when})</span>'
                m = t["public_metrics"]
                metrics = " &middot; ".join(f"{esc(k.replace('_count', ''))} {m[k]}" for k in _PUBLIC_METRICS)
                reply = (
                    f" &middot; reply to <code>{esc(t['in_reply_to_tweet_id'])}</code>"
                    if t["in_reply_to_tweet_id"]
                    else ""
                )
                items.append(
                    f'<div class="tweet"><div>{text}</div><div class="metrics"><code>{esc(t["id"])}</code> '
                    f"&middot; {esc(iso8601(t['created_at']))}{reply}<br>{metrics}</div></div>"
                )
        body_html = (
            f'<p><a href="/">&larr; All users</a></p><h1>{esc(user["name"])} '
            f'<span class="muted">@{esc(user["username"])}</span></h1>'
            + ("".join(items) or '<p class="muted">No posts yet.</p>')
        )
        self._send_html(200, _page(f"@{user['username']} - X sandbox", body_html, refresh=True))

    # ------------------------------------------------------------- control

    def _handle_control(self, route: _Route, query: dict, body: bytes) -> None:
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            self._send_json(400, {"error": "body must be JSON"})
            return
        if not isinstance(payload, dict):
            self._send_json(400, {"error": "body must be a JSON object"})
            return
        try:
            status, result = getattr(self, route.handler)(payload)
        except ControlError as exc:
            self._send_json(exc.status, {"error": exc.message})
            return
        except (KeyError, TypeError, ValueError) as exc:
            self._send_json(400, {"error": f"bad request: {exc}"})
            return
        self._send_json(status, result)

    def ctl_state(self, payload):
        return 200, self.state.snapshot()

    def ctl_get_faults(self, payload):
        with self.state.lock:
            return 200, dict(self.state.faults)

    def ctl_faults(self, payload):
        return 200, self.state.set_faults(**payload)

    def ctl_clear_faults(self, payload):
        return 200, self.state.set_faults(clear=True)

    def ctl_rate_limits(self, payload):
        self.state.set_rate_limits(payload)
        with self.state.lock:
            return 200, {k: {"limit": v[0], "window_s": v[1]} for k, v in self.state.rate_limits.items()}

    def ctl_reset(self, payload):
        self.state.reset()
        return 200, {"reset": True}

    def ctl_users(self, payload):
        user = self.state.add_user(payload["username"], payload.get("name"))
        result = {"data": {k: user[k] for k in ("id", "name", "username")}}
        if payload.get("token_scopes") is not None or payload.get("issue_token"):
            result.update(self.state.token_response(user["id"], payload.get("token_scopes")))
        return 201, result

    def ctl_tokens(self, payload):
        user = self.state._require_user(payload["user"])
        return 201, self.state.token_response(user["id"], payload.get("scopes"))

    def ctl_mention(self, payload):
        tweet = self.state.add_mention(
            payload["from"], payload["to"], payload.get("text"), payload.get("in_reply_to_tweet_id")
        )
        return 201, {
            "data": tweet_json(
                tweet,
                {"author_id", "created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets"},
            )
        }

    def ctl_follow(self, payload):
        count = int(payload.get("count", 1))
        follower = payload.get("follower")
        if follower is not None and count != 1:
            raise ControlError(400, "give either 'follower' or 'count', not both")
        added = [self.state.add_follower(payload["target"], follower) for _ in range(count)]
        target = self.state._require_user(payload["target"])
        with self.state.lock:
            total = len(self.state.followers.get(target["id"], []))
        return 201, {
            "followers": [{k: u[k] for k in ("id", "name", "username")} for u in added],
            "followers_count": total,
        }

    def ctl_metrics(self, payload):
        tweet_id = payload.pop("tweet_id")
        return 200, {"public_metrics": self.state.set_metrics(tweet_id, **payload)}

    def ctl_revoke_user(self, payload):
        return 200, {"revoked": self.state.revoke_user_tokens(payload["user"])}

    def ctl_expire_tokens(self, payload):
        return 200, {"expired": self.state.expire_access_tokens(payload.get("user"))}


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
