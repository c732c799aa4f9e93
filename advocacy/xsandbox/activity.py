"""Webhooks, X Activity API subscriptions and their signed deliveries, likes and reposts, the plan switch
and the per-call billing counters: a part of ``SandboxState`` (``state.py``), like ``tokens.py`` and
``faults.py``.

Shapes follow xdevplatform/docs: webhooks (x-api/webhooks/quickstart.mdx: CRC ``GET ?crc_token=`` answered
with ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, crc_token))}``, deliveries POSTed
with ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, body)>``), subscriptions
(x-api/activity/quickstart.mdx) and event payloads (x-api/activity/event-payloads.mdx). The consumer secret
is the sandbox's OAuth client secret. Deliveries run on a daemon thread with a short timeout, so the sandbox
never waits for a slow receiver.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request

from .errors import ControlError

log = logging.getLogger("advocacy.xsandbox")

DEFAULT_APP_BEARER_TOKEN = "relais-sandbox-app-token"  # noqa: S105 - a public, documented sandbox value
DEFAULT_SUBSCRIPTION_LIMIT = 1500  # X's self-serve tier (x-api/activity/introduction.mdx)
DELIVERY_TIMEOUT_S = 3.0

NOT_ENROLLED = {
    "client_id": "relais-sandbox-client",
    "detail": (
        "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a "
        "Twitter developer App that is attached to a Project. "
        "You can create a project via the developer portal."
    ),
    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "title": "Client Forbidden",
    "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}
SUBSCRIPTION_LIMIT_REACHED = {
    "title": "Usage Capped",
    "detail": "The maximum number of subscriptions for your package tier has been reached.",
    "type": "https://api.x.com/2/problems/usage-capped",
    "status": 403,
}

# What one resource of each endpoint is billed as (x-api/getting-started/pricing.mdx), for /_sandbox/usage.
BILLED_AS = {
    "POST /2/tweets": "post_create",
    "DELETE /2/tweets/:id": "post_delete",
    "GET /2/tweets": "post_read",
    "GET /2/tweets/:id": "post_read",
    "GET /2/users/:id/tweets": "post_read",
    "GET /2/users/:id/mentions": "post_read",
    "GET /2/users/:id/followers": "follower_read",
    "GET /2/users/by": "user_read",
    "GET /2/users/me": "user_read",
    "GET /2/users/:id": "user_read",
    "GET /2/users/by/username/:username": "user_read",
    "GET /2/tweets/:id/liking_users": "user_read",
    "GET /2/tweets/:id/retweeted_by": "user_read",
}


def sign(secret: str, message: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


class ActivityHub:
    """Webhooks, subscriptions, deliveries, likes, reposts, plan refusals and billing of ``SandboxState``."""

    def _init_activity(self) -> None:
        self.webhooks: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.likes: dict[str, list[str]] = {}
        self.reposts: dict[str, list[str]] = {}
        self.not_enrolled: set[str] = set()
        self.usage: dict[str, dict] = {}
        self.deliveries: list[dict] = []
        if not hasattr(self, "subscription_limit"):
            self.subscription_limit = DEFAULT_SUBSCRIPTION_LIMIT
        if not hasattr(self, "app_bearer_token"):
            self.app_bearer_token = DEFAULT_APP_BEARER_TOKEN

    # ------------------------------------------------------------- plan, billing

    def set_plan(self, *, not_enrolled=None, subscription_limit=None) -> dict:
        """``not_enrolled``: endpoint names that answer 403 client-not-enrolled (replaces the set)."""
        with self.lock:
            if not_enrolled is not None:
                self.not_enrolled = set(not_enrolled)
            if subscription_limit is not None:
                self.subscription_limit = int(subscription_limit)
            return self.plan()

    def plan(self) -> dict:
        with self.lock:
            return {
                "not_enrolled": sorted(self.not_enrolled),
                "subscription_limit": self.subscription_limit,
                "subscriptions": len(self.subscriptions),
            }

    def bill(self, endpoint: str, resources: int) -> None:
        with self.lock:
            row = self.usage.setdefault(
                endpoint, {"calls": 0, "resources": 0, "billed_as": BILLED_AS.get(endpoint, "")}
            )
            row["calls"] += 1
            row["resources"] += resources

    def usage_report(self) -> dict:
        with self.lock:
            return {"endpoints": json.loads(json.dumps(self.usage))}

    # ------------------------------------------------------------------ webhooks

    def register_webhook(self, url: str) -> dict:
        """Register ``url`` after a CRC check (GET ``?crc_token=``), as X does; ControlError(400) if it
        fails."""
        parts = urllib.parse.urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ControlError(400, "UrlValidationFailed")
        with self.lock:
            if any(w["url"] == url for w in self.webhooks.values()):
                raise ControlError(400, "DuplicateUrlFailed")
        if not self._crc_ok(url):
            raise ControlError(400, "CrcValidationFailed")
        with self.lock:
            webhook = {"id": self.next_id(), "url": url, "valid": True, "created_at": self.now()}
            self.webhooks[webhook["id"]] = webhook
            return dict(webhook)

    def _crc_ok(self, url: str) -> bool:
        token = base64.urlsafe_b64encode(self.next_id().encode()).decode()
        sep = "&" if "?" in url else "?"
        try:
            with urllib.request.urlopen(  # noqa: S310 - a URL the test registered
                f"{url}{sep}crc_token={urllib.parse.quote(token)}", timeout=DELIVERY_TIMEOUT_S
            ) as response:
                body = json.loads(response.read() or b"{}")
        except (OSError, ValueError, urllib.error.URLError):
            return False
        expected = sign(self.client_secret, token.encode())
        return hmac.compare_digest(str(body.get("response_token", "")), expected)

    def delete_webhook(self, webhook_id: str) -> bool:
        with self.lock:
            return self.webhooks.pop(webhook_id, None) is not None

    # ------------------------------------------------------------- subscriptions

    def create_subscription(self, body: dict) -> dict:
        event_type = body.get("event_type")
        user_filter = body.get("filter")
        if not isinstance(event_type, str) or not isinstance(user_filter, dict):
            raise ControlError(400, "event_type and filter are required")
        webhook_id = body.get("webhook_id")
        with self.lock:
            if webhook_id is not None and str(webhook_id) not in self.webhooks:
                raise ControlError(400, f"unknown webhook_id {webhook_id}")
            if len(self.subscriptions) >= self.subscription_limit:
                raise ControlError(403, "limit")
            for sub in self.subscriptions.values():
                if sub["event_type"] == event_type and sub["filter"] == user_filter:
                    raise ControlError(409, "DuplicateSubscription")
            now = self.now()
            sub = {
                "subscription_id": self.next_id(),
                "event_type": event_type,
                "filter": dict(user_filter),
                "created_at": now,
                "updated_at": now,
            }
            if body.get("tag"):
                sub["tag"] = str(body["tag"])
            if webhook_id is not None:
                sub["webhook_id"] = str(webhook_id)
            self.subscriptions[sub["subscription_id"]] = sub
            return dict(sub)

    def delete_subscription(self, subscription_id: str) -> bool:
        with self.lock:
            return self.subscriptions.pop(subscription_id, None) is not None

    # ----------------------------------------------------------------- delivery

    def deliver(self, event_type: str, user_id: str, payload: dict, includes: dict | None = None) -> int:
        """Send the event to every webhook subscribed to ``(event_type, user_id)``; returns how many."""
        with self.lock:
            targets = []
            for sub in self.subscriptions.values():
                if sub["event_type"] != event_type or sub["filter"].get("user_id") != user_id:
                    continue
                direction = sub["filter"].get("direction")
                if event_type == "like.create" and direction and direction != payload.get("_direction"):
                    continue
                webhook = self.webhooks.get(sub.get("webhook_id") or "")
                if webhook is None:
                    continue
                event = {
                    "event_uuid": self.next_id(),
                    "filter": dict(sub["filter"]),
                    "event_type": event_type,
                    "payload": {k: v for k, v in payload.items() if not k.startswith("_")},
                    "includes": includes or {},
                }
                if sub.get("tag"):
                    event["tag"] = sub["tag"]
                targets.append((webhook["url"], json.dumps({"data": event}).encode()))
        for url, body in targets:
            threading.Thread(target=self._post, args=(url, body), daemon=True, name="xsandbox-hook").start()
        return len(targets)

    def _post(self, url: str, body: bytes) -> None:
        request = urllib.request.Request(  # noqa: S310 - a URL the test registered
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "x-twitter-webhooks-signature": sign(self.client_secret, body),
            },
        )
        outcome: dict = {"url": url, "status": None}
        try:
            with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_S) as response:  # noqa: S310
                outcome["status"] = response.status
        except urllib.error.HTTPError as exc:
            outcome["status"] = exc.code
        except OSError as exc:
            outcome["error"] = type(exc).__name__
        with self.lock:
            self.deliveries.append(outcome)
        log.info("delivery to webhook: %s", outcome.get("status") or outcome.get("error"))
