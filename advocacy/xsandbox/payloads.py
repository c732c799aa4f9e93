"""X API v2 JSON shapes of users and posts (``user.fields``, ``tweet.fields``, ``expansions=author_id``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .state import iso8601

if TYPE_CHECKING:
    from .state import SandboxState


def requested_fields(query: dict, name: str) -> set[str]:
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
    fields = requested_fields(query, "tweet.fields")
    payload: dict = {}
    if tweets:
        payload["data"] = [tweet_json(t, fields) for t in tweets]
    if "author_id" in requested_fields(query, "expansions") and tweets:
        user_fields = requested_fields(query, "user.fields")
        seen = list(dict.fromkeys(t["author_id"] for t in tweets))
        payload["includes"] = {
            "users": [user_json(state.users[uid], state, user_fields) for uid in seen if uid in state.users]
        }
    return payload
