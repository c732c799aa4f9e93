"""Tracked links: /l/<code> redirects with UTM, counts people not bots, keeps no IP, stops on recall."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.content.models import ContentItem
from advocacy.links import clicks
from advocacy.shares import services
from advocacy.shares.models import Share, ShareClick

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture
def published(sandbox, adviser, connect, make_item, settings):
    settings.PUBLIC_BASE_URL = "https://relais.banque-test.fr"
    connect(adviser, "camille_x")
    item = make_item(link="https://www.banque-test.fr/livret?ref=relais")
    share = services.schedule_share(adviser=adviser, item=item, when=None, actor=adviser)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    return Share.objects.get(pk=share.pk)


def test_a_tracked_link_redirects_to_the_item_with_utm_parameters(published):
    response = Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.netloc, target.path) == ("www.banque-test.fr", "/livret")
    query = parse_qs(target.query)
    assert query["ref"] == ["relais"]
    assert query["utm_source"] == ["x"] and query["utm_medium"] == ["social"]
    assert query["utm_campaign"] == [str(published.item_id)] and query["utm_content"] == [str(published.pk)]


def test_clicks_are_counted_without_bots_and_without_storing_the_ip(published):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        client.get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    Client(REMOTE_ADDR="198.51.100.2").get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    for bot in (
        "Twitterbot/1.0",
        "facebookexternalhit/1.1",
        "LinkedInBot/1.0",
        "Slackbot-LinkExpanding 1.0",
        "",
    ):
        response = client.get(f"/l/{published.link_code}", HTTP_USER_AGENT=bot)
        assert response.status_code == 302  # bots are redirected too, only not counted
    clicks.flush()
    rows = ShareClick.objects.filter(share=published)
    assert rows.count() == 4
    assert rows.values("visitor").distinct().count() == 2
    assert not any("203.0.113.7" in row.visitor or "198.51" in row.visitor for row in rows)


def test_a_click_is_stored_at_the_moment_it_happened(published):
    before = timezone.now()
    Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    after = timezone.now()
    clicks.flush()
    click = ShareClick.objects.get(share=published)
    assert before <= click.clicked_at <= after  # written in bulk, read back by the ORM at full precision
    assert ShareClick.objects.filter(clicked_at__gte=before, clicked_at__lte=after).count() == 1


def test_the_visitor_hash_changes_from_one_day_to_the_next():
    today = timezone.now()
    assert clicks.visitor_hash("203.0.113.7", BROWSER, now=today) != clicks.visitor_hash(
        "203.0.113.7", BROWSER, now=today + dt.timedelta(days=1)
    )


def test_an_unknown_code_gets_a_friendly_404():
    response = Client().get("/l/not-a-real-code", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 404
    assert "no longer available" in response.content.decode()


def test_a_recalled_items_links_stop_redirecting_at_once(published):
    client = Client()
    assert client.get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER).status_code == 302  # now cached
    ContentItem.objects.filter(pk=published.item_id).update(status="recalled")
    services.recall_shares(item_id=published.item_id)
    assert client.get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER).status_code == 404


def test_a_lookup_that_races_a_recall_cannot_cache_the_link_live_again(published, monkeypatch):
    from advocacy.links import destinations as links
    from advocacy.shares import link_markers

    link_markers.forget([published.link_code])
    original = links.with_utm

    def recall_lands_between_the_read_and_the_cache_write(url, **kwargs):
        link_markers.stop_item(published.item_id)
        return original(url, **kwargs)

    monkeypatch.setattr(links, "with_utm", recall_lands_between_the_read_and_the_cache_write)
    assert links.destination(published.link_code) is not None  # this reader was ahead of the recall
    monkeypatch.setattr(links, "with_utm", original)
    assert Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER).status_code == 404


def test_an_expired_items_link_gets_the_404(published):
    ContentItem.objects.filter(pk=published.item_id).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    from advocacy.shares import link_markers

    link_markers.forget([published.link_code])
    assert Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER).status_code == 404


def test_my_shares_shows_the_click_counts(published, client_for, adviser):
    Client(REMOTE_ADDR="203.0.113.9").get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    clicks.flush()
    page = client_for(adviser).get("/shares/").content.decode()
    assert ShareClick.objects.filter(share=published).count() == 1
    counts = '<td data-label="Clicks">1</td><td data-label="Visitors (estimate)">1</td>'
    assert counts in page.replace("\n", ""), page[page.find("published-title") :][:1500]


def test_a_redirect_is_never_cached_and_never_waits_for_the_database(published, settings, monkeypatch):
    settings.TESTING = False  # as in production: a thread writes the buffered clicks (not started here)
    settings.REDIS_URL = ""  # the in-process buffer (with Redis, clicks are an RPUSH)
    monkeypatch.setattr(clicks, "_flush_forever", lambda: None)
    monkeypatch.setattr(clicks, "_flusher", None)
    try:
        response = Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
        assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
        clicks._local_since -= clicks.MAX_AGE_SECONDS + 1  # the buffer is due: it is still not our job
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
        assert len(queries) == 0
        assert len(clicks._local) == 2
    finally:
        clicks._local.clear()


def test_a_forked_worker_starts_its_own_flushing_thread(monkeypatch):
    """A redirect checks only that the thread exists (no os.getpid() per click); a fork (gunicorn's
    workers) forgets the parent's thread, which did not come along, so the child's first click starts one."""
    import os

    monkeypatch.setattr(clicks, "_flusher", object())  # as if this process's thread were running
    pid = os.fork()
    if pid == 0:  # the child: report whether it forgot the parent's thread, leave at once
        os._exit(0 if clicks._flusher is None else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert clicks._flusher is not None  # the parent keeps its own


@pytest.fixture
def redis_buffer(settings, monkeypatch):
    """Clicks buffered in this process and handed to the Redis list named by a throw-away key."""

    def use(url: str):
        settings.REDIS_URL = url
        monkeypatch.setattr(clicks, "_redis_client", None)
        monkeypatch.setattr(clicks, "REDIS_KEY", f"relais:test-link-clicks:{uuid.uuid4().hex}")
        monkeypatch.setattr(clicks, "_local_since", time.monotonic())  # not due: nothing flushes inline

    yield use
    clicks._local.clear()
    if clicks._redis_client is not None:
        with contextlib.suppress(Exception):  # the unreachable-Redis test has nothing to clean
            clicks._redis_client.delete(clicks.REDIS_KEY)


@pytest.mark.services
def test_with_redis_a_batch_of_clicks_costs_one_push_and_reaches_the_database_through_the_beat_task(
    published, redis_buffer
):
    import os

    redis_buffer(os.environ["REDIS_URL"])
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        client.get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    assert len(clicks._local) == 5  # the redirects touched neither Redis nor the database
    assert clicks._redis().llen(clicks.REDIS_KEY) == 0
    assert clicks._flush_local() == 0  # the flushing thread's turn: one RPUSH, nothing written here
    assert clicks._redis().llen(clicks.REDIS_KEY) == 1 and not clicks._local  # the batch, one element
    assert not ShareClick.objects.filter(share=published).exists()
    assert clicks.flush() == 5  # the beat task drains the list
    assert ShareClick.objects.filter(share=published).count() == 5
    assert clicks._redis().llen(clicks.REDIS_KEY) == 0


def test_when_redis_cannot_be_reached_clicks_are_written_to_the_database_not_lost(published, redis_buffer):
    redis_buffer("redis://127.0.0.1:9/0")  # the discard port: nothing listens
    for _ in range(3):
        Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    assert clicks._flush_local() == 3
    assert ShareClick.objects.filter(share=published).count() == 3


def test_bot_detection_is_memoised_and_still_right():
    assert clicks.is_bot("Twitterbot/1.0") and clicks.is_bot("")
    hits = clicks.is_bot.cache_info().hits
    assert not clicks.is_bot(BROWSER) and not clicks.is_bot(BROWSER)
    assert clicks.is_bot.cache_info().hits > hits


# --- the lean handler that serves /l/ (advocacy/links/handler.py, advocacy/wsgi.py) -----------------------
# Security headers a portal page carries: the tracked link must carry each with the same value.
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
)


@pytest.fixture
def wsgi_app(settings, monkeypatch):
    """``advocacy.wsgi.application`` (the real dispatcher), its two handlers built as the module builds them
    but under HTTPS-only settings (HSTS on), called as a WSGI server calls it. The test transaction stays
    open: as Django's test client does, the request signals do not close the connection."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from advocacy import wsgi
    from advocacy.links.handler import LinkHandler

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.ALLOWED_HOSTS = ["relais.banque-test.fr"]
    monkeypatch.setattr(wsgi, "portal", WSGIHandler())
    monkeypatch.setattr(wsgi, "links", LinkHandler())

    def call(path: str, *, scheme: str = "https", **headers: str) -> tuple[int, list[tuple[str, str]], str]:
        from wsgiref.util import setup_testing_defaults

        environ = {"PATH_INFO": path, "wsgi.url_scheme": scheme, "HTTP_HOST": "relais.banque-test.fr"}
        environ |= {f"HTTP_{name.upper()}": value for name, value in headers.items()}
        environ.setdefault("HTTP_USER_AGENT", BROWSER)
        setup_testing_defaults(environ)
        seen = {}

        def start_response(status, response_headers):
            seen["status"], seen["headers"] = int(status.split()[0]), response_headers

        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            body = wsgi.application(environ, start_response)
            content = b"".join(body).decode()
            body.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return seen["status"], seen["headers"], content

    return call


def _security(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {name: value for name, value in headers if name in SECURITY_HEADERS}


def test_the_lean_path_sends_a_portal_pages_security_headers_and_no_cookie(published, wsgi_app, client_for):
    status, portal, _ = wsgi_app("/accounts/login/")
    assert status == 200
    assert set(_security(portal)) == set(SECURITY_HEADERS)  # the portal page really sends each of them
    assert any(name == "Set-Cookie" for name, _ in portal)  # its CSRF cookie: the check below can fail

    signed_in = client_for(published.adviser).cookies.output(header="", attrs=[]).strip()
    status, link, _ = wsgi_app(f"/l/{published.link_code}", cookie=signed_in)  # a signed-in person
    assert status == 302
    assert _security(link) == _security(portal)
    assert not [value for name, value in link if name in ("Set-Cookie", "Vary")]  # no session, no cookie
    assert dict(link)["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"

    status, gone, _ = wsgi_app("/l/not-a-real-code")
    assert status == 404
    assert _security(gone) == _security(portal)

    status, plain, _ = wsgi_app(f"/l/{published.link_code}", scheme="http")  # HTTPS enforced here too
    assert (status, dict(plain)["Location"]) == (
        301,
        f"https://relais.banque-test.fr/l/{published.link_code}",
    )
    assert wsgi_app(f"/l/{published.link_code}", host="evil.example")[0] == 400  # ALLOWED_HOSTS checked


def test_the_lean_path_counts_people_not_bots(published, wsgi_app):
    for user_agent in (BROWSER, BROWSER, "Twitterbot/1.0", "facebookexternalhit/1.1"):
        status, headers, _ = wsgi_app(f"/l/{published.link_code}", user_agent=user_agent)
        assert status == 302
        assert parse_qs(urlsplit(dict(headers)["Location"]).query)["utm_content"] == [str(published.pk)]
    clicks.flush()
    assert ShareClick.objects.filter(share=published).count() == 2


def test_the_dead_link_page_speaks_the_visitors_language_on_the_lean_path(wsgi_app):
    status, headers, page = wsgi_app("/l/not-a-real-code", accept_language="fr-FR,fr;q=0.9")
    assert (status, dict(headers)["Content-Language"]) == (404, "fr")
    assert "Ce lien n'est plus disponible" in page.replace("&#x27;", "'")
    assert "Accept-Language" in dict(headers)["Vary"]
    status, headers, page = wsgi_app("/l/not-a-real-code", accept_language="en-GB,en;q=0.9")
    assert (dict(headers)["Content-Language"], '<html lang="en">' in page) == ("en", True)
    assert "This link is no longer available" in page
    # The language the person chose in the portal (its cookie) wins over the browser's, as on any page.
    _, headers, page = wsgi_app("/l/not-a-real-code", accept_language="en", cookie="django_language=fr")
    assert dict(headers)["Content-Language"] == "fr" and "Ce lien n" in page


def test_the_dispatch_sends_the_link_route_and_only_it_to_the_lean_handler(monkeypatch):
    from django.urls import Resolver404, resolve

    from advocacy import wsgi
    from advocacy.links import views

    served = []
    monkeypatch.setattr(wsgi, "links", lambda environ, start_response: served.append(("links", environ)))
    monkeypatch.setattr(wsgi, "portal", lambda environ, start_response: served.append(("portal", environ)))
    paths = [
        "/l/abc",
        "/l/a%20b",
        "/l/abc/",
        "/l/",
        "/l/a/b",
        "/lx/abc",
        "/accounts/login/",
        "/",
        "/static/x",
    ]
    for path in paths:
        wsgi.application({"PATH_INFO": path}, None)
    by_path = {environ["PATH_INFO"]: handler for handler, environ in served}
    assert [p for p in paths if by_path[p] == "links"] == ["/l/abc", "/l/a%20b"]

    def routed_to_the_link_view(path):  # what the URLconf sends to the link view: exactly the lean paths
        try:
            return resolve(path).func is views.follow
        except Resolver404:
            return False

    assert [p for p in paths if routed_to_the_link_view(p)] == ["/l/abc", "/l/a%20b"]


def test_the_lean_handler_keeps_the_portals_security_middleware_in_the_portals_order(settings):
    from csp.middleware import CSPMiddleware

    from advocacy.links.handler import LINK_MIDDLEWARE, LinkCSPMiddleware, LinkHandler

    assert issubclass(LinkCSPMiddleware, CSPMiddleware)
    as_portal = [
        m.replace("advocacy.links.handler.LinkCSPMiddleware", "csp.middleware.CSPMiddleware")
        for m in LINK_MIDDLEWARE
    ]
    assert as_portal == [m for m in settings.MIDDLEWARE if m in as_portal]
    for needed in ("SecurityMiddleware", "CSPMiddleware", "SecurityHeadersMiddleware", "XFrameOptions"):
        assert any(needed in m for m in as_portal), needed
    assert not [m for m in LINK_MIDDLEWARE if "session" in m or "auth" in m or "csrf" in m or "locale" in m]
    assert LinkHandler().middleware == LINK_MIDDLEWARE


def test_the_lean_paths_host_check_remembers_only_accepted_hosts_under_the_current_settings(
    published, wsgi_app, settings
):
    path = f"/l/{published.link_code}"
    assert wsgi_app(path)[0] == 302  # relais.banque-test.fr accepted (and remembered)
    assert wsgi_app(path, host="evil.example")[0] == 400
    assert wsgi_app(path, host="evil.example")[0] == 400  # a refused host is never remembered
    settings.ALLOWED_HOSTS = ["portal.banque-test.fr"]
    assert wsgi_app(path)[0] == 400  # the remembered host is forgotten when ALLOWED_HOSTS changes


def _through(
    handler, path: str, *, scheme: str = "https", **headers: str
) -> tuple[int, list[tuple[str, str]]]:
    """One request through a WSGI handler, as a WSGI server makes it (the test transaction kept open)."""
    from wsgiref.util import setup_testing_defaults

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    environ = {"PATH_INFO": path, "wsgi.url_scheme": scheme, "HTTP_HOST": "relais.banque-test.fr"}
    environ |= {f"HTTP_{name.upper()}": value for name, value in headers.items()}
    environ.setdefault("HTTP_USER_AGENT", BROWSER)
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), response_headers

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = handler(environ, start_response)
        b"".join(body)
        body.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return seen["status"], seen["headers"]


@pytest.mark.parametrize("hsts", [0, 3600])
def test_the_lean_handlers_flat_middleware_answer_as_djangos_own_nesting_of_them(published, settings, hsts):
    """LinkHandler runs LINK_MIDDLEWARE flat and writes the headers it learnt from the first live redirect:
    every answer must be the one Django's own handler gives with the same middleware (nested), header for
    header in the same order: live link (learnt, then written), secure or not, the dead-link page, a refused
    Host, the HTTPS redirect, and after a setting change."""
    from django.core.handlers.wsgi import WSGIHandler

    from advocacy.links.handler import LINK_MIDDLEWARE, LinkHandler, LinkRequest

    settings.SECURE_HSTS_SECONDS = hsts
    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["relais.banque-test.fr"]
    settings.MIDDLEWARE = list(LINK_MIDDLEWARE)
    live = f"/l/{published.link_code}"

    def both(path, **kwargs):
        lean, django = LinkHandler(), WSGIHandler()  # built under the current settings, as at start-up
        django.request_class = LinkRequest  # the same request (an anonymous user, no session read)
        for _ in range(3):  # the first lean answer learns, the next ones are written from what it learnt
            answer = _through(lean, path, **kwargs)
            assert answer == _through(django, path, **kwargs), (path, kwargs)
        return answer

    status, headers = both(live)
    assert status == 302 and ("Strict-Transport-Security" in dict(headers)) == bool(hsts)
    assert {"Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Content-Length"} <= set(
        dict(headers)
    )
    assert both(live, scheme="http")[0] == 302
    assert "Strict-Transport-Security" not in dict(both(live, scheme="http")[1])
    assert both("/l/not-a-real-code")[0] == 404
    assert both(live, host="evil.example")[0] == 400
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"  # a setting read per response: the lean handler learns again
    assert dict(both(live)[1])["X-Frame-Options"] == "SAMEORIGIN"
    settings.SECURE_SSL_REDIRECT = True
    assert both(live, scheme="http")[0] == 301


def test_the_flat_lean_handler_runs_the_view_once_per_request(published, settings):
    """A request that a middleware answers before the view (the HTTPS redirect, a refused Host) goes to the
    nested chain: the view must still run exactly once per request that reaches it (one click each)."""
    from advocacy.links.handler import LinkHandler

    settings.ALLOWED_HOSTS = ["relais.banque-test.fr"]
    settings.SECURE_SSL_REDIRECT = True
    lean = LinkHandler()
    live = f"/l/{published.link_code}"
    for _ in range(4):
        assert _through(lean, live)[0] == 302
    assert _through(lean, live, scheme="http")[0] == 301
    assert _through(lean, live, host="evil.example")[0] == 400
    clicks.flush()
    assert ShareClick.objects.filter(share=published).count() == 4


def test_a_live_redirect_leaves_no_garbage_for_the_cycle_collector(published, wsgi_app):
    """django-csp's ``process_request`` gives the request a lazy nonce that holds the request (a cycle), and
    its ``process_response`` replaces it; the flat handler's learnt-header path skips ``process_response``,
    so it must replace it itself. Left, every redirect's request, ``META`` and the server's environ were
    garbage only the cycle collector could free (~43 young collections per 1,000 redirects under gunicorn,
    bench/bench_redirect.py)."""
    import gc

    from advocacy.links.handler import LinkRequest

    path = f"/l/{published.link_code}"
    for _ in range(3):  # the first one learns the middleware's headers; the next ones take the fast path
        assert wsgi_app(path)[0] == 302
    gc.collect()
    flags = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds is kept in gc.garbage instead of freed
    try:
        for _ in range(5):
            assert wsgi_app(path)[0] == 302
        gc.collect()
        requests = [o for o in gc.garbage if isinstance(o, LinkRequest)]
    finally:
        gc.set_debug(flags)
        gc.garbage.clear()
    assert requests == []


@pytest.mark.services
def test_the_drain_reads_batches_and_clicks_pushed_one_by_one_before(published, redis_buffer):
    """A batch is pushed as one JSON array (one Redis element for the batch); clicks pushed one per
    element by the previous release, still in the list during a deploy, are drained too."""
    import json
    import os

    redis_buffer(os.environ["REDIS_URL"])
    now = time.time()
    batch = [(published.pk, now, "a" * 32), (published.pk, now + 0.5, "b" * 32), (10**9, now, "c" * 32)]
    clicks._redis().rpush(clicks.REDIS_KEY, json.dumps((published.pk, now, "d" * 32)))  # the old format
    clicks._local.extend(batch)
    assert clicks._flush_local() == 0
    assert clicks._redis().llen(clicks.REDIS_KEY) == 2  # the old click and the new batch: one element
    assert clicks.flush() == 3  # the unknown share's click is dropped, as before
    rows = ShareClick.objects.filter(share=published)
    assert sorted(rows.values_list("visitor", flat=True)) == ["a" * 32, "b" * 32, "d" * 32]
