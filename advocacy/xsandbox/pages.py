"""The sandbox's HTML: the page frame (shared with the OAuth consent page), the user list and timelines."""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .routing import Route
from .state import PUBLIC_METRICS, iso8601

ROUTES = [
    Route("GET", r"/", "GET /", "page_index", "html"),
    Route("GET", r"/timeline/(?P<username>[^/]+)", "GET /timeline", "page_timeline", "html"),
    Route("GET", r"/apply/(?P<job>[^/]+)", "GET /apply", "page_apply", "html"),
    Route("POST", r"/timeline/(?P<username>[^/]+)/raise", "POST /timeline/raise", "page_raise", "html"),
]
# What the timeline's "raise impressions" button adds to a post (a demo control, like /_sandbox/metrics).
RAISE_IMPRESSIONS, RAISE_LIKES = 100, 5

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f8fa;color:#0f1419;
margin:0;padding:2rem}main{max-width:42rem;margin:auto;background:#fff;border:1px solid #cfd9de;
border-radius:16px;padding:1.5rem 2rem}h1{font-size:1.4rem;margin-top:0}a{color:#1d9bf0}
.muted{color:#536471;font-size:.9rem}.users{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}
button{font:inherit;border-radius:999px;border:1px solid #cfd9de;background:#fff;padding:.45rem 1rem;
cursor:pointer}button.primary{background:#0f1419;color:#fff;border-color:#0f1419}button:hover{filter:brightness(.95)}
input[type=text]{font:inherit;padding:.45rem .8rem;border:1px solid #cfd9de;border-radius:8px}
.error{background:#fdecea;border:1px solid #f4212e;color:#a0101a;padding:.6rem 1rem;border-radius:8px}
.tweet{border-top:1px solid #eff3f4;padding:.8rem 0}.tweet del{color:#8b98a5}
.metrics{color:#536471;font-size:.85rem}code{background:#eff3f4;padding:0 .3rem;border-radius:4px}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eff3f4}
"""


def html_page(title: str, body: str, refresh: bool = False) -> bytes:
    meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">{meta}'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    ).encode()


class PageHandlers:
    """``GET /`` (users, counters) and ``GET /timeline/<username>``; both refresh every 5 s."""

    def page_index(self, match, query, body):
        esc = html.escape
        snap = self.state.snapshot()
        rows = "".join(
            f'<tr><td><a href="/timeline/{esc(u["username"])}">@{esc(u["username"])}</a></td>'
            f"<td>{esc(u['name'])}</td><td><code>{esc(u['id'])}</code></td>"
            f"<td>{sum(1 for t in snap['tweets'] if t['author_id'] == u['id'] and not t['deleted'])}</td>"
            f"<td>{len(snap['followers'].get(u['id'], []))}</td></tr>"
            for u in snap["users"]
        )
        table = (
            "<table><tr><th>User</th><th>Name</th><th>Id</th><th>Posts</th><th>Followers</th></tr>"
            f"{rows}</table>"
            if rows
            else '<p class="muted">No users yet.</p>'
        )
        counters = snap["counters"]
        body_html = (
            "<h1>X sandbox</h1>"
            f'<p class="muted">create calls: {counters["create_calls"]} &middot; posts created: '
            f"{counters['tweets_created']} &middot; JSON dump: "
            '<a href="/_sandbox/state">/_sandbox/state</a></p>'
            f"{table}"
        )
        self._send_html(200, html_page("X sandbox", body_html, refresh=True))

    def page_apply(self, match, query, body):
        """A job offer's apply page as an ATS would host it, for the demo's clicks on a job offer's tracked
        link (advocacy/recruitment): it shows the query string the redirect brought, source parameter
        (``gh_src``, ``lever-source[]``, ``source``, ``utm_*``) and all, every value as received."""
        esc = html.escape
        rows = "".join(
            f"<tr><td><code>{esc(k)}</code></td><td><code>{esc(v)}</code></td></tr>"
            for k, v in parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
        )
        table = f"<table><tr><th>parameter</th><th>value</th></tr>{rows}</table>" if rows else "<p>None.</p>"
        self._send_html(
            200,
            html_page(
                "Apply page - ATS sandbox",
                f"<h1>Apply page: job {esc(unquote(match.group('job')))}</h1>"
                '<p class="muted">The bank\'s applicant-tracking system would show its application form '
                "here. "
                "The link brought these parameters:</p>" + table,
            ),
        )

    def page_timeline(self, match, query, body):
        esc = html.escape
        username = unquote(match.group("username"))
        with self.state.lock:
            user = self.state.find_user(username)
            if user is None:
                self._send_html(
                    404,
                    html_page(
                        "Not found - X sandbox",
                        f'<h1>No user @{esc(username)}</h1><p><a href="/">All users</a></p>',
                    ),
                )
                return
            user = dict(user)
            tweets = sorted(
                (t for t in self.state.tweets.values() if t["author_id"] == user["id"]),
                key=lambda t: int(t["id"]),
                reverse=True,
            )
            items = []
            for t in tweets:
                text = esc(t["text"]).replace("\n", "<br>")
                if t["deleted_at"] is not None:
                    when = esc(iso8601(t["deleted_at"]))
                    text = f'<del>{text}</del> <span class="muted">(deleted {when})</span>'
                m = t["public_metrics"]
                metrics = " &middot; ".join(f"{esc(k.replace('_count', ''))} {m[k]}" for k in PUBLIC_METRICS)
                reply = (
                    f" &middot; reply to <code>{esc(t['in_reply_to_tweet_id'])}</code>"
                    if t["in_reply_to_tweet_id"]
                    else ""
                )
                # A plain form (no script): the demo's "raise impressions" control, for the portal's metrics
                # reader to find at its next read.
                boost = (
                    ""
                    if t["deleted_at"] is not None
                    else f'<form method="post" action="/timeline/{esc(user["username"])}/raise">'
                    f'<input type="hidden" name="tweet_id" value="{esc(t["id"])}">'
                    f"<button>+{RAISE_IMPRESSIONS} impressions, +{RAISE_LIKES} likes</button></form>"
                )
                items.append(
                    f'<div class="tweet"><div>{text}</div><div class="metrics"><code>{esc(t["id"])}</code> '
                    f"&middot; {esc(iso8601(t['created_at']))}{reply}<br>{metrics}</div>{boost}</div>"
                )
        body_html = (
            f'<p><a href="/">&larr; All users</a></p><h1>{esc(user["name"])} '
            f'<span class="muted">@{esc(user["username"])}</span></h1>'
            + ("".join(items) or '<p class="muted">No posts yet.</p>')
        )
        self._send_html(200, html_page(f"@{user['username']} - X sandbox", body_html, refresh=True))

    def page_raise(self, match, query, body):
        """The timeline's button: the post gains impressions and likes, then back to the timeline (303)."""
        username = unquote(match.group("username"))
        tweet_id = dict(parse_qsl(body.decode("utf-8", "replace"))).get("tweet_id", "")
        with self.state.lock:  # re-entrant: read and raise in one step, as two clicks may race
            tweet = self.state.tweets.get(tweet_id)
            if tweet is not None:
                counts = tweet["public_metrics"]
                self.state.set_metrics(
                    tweet_id,
                    impression_count=counts["impression_count"] + RAISE_IMPRESSIONS,
                    like_count=counts["like_count"] + RAISE_LIKES,
                )
        if tweet is None:
            self._send_html(404, html_page("Not found - X sandbox", "<h1>No such post</h1>"))
            return
        self._send(303, b"", "text/plain", {"Location": f"/timeline/{quote(username)}"})
