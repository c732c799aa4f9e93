"""The public redirect behind every tracked link (``/l/<code>``).

It is the one page every reader of a post hits, so it does only what it must: a cached lookup, a memoised
bot check, a hash and an in-memory append (see ``clicks``). It never touches the session or a signed-in
user, and ``advocacy.wsgi`` serves it on a lean handler (``links.handler``) that runs only the middleware
a redirect needs (security headers, host check): no session, auth, CSRF, locale or message middleware.
A redirect must not be cached (clicks are counted here, and a recall stops the link at once): it carries
the ``Cache-Control`` that Django's ``never_cache`` sets, written directly (``patch_cache_control`` parses
and rebuilds the header on every call), and no ``Expires``: a 302 is stored by a cache only with explicit
freshness (RFC 9111 §3, §4.2.2), so an HTTP/1.0 cache, which reads only ``Expires``, never stores it, and
every other cache obeys ``no-store``.

A live link's destination is also remembered in this process for ``MEMO_SECONDS`` (0.25 s): a popular
link then costs no shared-cache round trip (Redis, or the database cache on the embedded default: 100-200 µs
each, a third of a bare request) for most of its clicks. A recall cannot reach into other processes' memos,
so it outlasts them instead: ``shares.link_markers.stop_item`` writes the dead markers to the shared
cache and returns only once every memo that could still hold the link has expired. Unknown and dead links
are never remembered here (the shared cache already answers them).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers

from advocacy.links import clicks
from advocacy.links import destinations as links
from advocacy.links.handler import NO_STORE, LinkRedirect
from advocacy.org.access import PUBLIC, access
from advocacy.shares.link_markers import MEMO_SECONDS

MEMO_MAX = 10_000
_memo: dict[str, tuple[float, int, str]] = {}  # code -> (remembered until (monotonic), share id, url)


def _destination(code: str) -> tuple[int, str] | None:
    """``links.destination``, remembered for ``MEMO_SECONDS`` when the link is live. The memo's end is
    counted from before the lookup, which is what lets ``shares.link_markers.stop_item`` know when the
    last one has gone."""
    now = time.monotonic()
    memo = _memo.get(code)
    if memo is not None and memo[0] > now:
        return memo[1], memo[2]
    found = links.destination(code)
    if found is None:
        _memo.pop(code, None)
    else:
        if len(_memo) >= MEMO_MAX:
            _memo.clear()
        _memo[code] = (now + MEMO_SECONDS, found[0], found[1])
    return found


def _gone_page(request: HttpRequest) -> HttpResponse:
    """What a client reads on a dead link: the bank's name and its public site, not Relais' own pages. No
    request is given to the template, so no context processor looks at a user or a session (the database).

    In the visitor's language, chosen as ``LocaleMiddleware`` chooses it (language cookie, then
    ``Accept-Language``): the lean handler that serves ``/l/`` (``links.handler``) runs no
    ``LocaleMiddleware``, and the redirect itself, an empty 302, has no use for one."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        page = render_to_string(
            "links/link_gone.html",
            {"bank_name": settings.RELAIS_BANK_NAME, "bank_url": settings.RELAIS_BANK_PUBLIC_URL},
        )
    response = HttpResponse(page, status=404)
    patch_vary_headers(response, ("Accept-Language",))
    response.headers.setdefault("Content-Language", language)
    return response


def _not_cached(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


@access(PUBLIC)
def follow(request: HttpRequest, code: str) -> HttpResponse:
    found = _destination(code)
    if found is None:
        return _not_cached(_gone_page(request))
    share_id, url = found
    user_agent = request.META.get("HTTP_USER_AGENT", "")  # request.headers would copy every header
    if request.method == "GET" and not clicks.is_bot(user_agent):
        clicks.record_click(share_id, clicks.visitor_hash(request.META.get("REMOTE_ADDR", ""), user_agent))
    return LinkRedirect(url)  # no-store too; the lean handler adds the middleware's headers fast
