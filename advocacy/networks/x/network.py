"""X as a ``advocacy.networks.interface.Network``: what the share engine and inbound capture call.

Thin on purpose: the calls are ``client`` (tweepy, the only module that imports it) and the connection's
upkeep is ``connections`` (token refresh under a lease, revocation, health). This class puts them behind
the interface's names, so that callers never import ``client`` or ``connections``, and it writes the usage
ledger after every call (``advocacy.networks.usage``: X bills each resource, so every call is counted,
publishing included). When X answers that the plan cannot use an endpoint (``Unavailable``), the
capability is marked unavailable before the error goes up, so that callers stop asking.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.utils import timezone

from advocacy.networks.interface import NetworkError, Page, Person, Post, Unavailable
from advocacy.networks.usage import capabilities, ledger
from advocacy.networks.usage.models import ApiCall
from advocacy.networks.x import client, connections
from advocacy.networks.x.models import XAccount

_URL_RE = re.compile(r"https?://|\bwww\.", re.IGNORECASE)


def _metered(account, *, endpoint: str, purpose: str, price_kind: str, call, count=len):
    """Run ``call``, then write its ledger row (resources counted by ``count`` on the result; 0 on error)."""
    try:
        result = call()
    except Unavailable as exc:
        capabilities.mark_unavailable(exc.capability, detail=exc.message)
        ledger.record_call(
            endpoint=endpoint,
            purpose=purpose,
            price_kind=price_kind,
            resources=0,
            account=account,
            status=ApiCall.Status.UNAVAILABLE,
        )
        raise
    except NetworkError:
        ledger.record_call(
            endpoint=endpoint,
            purpose=purpose,
            price_kind=price_kind,
            resources=0,
            account=account,
            status=ApiCall.Status.FAILED,
        )
        raise
    ledger.record_call(
        endpoint=endpoint, purpose=purpose, price_kind=price_kind, resources=count(result), account=account
    )
    return result


def _one(_result) -> int:
    return 1


def _post_kind(text: str) -> str:
    """X prices a post with a link apart from one without (x-api/getting-started/pricing.mdx)."""
    return "post_create_with_url" if _URL_RE.search(text) else "post_create"


class XNetwork:
    name = "x"

    def usable(self, account: XAccount) -> XAccount:
        """The account as read (no query) when its token is fresh enough; refreshed otherwise."""
        margin = dt.timedelta(seconds=settings.X_REFRESH_MARGIN_SECONDS)
        if account.status == XAccount.Status.CONNECTED and (
            account.expires_at is None or account.expires_at > timezone.now() + margin
        ):
            return account
        return connections.fresh_account(account)  # re-reads: raises NotConnected if not connected now

    def publish(self, account: XAccount, text: str) -> str:
        return _metered(
            account,
            endpoint="POST /2/tweets",
            purpose="publish",
            price_kind=_post_kind(text),
            call=lambda: client.post(account, text),
            count=_one,
        )

    def reply(self, account: XAccount, text: str, in_reply_to: str) -> str:
        return _metered(
            account,
            endpoint="POST /2/tweets",
            purpose="reply",
            price_kind=_post_kind(text),
            call=lambda: client.post(account, text, in_reply_to=in_reply_to),
            count=_one,
        )

    def delete(self, account: XAccount, post_id: str) -> None:
        _metered(
            account,
            endpoint="DELETE /2/tweets/:id",
            purpose="delete",
            price_kind="post_delete",
            call=lambda: client.delete(account, post_id),
            count=_one,
        )

    def recent_posts(self, account: XAccount, *, since: dt.datetime) -> list[Post]:
        return _metered(
            account,
            endpoint="GET /2/users/:id/tweets",
            purpose="recent_posts",
            price_kind="post_read",
            call=lambda: client.recent_posts(account, since=since),
        )

    def post_url(self, account: XAccount, post_id: str) -> str:
        return client.post_url(account.username, post_id)

    def revoked(self, account: XAccount, *, detail: str) -> None:
        connections.mark_revoked(account, detail=detail)

    def call_succeeded(self, account: XAccount) -> None:
        connections.note_call_succeeded(account)

    def mentions(self, account: XAccount, *, since_id: str = "", cursor: str = "") -> Page:
        return _metered(
            account,
            endpoint="GET /2/users/:id/mentions",
            purpose="mentions",
            price_kind="post_read",
            call=lambda: client.mentions(account, since_id=since_id, cursor=cursor),
            count=lambda page: len(page.items),
        )

    def followers(self, account: XAccount, *, cursor: str = "") -> Page:
        return _metered(
            account,
            endpoint="GET /2/users/:id/followers",
            purpose="followers",
            price_kind="follower_read",
            call=lambda: client.followers(account, cursor=cursor),
            count=lambda page: len(page.items),
        )

    def post_metrics(self, account: XAccount, post_ids: list[str]) -> dict[str, dict[str, int]]:
        return _metered(
            account,
            endpoint="GET /2/tweets",
            purpose="metrics",
            price_kind="post_read",
            call=lambda: client.post_metrics(account, post_ids),
        )

    def users_by_usernames(self, account: XAccount, usernames: list[str]) -> dict[str, Person]:
        return _metered(
            account,
            endpoint="GET /2/users/by",
            purpose="handle_lookup",
            price_kind="user_read",
            call=lambda: client.users_by_usernames(account, usernames),
        )

    def liking_users(self, account: XAccount, post_id: str, cursor: str = "") -> Page:
        return _metered(
            account,
            endpoint="GET /2/tweets/:id/liking_users",
            purpose="engagement",
            price_kind="user_read",
            call=lambda: client.liking_users(account, post_id, cursor),
            count=lambda page: len(page.items),
        )

    def reposted_by(self, account: XAccount, post_id: str, cursor: str = "") -> Page:
        return _metered(
            account,
            endpoint="GET /2/tweets/:id/retweeted_by",
            purpose="engagement",
            price_kind="user_read",
            call=lambda: client.reposted_by(account, post_id, cursor),
            count=lambda page: len(page.items),
        )

    def subscribe_activity(self, account: XAccount) -> str:
        """The account's X Activity API subscriptions (one per event type), as one id: comma-joined, which
        ``unsubscribe_activity`` takes back."""
        ids = _metered(
            account,
            endpoint="POST /2/activity/subscriptions",
            purpose="subscriptions",
            price_kind="subscription_manage",
            call=lambda: client.subscribe_activity(account),
        )
        return ",".join(ids)

    def register_webhook(self, url: str) -> tuple[str, bool]:
        """The app's webhook for ``url``, registered if X does not have it yet: (id, created now)."""
        return _metered(
            None,
            endpoint="POST /2/webhooks",
            purpose="subscriptions",
            price_kind="subscription_manage",
            call=lambda: client.register_webhook(url),
            count=_one,
        )

    def unsubscribe_activity(self, account: XAccount, subscription_id: str) -> None:
        for one in [s for s in subscription_id.split(",") if s]:
            _metered(
                account,
                endpoint="DELETE /2/activity/subscriptions/:id",
                purpose="subscriptions",
                price_kind="subscription_manage",
                call=lambda one=one: client.unsubscribe_activity(account, one),
                count=_one,
            )


X = XNetwork()
