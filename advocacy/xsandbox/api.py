"""The X API v2 endpoints that tweepy calls: users, posts (create, delete, look up), timelines, mentions and
followers. ``ApiHandlers`` is a part of ``server.SandboxRequestHandler``; ``_handle_api`` runs every API
request through authentication, scopes, injected faults and rate limits before the endpoint's method.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import socket

from .activity import NOT_ENROLLED, SUBSCRIPTION_LIMIT_REACHED
from .errors import (
    DUPLICATE,
    TOO_MANY,
    UNAUTHORIZED,
    UNAVAILABLE,
    ControlError,
    invalid_request,
    not_found_error,
)
from .payloads import requested_fields, tweets_payload, user_json
from .routing import Route

_READ = ("tweet.read", "users.read")
_WRITE = ("tweet.read", "tweet.write", "users.read")
_APP = ("app",)  # the app-only bearer token (``state.app_bearer_token``), as X's webhook endpoints require
# Routes that take either the app-only token or a user's token (X Activity API subscriptions: user context
# for private events such as likes and mentions).
APP_OR_USER = {
    "POST /2/activity/subscriptions",
    "GET /2/activity/subscriptions",
    "DELETE /2/activity/subscriptions/:id",
}

ROUTES = [
    Route("GET", r"/2/users/me", "GET /2/users/me", "api_me", "api", ("users.read", "tweet.read")),
    Route(
        "GET",
        r"/2/users/by/username/(?P<username>[A-Za-z0-9_]{1,15})",
        "GET /2/users/by/username/:username",
        "api_user_by_username",
        "api",
        _READ,
    ),
    Route("GET", r"/2/users/by", "GET /2/users/by", "api_users_by", "api", _READ),
    Route("GET", r"/2/users/(?P<id>\d+)", "GET /2/users/:id", "api_user", "api", _READ),
    Route(
        "GET",
        r"/2/tweets/(?P<id>\d+)/liking_users",
        "GET /2/tweets/:id/liking_users",
        "api_liking_users",
        "api",
        (*_READ, "like.read"),  # as X: x-api/posts/likes (liking users) needs like.read
    ),
    Route(
        "GET",
        r"/2/tweets/(?P<id>\d+)/retweeted_by",
        "GET /2/tweets/:id/retweeted_by",
        "api_retweeted_by",
        "api",
        _READ,
    ),
    Route("POST", r"/2/webhooks", "POST /2/webhooks", "api_create_webhook", "api", _APP),
    Route("GET", r"/2/webhooks", "GET /2/webhooks", "api_list_webhooks", "api", _APP),
    Route("DELETE", r"/2/webhooks/(?P<id>\d+)", "DELETE /2/webhooks/:id", "api_delete_webhook", "api", _APP),
    Route(
        "POST",
        r"/2/activity/subscriptions",
        "POST /2/activity/subscriptions",
        "api_create_subscription",
        "api",
        ("tweet.read", "users.read"),
    ),
    Route(
        "GET",
        r"/2/activity/subscriptions",
        "GET /2/activity/subscriptions",
        "api_list_subscriptions",
        "api",
        ("tweet.read", "users.read"),
    ),
    Route(
        "DELETE",
        r"/2/activity/subscriptions/(?P<id>\d+)",
        "DELETE /2/activity/subscriptions/:id",
        "api_delete_subscription",
        "api",
        ("tweet.read", "users.read"),
    ),
    Route("POST", r"/2/tweets", "POST /2/tweets", "api_create_tweet", "api", _WRITE),
    Route("GET", r"/2/tweets", "GET /2/tweets", "api_get_tweets", "api", _READ),
    Route("GET", r"/2/tweets/(?P<id>\d+)", "GET /2/tweets/:id", "api_get_tweet", "api", _READ),
    Route("DELETE", r"/2/tweets/(?P<id>\d+)", "DELETE /2/tweets/:id", "api_delete_tweet", "api", _WRITE),
    Route("GET", r"/2/users/(?P<id>\d+)/tweets", "GET /2/users/:id/tweets", "api_timeline", "api", _READ),
    Route("GET", r"/2/users/(?P<id>\d+)/mentions", "GET /2/users/:id/mentions", "api_mentions", "api", _READ),
    Route(
        "GET",
        r"/2/users/(?P<id>\d+)/followers",
        "GET /2/users/:id/followers",
        "api_followers",
        "api",
        (*_READ, "follows.read"),
    ),
]


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


class ApiContext:
    """What an endpoint's method gets: the authenticated user, its token record, query, path match, body."""

    def __init__(self, user: dict, token: dict, query: dict, match: re.Match, body: bytes):
        self.user = user
        self.token = token
        self.query = query
        self.match = match
        self.body = body


class ApiHandlers:
    """The X API v2 endpoints (``api_*``) and their common gate, ``_handle_api``."""

    def _bearer(self) -> str | None:
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        return value.strip()

    @staticmethod
    def _rate_headers(limit: int, remaining: int, reset: int) -> dict:
        return {"x-rate-limit-limit": limit, "x-rate-limit-remaining": remaining, "x-rate-limit-reset": reset}

    def _handle_api(self, route: Route, match: re.Match, query: dict, body: bytes) -> None:
        state = self.state
        name = route.name
        state.count_request(name)
        state.sleep(state.latency_for(name))

        token = self._bearer()
        app_token = bool(token) and token == state.app_bearer_token
        if app_token and (route.scopes == _APP or name in APP_OR_USER):
            auth = ({"scopes": "app", "id": "app"}, None)
        elif route.scopes == _APP:
            auth = None
        else:
            auth = state.authenticate(token) if token else None
        rate_key = (auth[1]["id"] if auth[1] else "app") if auth else f"ip:{self.client_address[0]}"
        headers = self._rate_headers(*state.rate_limit(rate_key, name, consume=False)[:3])
        if auth is None:
            self._send_json(401, UNAUTHORIZED, headers)
            return
        record, user = auth
        if name in state.not_enrolled:
            self._send_json(403, NOT_ENROLLED, headers)
            return
        missing = [] if user is None else [s for s in route.scopes if s not in record["scopes"]]
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

        status, payload = getattr(self, route.handler)(ApiContext(user, record, query, match, body))
        out = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        if 200 <= status < 300:
            data = payload.get("data") if isinstance(payload, dict) else None
            resources = len(data) if isinstance(data, list) else (1 if data else 0)
            state.bill(name, resources)
            headers["x-sandbox-billed-resources"] = resources
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

    def api_me(self, ctx: ApiContext):
        with self.state.lock:
            return 200, {"data": user_json(ctx.user, self.state, requested_fields(ctx.query, "user.fields"))}

    def api_user(self, ctx: ApiContext):
        user_id = ctx.match.group("id")
        with self.state.lock:
            user = self.state.users.get(user_id)
            if user is None:
                return 200, {"errors": [not_found_error("user", user_id)]}
            return 200, {"data": user_json(user, self.state, requested_fields(ctx.query, "user.fields"))}

    def api_user_by_username(self, ctx: ApiContext):
        username = ctx.match.group("username")
        with self.state.lock:
            user = self.state.find_user(username)
            if user is None:
                return 200, {"errors": [not_found_error("user", username, "username")]}
            return 200, {"data": user_json(user, self.state, requested_fields(ctx.query, "user.fields"))}

    def api_users_by(self, ctx: ApiContext):
        raw = ctx.query.get("usernames", "")
        names = [n.strip() for n in raw.split(",") if n.strip()]
        if not names or len(names) > 100:
            return 400, invalid_request(
                "The `usernames` query parameter must be 1 to 100 comma-separated usernames.",
                "usernames",
                raw,
            )
        fields = requested_fields(ctx.query, "user.fields")
        with self.state.lock:
            found, errors = [], []
            for name in names:
                user = self.state.find_user(name) if re.fullmatch(r"[A-Za-z0-9_]{1,15}", name) else None
                if user is None:
                    errors.append(not_found_error("user", name, "username"))
                else:
                    found.append(user_json(user, self.state, fields))
        payload: dict = {}
        if found:
            payload["data"] = found
        if errors:
            payload["errors"] = errors
        return 200, payload

    def _people(self, ctx: ApiContext, table: dict):
        tweet_id = ctx.match.group("id")
        max_results, error = self._parse_max_results(ctx.query, 100, 1, 100)
        if error:
            return 400, error
        offset = 0
        if "pagination_token" in ctx.query:
            decoded = _decode_page_token("p", ctx.query["pagination_token"])
            if decoded is None:
                return 400, invalid_request(
                    "The `pagination_token` query parameter value is not valid",
                    "pagination_token",
                    ctx.query["pagination_token"],
                )
            offset = int(decoded)
        with self.state.lock:
            if self.state.live_tweet(tweet_id) is None:
                return 200, {"errors": [not_found_error("tweet", tweet_id)]}
            ids = table.get(tweet_id, [])
            page = ids[offset : offset + max_results]
            fields = requested_fields(ctx.query, "user.fields")
            payload: dict = {}
            if page:
                payload["data"] = [user_json(self.state.users[uid], self.state, fields) for uid in page]
            meta: dict = {"result_count": len(page)}
            if offset + max_results < len(ids):
                meta["next_token"] = _encode_page_token("p", str(offset + max_results))
            payload["meta"] = meta
            return 200, payload

    def api_liking_users(self, ctx: ApiContext):
        return self._people(ctx, self.state.likes)

    def api_retweeted_by(self, ctx: ApiContext):
        return self._people(ctx, self.state.reposts)

    @staticmethod
    def _json_body(ctx: ApiContext):
        try:
            payload = json.loads(ctx.body or b"null")
        except ValueError:
            return None
        return payload if isinstance(payload, dict) else None

    def api_create_webhook(self, ctx: ApiContext):
        payload = self._json_body(ctx)
        if payload is None or not isinstance(payload.get("url"), str):
            return 400, invalid_request("$.url is required", "url", None)
        try:
            webhook = self.state.register_webhook(payload["url"])
        except ControlError as exc:
            return 400, {"title": "Invalid Request", "detail": exc.message, "reason": exc.message}
        return 200, {"data": self._webhook_json(webhook)}

    def _webhook_json(self, webhook: dict) -> dict:
        from .state import iso8601

        return {
            "id": webhook["id"],
            "url": webhook["url"],
            "valid": webhook["valid"],
            "created_at": iso8601(webhook["created_at"]),
        }

    def api_list_webhooks(self, ctx: ApiContext):
        with self.state.lock:
            hooks = [self._webhook_json(w) for w in self.state.webhooks.values()]
        return 200, {"data": hooks, "meta": {"result_count": len(hooks)}}

    def api_delete_webhook(self, ctx: ApiContext):
        webhook_id = ctx.match.group("id")
        if not self.state.delete_webhook(webhook_id):
            return 404, dict(not_found_error("webhook", webhook_id), status=404)
        return 200, {"data": {"deleted": True}}

    def _subscription_json(self, sub: dict) -> dict:
        from .state import iso8601

        return dict(sub, created_at=iso8601(sub["created_at"]), updated_at=iso8601(sub["updated_at"]))

    def api_create_subscription(self, ctx: ApiContext):
        payload = self._json_body(ctx)
        if payload is None:
            return 400, invalid_request("Request body must be a JSON object.")
        user_id = str((payload.get("filter") or {}).get("user_id") or "")
        if ctx.user is not None and user_id != ctx.user["id"]:
            # A private event needs the filtered user's own authorization.
            return 403, {
                "title": "Forbidden",
                "type": "about:blank",
                "status": 403,
                "detail": "Subscriptions to private events need the filtered user's authorization.",
            }
        try:
            sub = self.state.create_subscription(payload)
        except ControlError as exc:
            if exc.status == 403:
                return 403, SUBSCRIPTION_LIMIT_REACHED
            if exc.status == 409:
                return 409, {"title": "Conflict", "detail": exc.message, "type": "about:blank", "status": 409}
            return 400, invalid_request(exc.message)
        with self.state.lock:
            total = len(self.state.subscriptions)
        return 200, {"data": self._subscription_json(sub), "meta": {"total_subscriptions": total}}

    def api_list_subscriptions(self, ctx: ApiContext):
        with self.state.lock:
            subs = [
                self._subscription_json(s)
                for s in self.state.subscriptions.values()
                if ctx.user is None or s["filter"].get("user_id") == ctx.user["id"]
            ]
            total = len(self.state.subscriptions)
        return 200, {"data": subs, "meta": {"total_subscriptions": total}}

    def api_delete_subscription(self, ctx: ApiContext):
        sub_id = ctx.match.group("id")
        if not self.state.delete_subscription(sub_id):
            return 404, dict(not_found_error("subscription", sub_id), status=404)
        with self.state.lock:
            total = len(self.state.subscriptions)
        return 200, {"data": {"deleted": True}, "meta": {"total_subscriptions": total}}

    def api_create_tweet(self, ctx: ApiContext):
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

    def api_delete_tweet(self, ctx: ApiContext):
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

    def api_get_tweet(self, ctx: ApiContext):
        tweet_id = ctx.match.group("id")
        with self.state.lock:
            tweet = self.state.live_tweet(tweet_id)
            if tweet is None:
                return 200, {"errors": [not_found_error("tweet", tweet_id)]}
            payload = tweets_payload(self.state, [tweet], ctx.query)
            payload["data"] = payload["data"][0]
            return 200, payload

    def api_get_tweets(self, ctx: ApiContext):
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

    def _tweet_list(self, ctx: ApiContext, predicate):
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

    def api_timeline(self, ctx: ApiContext):
        return self._tweet_list(ctx, lambda t, uid: t["author_id"] == uid)

    def api_mentions(self, ctx: ApiContext):
        return self._tweet_list(ctx, lambda t, uid: uid in t["mentions"] and t["author_id"] != uid)

    def api_followers(self, ctx: ApiContext):
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
            fields = requested_fields(ctx.query, "user.fields")
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
