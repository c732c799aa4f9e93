"""The control switches under ``/_sandbox/`` (no auth; keep the sandbox on loopback): inspect and reset the
state, create users, tokens, mentions, followers and metrics, revoke or expire tokens, and set the injected
faults (429, 503, latency, malformed JSON, timeouts after commit) and rate limits that tests and the demo use.
``ControlHandlers`` is a part of ``server.SandboxRequestHandler``.
"""

from __future__ import annotations

import json

from .errors import ControlError
from .faults import API_ENDPOINTS
from .payloads import tweet_json
from .routing import Route

ROUTES = [
    Route("GET", r"/_sandbox/state", "GET /_sandbox/state", "ctl_state", "control"),
    Route("GET", r"/_sandbox/faults", "GET /_sandbox/faults", "ctl_get_faults", "control"),
    Route("POST", r"/_sandbox/faults", "POST /_sandbox/faults", "ctl_faults", "control"),
    Route("DELETE", r"/_sandbox/faults", "DELETE /_sandbox/faults", "ctl_clear_faults", "control"),
    Route("POST", r"/_sandbox/rate_limits", "POST /_sandbox/rate_limits", "ctl_rate_limits", "control"),
    Route("POST", r"/_sandbox/reset", "POST /_sandbox/reset", "ctl_reset", "control"),
    Route("POST", r"/_sandbox/users", "POST /_sandbox/users", "ctl_users", "control"),
    Route("POST", r"/_sandbox/tokens", "POST /_sandbox/tokens", "ctl_tokens", "control"),
    Route("POST", r"/_sandbox/mention", "POST /_sandbox/mention", "ctl_mention", "control"),
    Route("POST", r"/_sandbox/follow", "POST /_sandbox/follow", "ctl_follow", "control"),
    Route("POST", r"/_sandbox/metrics", "POST /_sandbox/metrics", "ctl_metrics", "control"),
    Route("POST", r"/_sandbox/unfollow", "POST /_sandbox/unfollow", "ctl_unfollow", "control"),
    Route("POST", r"/_sandbox/reply", "POST /_sandbox/reply", "ctl_reply", "control"),
    Route("POST", r"/_sandbox/like", "POST /_sandbox/like", "ctl_like", "control"),
    Route("POST", r"/_sandbox/repost", "POST /_sandbox/repost", "ctl_repost", "control"),
    Route("GET", r"/_sandbox/plan", "GET /_sandbox/plan", "ctl_get_plan", "control"),
    Route("POST", r"/_sandbox/plan", "POST /_sandbox/plan", "ctl_plan", "control"),
    Route("GET", r"/_sandbox/usage", "GET /_sandbox/usage", "ctl_usage", "control"),
    Route("GET", r"/control/usage", "GET /control/usage", "ctl_usage", "control"),
    Route("GET", r"/_sandbox/deliveries", "GET /_sandbox/deliveries", "ctl_deliveries", "control"),
    Route(
        "POST",
        r"/_sandbox/revoke_user_tokens",
        "POST /_sandbox/revoke_user_tokens",
        "ctl_revoke_user",
        "control",
    ),
    Route("POST", r"/_sandbox/expire_tokens", "POST /_sandbox/expire_tokens", "ctl_expire_tokens", "control"),
]


class ControlHandlers:
    """``ctl_*``: one method per ``/_sandbox/...`` route; ``_handle_control`` parses the body, maps errors."""

    def _handle_control(self, route: Route, query: dict, body: bytes) -> None:
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

    def ctl_unfollow(self, payload):
        user = self.state.remove_follower(payload["target"], payload["follower"])
        return 200, {"unfollowed": {k: user[k] for k in ("id", "name", "username")}}

    def ctl_reply(self, payload):
        if not payload.get("in_reply_to_tweet_id"):
            raise ControlError(400, "in_reply_to_tweet_id is required")
        return self.ctl_mention(payload)

    def ctl_like(self, payload):
        user = self.state.add_like(str(payload["tweet_id"]), payload["user"])
        return 201, {"liked_by": {k: user[k] for k in ("id", "name", "username")}}

    def ctl_repost(self, payload):
        user = self.state.add_repost(str(payload["tweet_id"]), payload["user"])
        return 201, {"reposted_by": {k: user[k] for k in ("id", "name", "username")}, "id": user["repost_id"]}

    def ctl_get_plan(self, payload):
        return 200, self.state.plan()

    def ctl_plan(self, payload):
        unknown = [e for e in payload.get("not_enrolled") or [] if e not in API_ENDPOINTS]
        if unknown:
            raise ControlError(400, f"unknown endpoints {unknown}")
        return 200, self.state.set_plan(
            not_enrolled=payload.get("not_enrolled"), subscription_limit=payload.get("subscription_limit")
        )

    def ctl_usage(self, payload):
        return 200, self.state.usage_report()

    def ctl_deliveries(self, payload):
        with self.state.lock:
            return 200, {"deliveries": list(self.state.deliveries)}

    def ctl_revoke_user(self, payload):
        return 200, {"revoked": self.state.revoke_user_tokens(payload["user"])}

    def ctl_expire_tokens(self, payload):
        return 200, {"expired": self.state.expire_access_tokens(payload.get("user"))}
