"""Demo data for publishing (``manage.py seed_demo`` calls ``seed_publishing()`` after the content seed).

* The X app: settings-based configuration is preferred (``X_CLIENT_ID`` set: ``SOCIALACCOUNT_PROVIDERS``
  carries it). Only when it is absent do we create a ``SocialApp`` row for the sandbox's public client, so
  that "Connect my X account" works in a bare ``runserver`` against ``python -m advocacy.xsandbox``.
* When the sandbox answers at ``X_API_BASE_URL``, the first demo adviser is connected to a sandbox account
  (tokens minted by the sandbox's control API, stored encrypted like any other); the second adviser is left
  unconnected so that the demo can show the OAuth flow. Idempotent.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site

from advocacy.networks.crypto import Secret
from advocacy.networks.x import client as xclient
from advocacy.networks.x.connections import connect_x_account
from advocacy.networks.x.models import XAccount

logger = logging.getLogger(__name__)

SANDBOX_CLIENT_ID = "relais-sandbox-client"
SANDBOX_CLIENT_SECRET = "relais-sandbox-secret"  # noqa: S105 - the sandbox's public demo secret
DEMO_CONNECTED = [("adviser@demo.relais.test", "camille_martin")]


def ensure_x_app() -> str:
    """Where the X app comes from: "settings", "database" (already there) or "created"."""
    from allauth.socialaccount.models import SocialApp

    if "twitter_oauth2" in settings.SOCIALACCOUNT_PROVIDERS:
        return "settings"
    if SocialApp.objects.filter(provider="twitter_oauth2").exists():
        return "database"
    app = SocialApp.objects.create(
        provider="twitter_oauth2",
        name="X (sandbox)",
        client_id=SANDBOX_CLIENT_ID,
        secret=SANDBOX_CLIENT_SECRET,
    )
    app.sites.add(Site.objects.get_current())
    return "created"


def sandbox_reachable() -> bool:
    if settings.X_API_BASE_URL.startswith(("https://api.x.com", "https://api.twitter.com")):
        return False
    try:
        return requests.get(f"{settings.X_API_BASE_URL}/_sandbox/faults", timeout=2).ok
    except requests.RequestException:
        return False


def seed_publishing() -> dict:
    summary = {"x_app": ensure_x_app(), "connected": 0}
    if not sandbox_reachable():
        logger.info("X sandbox not reachable at %s: no demo X connection seeded", settings.X_API_BASE_URL)
        return summary
    for email, username in DEMO_CONNECTED:
        summary["connected"] += connect_demo_account(email, username)
    return summary


def connect_demo_account(email: str, username: str) -> int:
    """Connect the staff member ``email`` to the sandbox account ``username`` (created with tokens by the
    sandbox's control API, stored encrypted like any other): 1 when connected now, 0 when they already
    were, are not there, or the account is linked elsewhere. The caller checks the sandbox answers."""
    user = get_user_model().objects.filter(email=email).first()
    if user is None or XAccount.objects.filter(user=user, status=XAccount.Status.CONNECTED).exists():
        return 0
    answer = requests.post(
        f"{settings.X_API_BASE_URL}/_sandbox/users",
        json={"username": username, "name": user.get_full_name(), "issue_token": True},
        timeout=5,
    )
    answer.raise_for_status()
    body = answer.json()
    tokens = xclient.TokenSet(
        Secret(body["access_token"]),
        Secret(body.get("refresh_token", "")),
        _expiry(body.get("expires_in")),
        body.get("scope", ""),
    )
    x_user = xclient.XUser(body["data"]["id"], body["data"]["username"], body["data"]["name"])
    try:
        connect_x_account(user=user, x_user=x_user, tokens=tokens)
    except Exception:  # an X account already linked elsewhere: leave the demo as it is
        logger.warning("demo X connection for %s skipped", email, exc_info=True)
        return 0
    return 1


def _expiry(expires_in):
    import datetime as dt

    from django.utils import timezone

    return timezone.now() + dt.timedelta(seconds=int(expires_in)) if expires_in else None


DEMO_CLIENT = "client_lea_demo"


def demo_client_activity() -> int:
    """A scripted sandbox client follows each connected demo adviser and replies to their latest post (or
    mentions them when they have none), once per adviser: ``make demo`` runs it after the webhook and the
    subscriptions exist, so the sandbox pushes it and it reaches the adviser's "My relationships" (and the
    archive) within seconds; without push the next polling round brings the reply. Returns how many
    advisers it wrote to; 0 when the sandbox is not there or the client already did."""
    if not sandbox_reachable():
        return 0
    base = settings.X_API_BASE_URL
    state = requests.get(f"{base}/_sandbox/state", timeout=5).json()
    users = {u["username"]: u["id"] for u in state["users"]}
    written = 0
    for _email, username in DEMO_CONNECTED:
        if username not in users or users.get(DEMO_CLIENT) in state["followers"].get(users[username], []):
            continue
        own = [t for t in state["tweets"] if t["author_id"] == users[username] and not t["deleted"]]
        text = "Merci pour ces conseils, je passe en agence la semaine prochaine !"
        steps = [("follow", {"target": username, "follower": DEMO_CLIENT})]
        if own:
            steps.append(("reply", {"from": DEMO_CLIENT, "to": username, "text": f"@{username} {text}",
                                    "in_reply_to_tweet_id": own[-1]["id"]}))  # fmt: skip
        else:
            steps.append(("mention", {"from": DEMO_CLIENT, "to": username, "text": f"@{username} {text}"}))
        try:
            for path, payload in steps:
                requests.post(f"{base}/_sandbox/{path}", json=payload, timeout=5).raise_for_status()
        except requests.RequestException:
            logger.warning("demo client activity for @%s skipped", username, exc_info=True)
            continue
        written += 1
    return written
