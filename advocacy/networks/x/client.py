"""Every call Relais makes to X, and the only module that imports tweepy.

Callers get plain values and a handful of our own exceptions, never tweepy's or requests' types, so that
the publishing engine reads as policy ("rate limited: retry at reset") rather than HTTP. Every request
goes through a ``requests.Session`` routed by ``advocacy.networks.x.http.route_x_calls``: pointed at
``X_API_BASE_URL`` (the sandbox in development and tests) and bounded by ``X_TIMEOUT_SECONDS``.

Functions expect an account whose access token is fresh: ``connections.fresh_account`` refreshes it (under a
lease) before the engine calls here. Nothing here touches the database. The rest of Relais reaches these
functions through ``advocacy.networks.x.network.X`` (the ``advocacy.networks.interface.Network``); the
exceptions are the interface's.

The distinction that matters most is between "X never got the request" (``ServerError``: safe to retry)
and "X may have acted but we do not know" (``OutcomeUnknown``: a read timeout or a dropped connection after
the request went out, or a 2xx body we cannot parse). After an unknown outcome of a post the engine looks
for the text on the account before anything else, so that nothing is posted twice.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass

import requests
import tweepy
from django.conf import settings
from django.utils import timezone
from urllib3.exceptions import NewConnectionError

from advocacy.networks.crypto import Secret, decrypt, reveal
from advocacy.networks.interface import (
    Forbidden,
    MalformedResponse,
    NetworkError,
    NotConnected,
    NotFound,
    OutcomeUnknown,
    Page,
    Person,
    Post,
    RateLimited,
    ServerError,
    Unauthorized,
    Unavailable,
)
from advocacy.networks.x.http import route_x_calls

TOKEN_URL = "https://api.x.com/2/oauth2/token"  # noqa: S105 - a URL, rewritten to X_API_BASE_URL by xhttp
REVOKE_URL = "https://api.x.com/2/oauth2/revoke"
RECENT_PAGES = 5  # at most 5 x 100 recent posts are searched after an unknown outcome


# --- Our exceptions: the network interface's, under the names this module has always used -----------------
XError = NetworkError  # anything that went wrong talking to X; ``message`` is safe to show and to store


# --- Values -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class XUser:
    id: str
    username: str
    name: str


XPost = Post


@dataclass(frozen=True)
class TokenSet:
    access_token: Secret
    refresh_token: Secret
    expires_at: dt.datetime | None
    scopes: str

    def __repr__(self) -> str:
        return f"TokenSet(expires_at={self.expires_at!r}, scopes={self.scopes!r})"


def post_url(username: str, post_id: str) -> str:
    return settings.X_POST_URL_TEMPLATE.format(username=username, id=post_id)


# --- Plumbing ---------------------------------------------------------------------------------------------
_per_thread = threading.local()


def _client(access_token: Secret) -> tweepy.Client:
    """This thread's tweepy client (and its routed ``requests`` session, so its connection pool), with
    ``access_token`` as the bearer token of the calls that follow.

    Building a client per call cost a ``requests.Session`` (two transport adapters and their pools) and a new
    connection to X every time. A thread makes one call at a time, so the token is simply set before each
    use. A new client is built when the routing settings change (tests) or after a fork (prefork workers
    must not share sockets with their parent)."""
    route = (settings.X_API_BASE_URL, settings.X_TIMEOUT_SECONDS, os.getpid())
    client = getattr(_per_thread, "client", None)
    if client is None or _per_thread.route != route:
        client = tweepy.Client(wait_on_rate_limit=False)
        route_x_calls(client.session)
        _per_thread.client, _per_thread.route = client, route
    client.bearer_token = reveal(access_token)
    return client


def _session() -> requests.Session:
    return route_x_calls(requests.Session())


def _message(exc: tweepy.HTTPException) -> str:
    if exc.api_messages:
        return "; ".join(exc.api_messages)
    try:
        body = exc.response.json()
    except ValueError:
        body = {}
    return str(body.get("detail") or body.get("title") or f"HTTP {exc.response.status_code}")


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached X (connection refused, DNS, connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def _plan_refusal(exc: tweepy.HTTPException) -> bool:
    """True when X refuses because the app's plan does not include the endpoint: 403 with ``"reason":
    "client-not-enrolled"`` (type ``.../problems/client-forbidden``) or ``.../problems/usage-capped`` (e.g.
    the activity subscription limit). Not a passing fault: the caller stops calling that endpoint."""
    try:
        body = exc.response.json()
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    kind = str(body.get("type") or "")
    return body.get("reason") == "client-not-enrolled" or kind.endswith(
        ("/client-forbidden", "/usage-capped")
    )


def _call(fn, *args, x_capability: str = "", **kwargs):
    """Run a tweepy call and translate whatever happens into our exceptions. ``x_capability`` names what is
    lost when X answers that the plan cannot use the endpoint (``Unavailable``)."""
    try:
        return fn(*args, **kwargs)
    except tweepy.TooManyRequests as exc:
        reset = exc.reset_time if hasattr(exc, "reset_time") else None
        header = exc.response.headers.get("x-rate-limit-reset")
        if reset is None and header and header.isdigit():
            reset = int(header)
        reset_at = (
            dt.datetime.fromtimestamp(reset, tz=dt.UTC)
            if reset
            else timezone.now() + dt.timedelta(seconds=60)
        )
        raise RateLimited(reset_at) from None
    except tweepy.TwitterServerError as exc:
        raise ServerError(_message(exc)) from None
    except tweepy.Unauthorized as exc:
        raise Unauthorized(_message(exc)) from None
    except tweepy.NotFound as exc:
        raise NotFound(_message(exc)) from None
    except tweepy.Forbidden as exc:
        if _plan_refusal(exc):
            raise Unavailable(x_capability or "unknown", _message(exc)) from None
        raise Forbidden(_message(exc)) from None
    except tweepy.BadRequest as exc:
        raise Forbidden(_message(exc)) from None
    except tweepy.HTTPException as exc:
        raise ServerError(_message(exc)) from None
    except requests.JSONDecodeError:
        raise MalformedResponse("X answered with a body that is not JSON") from None
    except requests.RequestException as exc:
        if _never_sent(exc):
            raise ServerError(f"X unreachable ({type(exc).__name__})") from None
        raise OutcomeUnknown(f"no answer from X ({type(exc).__name__})") from None


def _token(account) -> Secret:
    return decrypt(account.access_token_encrypted)


# --- API calls --------------------------------------------------------------------------------------------
def me(access_token: Secret) -> XUser:
    """Who the token belongs to (``GET /2/users/me``). Safe to repeat."""
    try:
        response = _call(_client(access_token).get_me, user_auth=False)
    except OutcomeUnknown as exc:
        raise ServerError(exc.message) from None
    data = response.data
    if data is None:
        raise MalformedResponse("X answered without a user")
    return XUser(id=str(data.id), username=data.username, name=data.name)


def post(account, text: str, *, in_reply_to: str = "") -> str:
    """Publish ``text`` on the account (in reply to post ``in_reply_to`` if given) and return the post's
    id. Irreversible: a ``OutcomeUnknown`` must not be retried blindly. Nothing else happens here once X has
    answered (the caller records the id before building its URL or anything else that could fail)."""
    response = _call(
        _client(_token(account)).create_tweet,
        text=text,
        in_reply_to_tweet_id=in_reply_to or None,
        user_auth=False,
        x_capability="reply" if in_reply_to else "publish",
    )
    data = response.data or {}
    post_id = str(data.get("id") or "")
    if not post_id:
        raise MalformedResponse("X answered without the post id")
    return post_id


def delete(account, post_id: str) -> None:
    """Delete a post. A post that is already gone counts as deleted; repeating a delete is harmless."""
    try:
        _call(_client(_token(account)).delete_tweet, post_id, user_auth=False)
    except NotFound:
        return
    except OutcomeUnknown as exc:
        raise ServerError(exc.message) from None


def recent_posts(account, *, since: dt.datetime) -> list[XPost]:
    """The account's posts created at or after ``since`` (newest first, at most RECENT_PAGES pages)."""
    client = _client(_token(account))
    found: list[XPost] = []
    token = None
    for _page in range(RECENT_PAGES):
        try:
            response = _call(
                client.get_users_tweets,
                account.x_user_id,
                max_results=100,
                tweet_fields=["created_at"],
                pagination_token=token,
                user_auth=False,
            )
        except OutcomeUnknown as exc:
            raise ServerError(exc.message) from None
        older = False
        for tweet in response.data or []:
            created = tweet.created_at
            if created is not None and created < since:
                older = True
                continue
            found.append(XPost(id=str(tweet.id), text=tweet.text, created_at=created))
        token = (response.meta or {}).get("next_token")
        if older or not token:
            break
    return found


MENTION_FIELDS = [
    "created_at",
    "author_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "entities",
    "conversation_id",
]


def _inbound(tweet, usernames: dict[str, str]) -> Post:
    replied = [r for r in (tweet.referenced_tweets or []) if r.type == "replied_to"]
    mentioned = ((tweet.entities or {}).get("mentions") or []) if hasattr(tweet, "entities") else []
    author = str(tweet.author_id or "")
    return Post(
        id=str(tweet.id),
        text=tweet.text,
        created_at=tweet.created_at,
        author_id=author,
        author_username=usernames.get(author, ""),
        in_reply_to=str(replied[0].id) if replied else "",
        mentions=tuple(str(m.get("id")) for m in mentioned if m.get("id")),
        conversation_id=str(getattr(tweet, "conversation_id", "") or ""),
    )


def mentions(account, *, since_id: str = "", cursor: str = "") -> Page:
    """One page (up to 100, newest first) of posts mentioning the account newer than ``since_id``
    (``GET /2/users/:id/mentions``). Billed per post read: callers keep ``newest_id`` and pass it back as
    ``since_id`` so that no post is read twice."""
    try:
        response = _call(
            _client(_token(account)).get_users_mentions,
            account.x_user_id,
            max_results=100,
            since_id=since_id or None,
            pagination_token=cursor or None,
            tweet_fields=MENTION_FIELDS,
            expansions=["author_id"],
            user_fields=["username"],
            user_auth=False,
            x_capability="mentions",
        )
    except OutcomeUnknown as exc:
        raise ServerError(exc.message) from None
    usernames = {str(u.id): u.username for u in (response.includes or {}).get("users", [])}
    meta = response.meta or {}
    return Page(
        items=[_inbound(t, usernames) for t in response.data or []],
        next_cursor=meta.get("next_token") or "",
        newest_id=str(meta.get("newest_id") or ""),
    )


def followers(account, *, cursor: str = "") -> Page:
    """One page (up to 1,000) of the account's followers (``GET /2/users/:id/followers``)."""
    try:
        response = _call(
            _client(_token(account)).get_users_followers,
            account.x_user_id,
            max_results=1000,
            pagination_token=cursor or None,
            user_auth=False,
            x_capability="followers",
        )
    except OutcomeUnknown as exc:
        raise ServerError(exc.message) from None
    return Page(
        items=[Person(id=str(u.id), username=u.username, name=u.name) for u in response.data or []],
        next_cursor=(response.meta or {}).get("next_token") or "",
    )


def post_metrics(account, post_ids: list[str]) -> dict[str, dict[str, int]]:
    """Public counts of up to 100 posts at a time (``GET /2/tweets?ids=``, ``public_metrics``); a post that
    no longer exists is absent."""
    counts: dict[str, dict[str, int]] = {}
    client = _client(_token(account))
    for start in range(0, len(post_ids), 100):
        try:
            response = _call(
                client.get_tweets,
                post_ids[start : start + 100],
                tweet_fields=["public_metrics"],
                user_auth=False,
                x_capability="post_metrics",
            )
        except OutcomeUnknown as exc:
            raise ServerError(exc.message) from None
        for tweet in response.data or []:
            counts[str(tweet.id)] = dict(tweet.public_metrics or {})
    return counts


def users_by_usernames(account, usernames: list[str]) -> dict[str, Person]:
    """Up to 100 usernames in one call (``GET /2/users/by?usernames=``), by lowercase username; a username X
    does not know comes back in ``errors`` and is absent here. Billed per user returned."""
    if not usernames:
        return {}
    if len(usernames) > 100:
        raise ValueError("X looks up at most 100 usernames per call")
    try:
        response = _call(
            _client(_token(account)).get_users,
            usernames=list(usernames),
            user_auth=False,
            x_capability="user_lookup",
        )
    except OutcomeUnknown as exc:
        raise ServerError(exc.message) from None
    return {
        u.username.lower(): Person(id=str(u.id), username=u.username, name=u.name)
        for u in response.data or []
    }


def _people_page(fn, post_id: str, cursor: str, capability: str) -> Page:
    try:
        response = _call(
            fn,
            post_id,
            max_results=100,
            pagination_token=cursor or None,
            user_auth=False,
            x_capability=capability,
        )
    except OutcomeUnknown as exc:
        raise ServerError(exc.message) from None
    return Page(
        items=[Person(id=str(u.id), username=u.username, name=u.name) for u in response.data or []],
        next_cursor=(response.meta or {}).get("next_token") or "",
    )


def liking_users(account, post_id: str, cursor: str = "") -> Page:
    """One page (up to 100) of the people who liked a post (``GET /2/tweets/:id/liking_users``)."""
    return _people_page(_client(_token(account)).get_liking_users, post_id, cursor, "liking_users")


def reposted_by(account, post_id: str, cursor: str = "") -> Page:
    """One page (up to 100) of the people who reposted a post (``GET /2/tweets/:id/retweeted_by``)."""
    return _people_page(_client(_token(account)).get_retweeters, post_id, cursor, "reposted_by")


# X Activity API event types Relais subscribes to for each connected adviser (x-api/activity/introduction in
# xdevplatform/docs): one subscription per event type and user, each counting against the plan's limit.
ACTIVITY_EVENT_TYPES = (
    "post.mention.create",
    "post.reply.create",
    "post.quote.create",
    "post.repost.create",
    "like.create",
    "follow.follow",
    "follow.unfollow",
)


def subscribe_activity(account) -> list[str]:
    """Create the account's X Activity API subscriptions (``POST /2/activity/subscriptions``, user context:
    likes, mentions, replies, quotes and reposts are private events), delivered to ``X_WEBHOOK_ID``.
    All or nothing: when one is refused, those already made are removed before the error is raised."""
    client = _client(_token(account))
    made: list[str] = []
    try:
        for event_type in ACTIVITY_EVENT_TYPES:
            body: dict = {
                "event_type": event_type,
                "filter": {"user_id": account.x_user_id},
                "tag": f"relais:{account.x_user_id}",
            }
            if event_type == "like.create":
                body["filter"]["direction"] = "inbound"
            if settings.X_WEBHOOK_ID:
                body["webhook_id"] = settings.X_WEBHOOK_ID
            response = _call(
                client.request,
                "POST",
                "/2/activity/subscriptions",
                json=body,
                user_auth=False,
                x_capability="activity_subscriptions",
            )
            data = response.json().get("data") or {}
            if isinstance(data, list):
                data = data[0] if data else {}
            made.append(str(data.get("subscription_id") or ""))
    except NetworkError:
        for subscription_id in made:
            unsubscribe_activity(account, subscription_id)
        raise
    except (ValueError, AttributeError):
        raise MalformedResponse("X answered a subscription without its id") from None
    return made


def register_webhook(url: str) -> tuple[str, bool]:
    """The app's webhook for ``url`` (``GET /2/webhooks``, then ``POST /2/webhooks`` if none has that URL;
    X checks the URL with a CRC challenge before it accepts it, so Relais must answer there already). App-
    only: needs ``X_APP_BEARER_TOKEN``. Returns (webhook id, whether it was created now)."""
    if not settings.X_APP_BEARER_TOKEN:
        raise NotConnected("X_APP_BEARER_TOKEN is not set: webhooks belong to the app")
    client = _client(Secret(settings.X_APP_BEARER_TOKEN))
    listed = _call(client.request, "GET", "/2/webhooks", user_auth=False, x_capability="webhooks")
    try:
        for hook in listed.json().get("data") or []:
            if hook.get("url") == url:
                return str(hook["id"]), False
        made = _call(
            client.request, "POST", "/2/webhooks", json={"url": url}, user_auth=False, x_capability="webhooks"
        )
        return str(made.json()["data"]["id"]), True
    except (ValueError, KeyError, TypeError, AttributeError):
        raise MalformedResponse("X answered a webhook request without the webhook") from None


def unsubscribe_activity(account, subscription_id: str) -> None:
    """Delete one subscription (``DELETE /2/activity/subscriptions/:id``); one already gone counts as
    deleted."""
    if not subscription_id:
        return
    # Subscriptions belong to the app: with the app-only token they can be removed after the adviser's own
    # token was revoked (disconnection revokes it at X).
    token = Secret(settings.X_APP_BEARER_TOKEN) if settings.X_APP_BEARER_TOKEN else _token(account)
    try:
        _call(
            _client(token).request,
            "DELETE",
            f"/2/activity/subscriptions/{subscription_id}",
            user_auth=False,
            x_capability="activity_subscriptions",
        )
    except NotFound:
        return


# --- OAuth 2.0 tokens -------------------------------------------------------------------------------------
def _token_set(body: dict) -> TokenSet:
    try:
        access = body["access_token"]
    except (KeyError, TypeError):
        raise MalformedResponse("the token answer has no access token") from None
    expires_in = body.get("expires_in")
    expires_at = timezone.now() + dt.timedelta(seconds=int(expires_in)) if expires_in else None
    return TokenSet(
        Secret(access), Secret(body.get("refresh_token") or ""), expires_at, body.get("scope", "")
    )


def refresh(refresh_token: Secret) -> TokenSet:
    """Trade a (single-use) refresh token for a new pair. ``Unauthorized`` when X refuses it."""
    data = {
        "grant_type": "refresh_token",
        "refresh_token": reveal(refresh_token),
        "client_id": settings.X_CLIENT_ID,
    }
    try:
        with _session() as session:
            response = session.post(
                TOKEN_URL, data=data, auth=(settings.X_CLIENT_ID, settings.X_CLIENT_SECRET)
            )
    except requests.RequestException as exc:
        if _never_sent(exc):
            raise ServerError(f"X unreachable ({type(exc).__name__})") from None
        raise OutcomeUnknown(f"no answer from X ({type(exc).__name__})") from None
    if response.status_code >= 500:
        raise ServerError(f"HTTP {response.status_code}")
    if response.status_code == 429:
        raise RateLimited(timezone.now() + dt.timedelta(seconds=60))
    try:
        body = response.json()
    except ValueError:
        raise MalformedResponse("the token answer is not JSON") from None
    if response.status_code != 200:
        # X answers 400 invalid_request for a used, revoked or unknown refresh token: the grant is gone.
        raise Unauthorized(str(body.get("error_description") or body.get("error") or response.status_code))
    return _token_set(body)


def revoke(token: Secret) -> bool:
    """Ask X to revoke a token (best effort: False when X could not be told)."""
    if not token:
        return False
    data = {"token": reveal(token), "client_id": settings.X_CLIENT_ID}
    try:
        with _session() as session:
            response = session.post(
                REVOKE_URL, data=data, auth=(settings.X_CLIENT_ID, settings.X_CLIENT_SECRET)
            )
    except requests.RequestException:
        return False
    return response.status_code == 200
