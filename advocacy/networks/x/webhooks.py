"""X's webhook protocol (x-api/webhooks/quickstart.mdx in xdevplatform/docs): the CRC challenge, the
signature on every delivery, and X Activity API deliveries turned into the interface's ``Activity``.

Both the CRC answer and the signature are HMAC-SHA256 with the app's consumer secret
(``settings.X_CONSUMER_SECRET``), base64-encoded and prefixed ``sha256=``. The secret is never logged. The
view that receives deliveries (relationships) checks the signature first and stores nothing when it fails.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings

from advocacy.networks.interface import Activity, Person, Post

SIGNATURE_HEADER = "x-twitter-webhooks-signature"

# X Activity API event type -> our kind (x-api/activity/introduction.mdx).
_POST_EVENTS = {
    "post.mention.create": "mention",
    "post.reply.create": "reply",
    "post.quote.create": "quote",
    "post.repost.create": "repost",
}


def _sign(message: bytes) -> str:
    secret = (settings.X_CONSUMER_SECRET or "").encode()
    return "sha256=" + base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()


def crc_response(crc_token: str) -> dict:
    """The answer to X's ``GET ?crc_token=``: ``{"response_token": "sha256=<base64 HMAC>"}``."""
    return {"response_token": _sign(crc_token.encode())}


def verify_signature(body: bytes, header: str) -> bool:
    """Whether ``header`` (``x-twitter-webhooks-signature``) signs the raw ``body``; constant-time. Without a
    consumer secret nothing verifies."""
    if not settings.X_CONSUMER_SECRET or not header:
        return False
    return hmac.compare_digest(_sign(body).encode(), header.strip().encode())


def _time(value) -> dt.datetime:
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"bad timestamp {value!r}") from None
    return dt.datetime.now(dt.UTC)


def _person(raw) -> Person:
    if isinstance(raw, dict) and "data" in raw and isinstance(raw["data"], dict):
        raw = raw["data"]
    if not isinstance(raw, dict) or not raw.get("id"):
        raise ValueError("a user without an id")
    return Person(id=str(raw["id"]), username=str(raw.get("username") or ""), name=str(raw.get("name") or ""))


def _users(includes) -> dict[str, Person]:
    users = (includes or {}).get("users") or []
    found = {}
    for raw in users:
        try:
            person = _person(raw)
        except ValueError:
            continue
        found[person.id] = person
    return found


def _event(event: dict) -> Activity | None:
    """One delivered event as an ``Activity``; None for events Relais does not keep (the adviser's own
    follows and likes, other event types)."""
    if not isinstance(event, dict):
        raise ValueError("an event must be an object")
    kind_raw = event.get("event_type")
    account_id = str((event.get("filter") or {}).get("user_id") or "")
    payload = event.get("payload")
    if not isinstance(kind_raw, str) or not account_id or not isinstance(payload, dict):
        raise ValueError("an event needs event_type, filter.user_id and payload")
    users = _users(event.get("includes"))
    if kind_raw in _POST_EVENTS:
        post_id = str(payload.get("id") or "")
        author = str(payload.get("author_id") or "")
        if not post_id or not author:
            raise ValueError("a post event without id or author_id")
        refs = payload.get("referenced_tweets") or []
        target = ""
        for ref in refs:
            if isinstance(ref, dict) and ref.get("type") in ("replied_to", "quoted", "retweeted"):
                target = str(ref.get("id") or "")
        actor = users.get(author) or Person(id=author, username="", name="")
        mentions = tuple(
            str(m.get("id")) for m in (payload.get("entities") or {}).get("mentions") or [] if m.get("id")
        )
        post = Post(
            id=post_id,
            text=str(payload.get("text") or ""),
            created_at=_time(payload.get("created_at")),
            author_id=author,
            author_username=actor.username,
            in_reply_to=str(payload.get("in_reply_to_tweet_id") or ""),
            mentions=mentions,
            conversation_id=str(payload.get("conversation_id") or ""),
        )
        return Activity(
            kind=_POST_EVENTS[kind_raw],
            account_user_id=account_id,
            actor=actor,
            key=post_id,
            occurred_at=post.created_at,
            post=None if kind_raw == "post.repost.create" else post,
            target_post_id=target,
            conversation_id=post.conversation_id,
        )
    if kind_raw == "like.create":
        liked = str(payload.get("liked_tweet_id") or "")
        if not liked:
            raise ValueError("a like without liked_tweet_id")
        if str(payload.get("liked_tweet_author_id") or "") != account_id:
            return None  # the adviser liked someone else's post
        likers = [p for uid, p in users.items() if uid != account_id]
        if not likers:
            raise ValueError("a like without the liking user in includes.users")
        stamp = payload.get("timestamp_ms")
        occurred = (
            dt.datetime.fromtimestamp(int(stamp) / 1000, tz=dt.UTC)
            if str(stamp or "").isdigit()
            else _time(payload.get("created_at"))
        )
        return Activity(
            kind="like",
            account_user_id=account_id,
            actor=likers[0],
            key=f"{likers[0].id}:{liked}",
            occurred_at=occurred,
            target_post_id=liked,
        )
    if kind_raw in ("follow.follow", "follow.unfollow"):
        source, target = _person(payload.get("source")), _person(payload.get("target"))
        if target.id != account_id:
            return None  # the adviser followed someone
        return Activity(
            kind="follow" if kind_raw == "follow.follow" else "unfollow",
            account_user_id=account_id,
            actor=source,
            key=source.id,
            occurred_at=_time(payload.get("created_at")),
        )
    return None


def parse_delivery(body: bytes) -> list[Activity]:
    """The activities in one webhook delivery (``{"data": event}`` or ``{"data": [events]}``). Raises
    ``ValueError`` on a malformed body: nothing of it is to be stored."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the delivery is not JSON") from None
    if not isinstance(document, dict) or "data" not in document:
        raise ValueError("the delivery has no data")
    events = document["data"]
    if isinstance(events, dict):
        events = [events]
    if not isinstance(events, list):
        raise ValueError("data must be an event or a list of events")
    return [a for a in (_event(e) for e in events) if a is not None]
