"""What the rest of Relais may ask of a social network, and what can go wrong: one small interface.

The share engine (``advocacy.shares``) publishes, deletes, and after an unknown outcome looks for a recent
post by its text; inbound capture (client relationships) reads mentions, followers and post metrics. They
call a ``Network`` and catch the errors below, never tweepy's or HTTP's, so that their code reads as policy
("rate limited: retry at reset") and a second network can sit beside X. X is the only implementation
(``advocacy.networks.x.network.X``); LinkedIn would be ``advocacy.networks.linkedin`` implementing the same
``Network``. There is deliberately no registry: a caller that supports several networks picks by name.

Every read is billed on X (pay-per-use): implementations read incrementally (``since_id``, pagination
tokens) and say so, and callers keep the cursor they are given so that nothing is read twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol


# --- What can go wrong ------------------------------------------------------------------------------------
class NetworkError(Exception):
    """Anything that went wrong talking to the network. ``message`` is safe to show and to store."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class RateLimited(NetworkError):
    def __init__(self, reset_at: dt.datetime, message: str = "Too Many Requests"):
        super().__init__(message)
        self.reset_at = reset_at


class ServerError(NetworkError):
    """The network answered 5xx, or could not be reached at all: the request did not take effect."""


class Unauthorized(NetworkError):
    """The network refuses the account's token (revoked, expired, or a refresh token already used)."""


class Forbidden(NetworkError):
    """The network refused this request for good (duplicate text, too long, not allowed); ``message`` says
    why."""


class NotFound(NetworkError):
    """The post or user does not exist (any more)."""


class OutcomeUnknown(NetworkError):
    """The request was sent and may have taken effect, but no answer came back: never retry blindly."""


class MalformedResponse(OutcomeUnknown):
    """A 2xx answer whose body cannot be read: the network acted, but we do not know the result."""


class Unavailable(NetworkError):
    """The app's plan cannot use this endpoint at all (X: 403 with reason ``client-not-enrolled``, or a
    refusal naming the plan). Not a passing fault: callers stop calling ``capability`` and say so, never
    retry it in a loop. ``capability`` names what is lost ("followers", "activity_subscriptions", ...)."""

    def __init__(self, capability: str, message: str = ""):
        super().__init__(message or f"{capability}: not available on this plan")
        self.capability = capability


class NotConnected(Exception):
    """The adviser has no usable connection to the network (never connected, disconnected, revoked)."""


# --- What comes back --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Post:
    """A post read from the network. ``author_*`` and ``in_reply_to`` are filled for inbound posts."""

    id: str
    text: str
    created_at: dt.datetime | None
    author_id: str = ""
    author_username: str = ""
    in_reply_to: str = ""  # the post this one answers, if any
    mentions: tuple[str, ...] = ()  # user ids mentioned
    conversation_id: str = ""  # the thread's first post (X's ``conversation_id``)


@dataclass(frozen=True)
class Person:
    id: str
    username: str
    name: str


@dataclass(frozen=True)
class Activity:
    """Something that happened to a connected account, pushed by the network (webhook) or found by polling.

    ``key`` is the network's own identity of the event, so that the same event seen twice (replayed
    delivery, poll overlapping a webhook) is stored once: the post id for mention / reply / quote /
    repost, ``f"{actor.id}:{post_id}"`` for a like, ``actor.id`` for follow / unfollow."""

    kind: str  # "mention" | "reply" | "quote" | "repost" | "like" | "follow" | "unfollow"
    account_user_id: str  # the connected adviser's user id on the network that the activity concerns
    actor: Person  # who did it
    key: str
    occurred_at: dt.datetime
    post: Post | None = None  # the inbound post (mention, reply, quote), full text
    target_post_id: str = ""  # the adviser's post liked / reposted / replied to / quoted
    conversation_id: str = ""


ACTIVITY_KINDS = ("mention", "reply", "quote", "repost", "like", "follow", "unfollow")


@dataclass(frozen=True)
class Page:
    """One page of a paged read: the items, and the cursor to read the next page (empty: no more)."""

    items: list = field(default_factory=list)
    next_cursor: str = ""
    newest_id: str = ""  # for reads by ``since_id``: where the next incremental read starts


# --- The interface ----------------------------------------------------------------------------------------
class Network(Protocol):
    """One social network as Relais uses it. ``account`` is the network's own connected-account model (for X,
    ``advocacy.networks.x.models.XAccount``): callers pass it through and read only ``username``."""

    name: str  # "x": stored with shares and archive records

    def usable(self, account):
        """The account with a fresh access token (refreshed first if near expiry). Raises ``NotConnected``,
        ``Unauthorized`` (refresh refused: the connection is marked revoked) or another ``NetworkError``."""

    def publish(self, account, text: str) -> str:
        """Post ``text``; returns the post's id. Irreversible: ``OutcomeUnknown`` means "look before you
        retry" (``recent_posts``)."""

    def delete(self, account, post_id: str) -> None:
        """Delete a post; a post already gone counts as deleted."""

    def recent_posts(self, account, *, since: dt.datetime) -> list[Post]:
        """The account's own posts created at or after ``since``, newest first (bounded)."""

    def post_url(self, account, post_id: str) -> str:
        """The public address of a post."""

    def revoked(self, account, *, detail: str) -> None:
        """The network refused the account's token during a call: mark the connection revoked (the adviser
        is told, nothing more is sent or read until they reconnect)."""

    def call_succeeded(self, account) -> None:
        """A call with this account just worked (the connection's health, shown to compliance)."""

    def mentions(self, account, *, since_id: str = "", cursor: str = "") -> Page:
        """Posts mentioning the account (replies included) newer than ``since_id``, newest first, one page
        (items are ``Post``)."""

    def followers(self, account, *, cursor: str = "") -> Page:
        """One page of the account's followers (items are ``Person``)."""

    def post_metrics(self, account, post_ids: list[str]) -> dict[str, dict[str, int]]:
        """Public counts (likes, reposts, replies, quotes, impressions where offered) of the account's
        posts, by post id; a post that no longer exists is absent."""

    def users_by_usernames(self, account, usernames: list[str]) -> dict[str, Person]:
        """Look up to 100 usernames in one call; returns the known ones by lowercase username (a username the
        network does not know is absent)."""

    def liking_users(self, account, post_id: str, cursor: str = "") -> Page:
        """One page of the people who liked one of the account's posts (items are ``Person``)."""

    def reposted_by(self, account, post_id: str, cursor: str = "") -> Page:
        """One page of the people who reposted one of the account's posts (items are ``Person``)."""

    def reply(self, account, text: str, in_reply_to: str) -> str:
        """Post ``text`` in reply to post ``in_reply_to``; returns the reply's id. Irreversible, as
        ``publish``."""

    def subscribe_activity(self, account) -> str:
        """Ask the network to push the account's activity (mentions, replies, likes, reposts, follows) to
        the app's webhook; returns the subscription's id. ``Unavailable`` when the plan has no room or no
        access (callers fall back to polling)."""

    def unsubscribe_activity(self, account, subscription_id: str) -> None:
        """Remove a subscription; one already gone counts as removed."""
