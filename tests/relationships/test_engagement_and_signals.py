"""Likes and reposts of the adviser's own posts read once a UTC day per post (through tweepy to the
sandbox), matched to clients by id; the signals inbox they and the clients' posts make, read state and all;
prospects, and turning one into a client through the consent form. Another adviser sees none of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.networks.interface import Activity, Person
from advocacy.networks.x.models import XAccount
from advocacy.relationships.ingest import ingest
from advocacy.relationships.models import Interaction, Signal
from advocacy.relationships.polling import poll_round
from advocacy.relationships.signals import weekly_digest
from advocacy.shares import services
from advocacy.shares.models import Share
from tests.relationships.helpers import LONG_TOKEN, consented_client, control, usage

pytestmark = pytest.mark.django_db
LIKES, REPOSTS = "GET /2/tweets/:id/liking_users", "GET /2/tweets/:id/retweeted_by"


@pytest.fixture
def post(sandbox, adviser, connect, make_item):
    """One share of the adviser's, published through the share engine on the sandbox: its X post id."""
    connect(adviser, "camille_x", expires_in=LONG_TOKEN)
    share = services.schedule_share(adviser=adviser, item=make_item(), when=None, actor=adviser)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    return Share.objects.get(pk=share.pk).network_post_id


def test_likes_and_reposts_of_recent_posts_are_read_once_a_day_and_matched_to_clients(
    sandbox, adviser, post, clock
):
    lea = consented_client(sandbox, adviser, "client_lea", ref="CRM-001", first="Léa", last="Martin")
    control(sandbox, "like", {"tweet_id": post, "user": "client_lea"})
    control(sandbox, "like", {"tweet_id": post, "user": "client_marc"})
    control(sandbox, "repost", {"tweet_id": post, "user": "client_marc"})

    report = poll_round()
    assert (report.engagement_read, report.engagement_stored) == (3, 3)
    stored = Interaction.objects.filter(adviser=adviser, kind__in=["like", "repost"])
    assert sorted(stored.values_list("kind", "actor_username")) == [
        ("like", "client_lea"),
        ("like", "client_marc"),
        ("repost", "client_marc"),
    ]
    assert set(stored.values_list("target_post_id", flat=True)) == {post}
    assert stored.get(actor_username="client_lea").client == lea
    assert (usage(sandbox, LIKES)["calls"], usage(sandbox, REPOSTS)["calls"]) == (1, 1)

    control(sandbox, "like", {"tweet_id": post, "user": "client_paul"})
    assert poll_round().engagement_read == 0  # the same UTC day: the post is not read again
    assert usage(sandbox, LIKES)["calls"] == 1
    clock.advance()
    tomorrow = poll_round()
    assert (tomorrow.engagement_read, tomorrow.engagement_stored) == (4, 1)  # only Paul's like is new
    assert usage(sandbox, LIKES) == {"calls": 2, "resources": 5}

    # The webhook's repost (keyed on X by the repost's own id) is the one polling found: stored once.
    marc = stored.get(kind="repost")
    pushed = Activity(
        kind="repost",
        account_user_id=XAccount.objects.get(user=adviser).x_user_id,
        actor=Person(id=marc.actor_id, username="client_marc", name=""),
        key="99990001",
        occurred_at=timezone.now(),
        target_post_id=post,
    )
    assert ingest([pushed], via=Interaction.Via.WEBHOOK) == 0


def test_posts_older_than_the_engagement_window_are_not_read(sandbox, adviser, post, settings):
    control(sandbox, "like", {"tweet_id": post, "user": "client_marc"})
    Share.objects.update(
        published_at=timezone.now() - dt.timedelta(days=settings.RELATIONSHIPS_ENGAGEMENT_DAYS + 1)
    )
    assert poll_round().engagement_read == 0
    assert usage(sandbox, LIKES)["calls"] == 0


def _inbox(client, **params):
    return client.get(reverse("relationships:inbox"), params).content.decode()


def test_a_clients_reply_and_follow_make_unread_signals_the_adviser_reads_and_nobody_else_sees(
    sandbox, adviser, adviser2, post, client_for, clock
):
    lea = consented_client(sandbox, adviser, "client_lea", ref="CRM-001", first="Léa", last="Martin")
    poll_round()  # the followers' baseline
    control(
        sandbox,
        "reply",
        {
            "from": "client_lea",
            "to": "camille_x",
            "text": "Merci pour ce conseil !",
            "in_reply_to_tweet_id": post,
        },
    )
    control(sandbox, "mention", {"from": "client_marc", "to": "camille_x", "text": "@camille_x bonjour"})
    control(sandbox, "follow", {"target": "camille_x", "follower": "client_lea"})
    clock.advance()
    poll_round()

    signals = Signal.objects.filter(adviser=adviser).order_by("pk")
    assert [(s.kind, s.client_id) for s in signals] == [("client_post", lea.pk), ("client_follow", lea.pk)]
    me = client_for(adviser)
    page = _inbox(me)
    assert "Client Léa Martin replied to your post" in page and "Merci pour ce conseil !" in page
    assert "Client Léa Martin started following you" in page
    assert "client_marc" not in page  # not a client: a prospect, not a signal
    assert reverse("clients:timeline", args=[lea.pk]) in page
    assert "2 unread signals" in me.get(reverse("portal:home")).content.decode()

    reply_signal = signals[0]
    response = me.post(reverse("relationships:signal_read", args=[reply_signal.pk]))
    assert response.status_code == 302
    reply_signal.refresh_from_db()
    assert reply_signal.read_at is not None
    assert "1 unread signal" in me.get(reverse("portal:home")).content.decode()

    other = client_for(adviser2)
    assert "Léa" not in _inbox(other)
    follow_signal = signals[1]
    assert other.post(reverse("relationships:signal_read", args=[follow_signal.pk])).status_code == 404
    follow_signal.refresh_from_db()
    assert follow_signal.read_at is None  # B cannot touch A's signal
    other.post(reverse("relationships:signals_all_read"))
    assert Signal.objects.filter(adviser=adviser, read_at__isnull=True).count() == 1

    me.post(reverse("relationships:signals_all_read"))
    assert not Signal.objects.filter(adviser=adviser, read_at__isnull=True).exists()
    assert "No unread signal." in me.get(reverse("portal:home")).content.decode()


def _client_posts(sandbox, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        control(
            sandbox, "mention", {"from": "client_lea", "to": "camille_x", "text": f"@camille_x question {n}"}
        )


def test_the_inbox_reads_in_a_constant_number_of_queries(sandbox, adviser, post, client_for):
    consented_client(sandbox, adviser, "client_lea", ref="CRM-001", first="Léa", last="Martin")
    me = client_for(adviser)
    _client_posts(sandbox, 3)
    poll_round()
    with CaptureQueriesContext(connection) as few:
        assert "question 2" in _inbox(me)
    _client_posts(sandbox, 27, start=3)
    poll_round()
    with CaptureQueriesContext(connection) as many:
        assert "question 29" in _inbox(me)
    assert Signal.objects.filter(adviser=adviser).count() == 30
    assert len(many) == len(few)


def _like(account, actor_id: str, who: str, at: dt.datetime, post_id: str) -> Activity:
    return Activity(
        kind="like",
        account_user_id=account.x_user_id,
        actor=Person(id=actor_id, username=who, name=""),
        key=f"{actor_id}:{post_id}",
        occurred_at=at,
        target_post_id=post_id,
    )


def test_the_weekly_digest_counts_the_people_new_to_the_adviser_once_per_week(
    sandbox, adviser, adviser2, connect, client_for
):
    account = connect(adviser, "camille_x")
    now = timezone.now()
    last_week, long_ago = now - dt.timedelta(days=7), now - dt.timedelta(days=60)
    likes = [
        _like(account, "700", "old_friend", long_ago, "1"),
        _like(account, "700", "old_friend", last_week, "2"),
    ]
    likes += [_like(account, f"70{n}", f"new_{n}", last_week, "2") for n in (1, 2, 3)]
    assert ingest(likes, via=Interaction.Via.POLL) == 5

    assert weekly_digest(now=now) == 1
    digest = Signal.objects.get(adviser=adviser, kind="new_people")
    assert digest.count == 3  # the old friend engaged before that week: not new
    assert weekly_digest(now=now) == 0
    assert "3 new people engaged with you in the week of" in _inbox(client_for(adviser))
    assert not Signal.objects.filter(adviser=adviser2).exists()
