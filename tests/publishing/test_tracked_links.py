"""Tracked links: /l/<code> redirects with UTM, counts people not bots, keeps no IP, stops on recall."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.content.models import ContentItem
from advocacy.publishing import clicks, services
from advocacy.publishing.models import Share, ShareClick

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


def test_an_expired_items_link_gets_the_404(published):
    ContentItem.objects.filter(pk=published.item_id).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    from advocacy.publishing import links

    links.forget([published.link_code])
    assert Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER).status_code == 404


def test_my_shares_shows_the_click_counts(published, client_for, adviser):
    Client(REMOTE_ADDR="203.0.113.9").get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
    clicks.flush()
    page = client_for(adviser).get("/shares/").content.decode()
    assert ShareClick.objects.filter(share=published).count() == 1
    assert "<td>1</td><td>1</td>" in page.replace("\n", ""), page[page.find("published-title") :][:1500]


def test_a_redirect_is_never_cached_and_never_waits_for_the_database(published, settings, monkeypatch):
    settings.TESTING = False  # as in production: a thread writes the buffered clicks (not started here)
    settings.REDIS_URL = ""  # the in-process buffer (with Redis, clicks are an RPUSH)
    monkeypatch.setattr(clicks, "_flush_forever", lambda: None)
    monkeypatch.setattr(clicks, "_flusher", None)
    try:
        response = Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
        assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
        assert response.has_header("Expires")
        clicks._local_since -= clicks.MAX_AGE_SECONDS + 1  # the buffer is due: it is still not our job
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            Client().get(f"/l/{published.link_code}", HTTP_USER_AGENT=BROWSER)
        assert len(queries) == 0
        assert len(clicks._local) == 2
    finally:
        clicks._local.clear()


def test_bot_detection_is_memoised_and_still_right():
    assert clicks.is_bot("Twitterbot/1.0") and clicks.is_bot("")
    hits = clicks.is_bot.cache_info().hits
    assert not clicks.is_bot(BROWSER) and not clicks.is_bot(BROWSER)
    assert clicks.is_bot.cache_info().hits > hits
