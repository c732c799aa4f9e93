"""The sandbox's state: users, posts, followers, usage counters, and their persistence in a JSON file.

``SandboxState`` is the whole in-memory store, guarded by one re-entrant ``lock``; the token store
(``tokens.py``) and the fault switches / rate-limit windows (``faults.py``) are parts of it. Standard
library only; nothing here knows about HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
import time

from .activity import ActivityHub
from .errors import DUPLICATE, ControlError
from .faults import DEFAULT_RATE_LIMITS, FAULT_DEFAULTS, FaultSwitches
from .tokens import ACCESS_TOKEN_TTL, TokenStore
from .weighted import MAX_WEIGHTED_LENGTH, weighted_length

DEFAULT_CLIENT_ID = "relais-sandbox-client"
DEFAULT_CLIENT_SECRET = "relais-sandbox-secret"  # noqa: S105 - a public, documented sandbox value
TWITTER_EPOCH_MS = 1288834974657

PUBLIC_METRICS = ("retweet_count", "reply_count", "like_count", "quote_count", "impression_count")
_USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{1,15})")


def iso8601(ts: float) -> str:
    """X's timestamp format: ``2026-11-25T10:00:00.000Z``."""
    ms = round(ts * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


class SandboxState(TokenStore, FaultSwitches, ActivityHub):
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
        self._init_activity()

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
                "public_metrics": dict.fromkeys(PUBLIC_METRICS, 0),
            }
            if parent is not None:
                parent["public_metrics"]["reply_count"] += 1
            self.tweets[tweet_id] = tweet
            self.counters["tweets_created"] += 1
            self._changed()
            self._deliver_post(tweet, explicit=_MENTION_RE.findall(text))
            return dict(tweet)

    def _user_brief(self, user_id: str) -> dict:
        user = self.users[user_id]
        return {"id": user["id"], "username": user["username"], "name": user["name"]}

    def _event_post(self, tweet: dict) -> dict:
        post = {
            "id": tweet["id"],
            "text": tweet["text"],
            "author_id": tweet["author_id"],
            "created_at": iso8601(tweet["created_at"]),
            "conversation_id": tweet["conversation_id"],
            "edit_history_tweet_ids": [tweet["id"]],
            "entities": {
                "mentions": [self._user_brief(uid) for uid in tweet["mentions"] if uid in self.users]
            },
        }
        if tweet["in_reply_to_tweet_id"]:
            post["in_reply_to_tweet_id"] = tweet["in_reply_to_tweet_id"]
            post["in_reply_to_user_id"] = tweet["in_reply_to_user_id"]
            post["referenced_tweets"] = [{"type": "replied_to", "id": tweet["in_reply_to_tweet_id"]}]
        return post

    def _deliver_post(self, tweet: dict, explicit: list[str]) -> None:
        """post.reply.create to the author of the post answered; post.mention.create to each user named in
        the text (X: explicit mentions only), never to the author."""
        author = tweet["author_id"]
        includes = {"users": [self._user_brief(author)]}
        payload = self._event_post(tweet)
        replied_to = tweet["in_reply_to_user_id"]
        if replied_to and replied_to != author:
            self.deliver("post.reply.create", replied_to, payload, includes)
        for username in dict.fromkeys(u.lower() for u in explicit):
            user = self.find_user(username)
            if user and user["id"] != author and user["id"] != replied_to:
                self.deliver("post.mention.create", user["id"], payload, includes)

    def add_like(self, tweet_id: str, liker) -> dict:
        """``liker`` (created if needed) likes the post: like.create (inbound) to its author's webhook."""
        with self.lock:
            tweet = self.live_tweet(tweet_id)
            if tweet is None:
                raise ControlError(404, f"unknown tweet: {tweet_id}")
            user = self.find_user(liker) or self.add_user(str(liker))
            fans = self.likes.setdefault(tweet["id"], [])
            if user["id"] not in fans:
                fans.insert(0, user["id"])
                tweet["public_metrics"]["like_count"] += 1
            self._changed()
            now = self.now()
            payload = {
                "id": hashlib.md5(f"{user['id']}:{tweet['id']}".encode()).hexdigest(),  # noqa: S324 - an id
                "created_at": iso8601(tweet["created_at"]),
                "timestamp_ms": str(int(now * 1000)),
                "liked_tweet_author_id": tweet["author_id"],
                "liked_tweet_id": tweet["id"],
                "_direction": "inbound",
            }
            includes = {"users": [self._user_brief(user["id"]), self._user_brief(tweet["author_id"])]}
            self.deliver("like.create", tweet["author_id"], payload, includes)
            return dict(user)

    def add_repost(self, tweet_id: str, reposter) -> dict:
        """``reposter`` (created if needed) reposts the post: post.repost.create to its author's webhook."""
        with self.lock:
            tweet = self.live_tweet(tweet_id)
            if tweet is None:
                raise ControlError(404, f"unknown tweet: {tweet_id}")
            user = self.find_user(reposter) or self.add_user(str(reposter))
            fans = self.reposts.setdefault(tweet["id"], [])
            if user["id"] not in fans:
                fans.insert(0, user["id"])
                tweet["public_metrics"]["retweet_count"] += 1
            self._changed()
            repost_id = self.next_id()
            payload = {
                "id": repost_id,
                "text": f"RT @{self.users[tweet['author_id']]['username']}: {tweet['text']}",
                "author_id": user["id"],
                "created_at": iso8601(self.now()),
                "conversation_id": repost_id,
                "referenced_tweets": [{"type": "retweeted", "id": tweet["id"]}],
            }
            self.deliver(
                "post.repost.create", tweet["author_id"], payload, {"users": [self._user_brief(user["id"])]}
            )
            return dict(user, repost_id=repost_id)

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
                self._deliver_follow("follow.follow", follower_user["id"], target_user["id"])
            self._changed()
            return dict(follower_user)

    def remove_follower(self, target, follower) -> dict:
        """``follower`` stops following ``target``: follow.unfollow to the target's webhook."""
        with self.lock:
            target_user = self._require_user(target)
            follower_user = self._require_user(follower)
            fans = self.followers.setdefault(target_user["id"], [])
            if follower_user["id"] in fans:
                fans.remove(follower_user["id"])
                self._deliver_follow("follow.unfollow", follower_user["id"], target_user["id"])
            self._changed()
            return dict(follower_user)

    def _deliver_follow(self, event_type: str, source_id: str, target_id: str) -> None:
        payload = {
            "source": {"data": self._user_brief(source_id)},
            "target": {"data": self._user_brief(target_id)},
            "created_at": iso8601(self.now()),
        }
        self.deliver(event_type, target_id, payload)

    def set_metrics(self, tweet_id: str, **metrics: int) -> dict:
        with self.lock:
            tweet = self.tweets.get(str(tweet_id))
            if tweet is None:
                raise ControlError(404, f"unknown tweet: {tweet_id}")
            for key, value in metrics.items():
                if key not in PUBLIC_METRICS:
                    raise ControlError(400, f"unknown metric {key!r}; known: {', '.join(PUBLIC_METRICS)}")
                tweet["public_metrics"][key] = int(value)
            self._changed()
            return dict(tweet["public_metrics"])

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
