"""X as a ``advocacy.networks.interface.Network``: what the share engine and inbound capture call.

Thin on purpose: the calls are ``client`` (tweepy, the only module that imports it) and the connection's
upkeep is ``connections`` (token refresh under a lease, revocation, health). This class only puts them
behind the interface's names, so that callers never import ``client`` or ``connections``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from advocacy.networks.interface import Page, Post
from advocacy.networks.x import client, connections
from advocacy.networks.x.models import XAccount


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
        return client.post(account, text)

    def delete(self, account: XAccount, post_id: str) -> None:
        client.delete(account, post_id)

    def recent_posts(self, account: XAccount, *, since: dt.datetime) -> list[Post]:
        return client.recent_posts(account, since=since)

    def post_url(self, account: XAccount, post_id: str) -> str:
        return client.post_url(account.username, post_id)

    def revoked(self, account: XAccount, *, detail: str) -> None:
        connections.mark_revoked(account, detail=detail)

    def call_succeeded(self, account: XAccount) -> None:
        connections.note_call_succeeded(account)

    def mentions(self, account: XAccount, *, since_id: str = "", cursor: str = "") -> Page:
        return client.mentions(account, since_id=since_id, cursor=cursor)

    def followers(self, account: XAccount, *, cursor: str = "") -> Page:
        return client.followers(account, cursor=cursor)

    def post_metrics(self, account: XAccount, post_ids: list[str]) -> dict[str, dict[str, int]]:
        return client.post_metrics(account, post_ids)


X = XNetwork()
