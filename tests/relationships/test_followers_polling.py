"""Followers read whole once a due UTC day and diffed against the last complete reading, through tweepy to the
sandbox: follows and unfollows stored once, a re-follow after an unfollow is a new interaction, a reading
that stops half-way unfollows nobody and goes on from its page, and a plan refusal stops the calls."""

from __future__ import annotations

import pytest
import requests
from django.urls import reverse

from advocacy.networks.interface import Activity, Person
from advocacy.networks.usage import capabilities
from advocacy.networks.usage.models import ApiCall
from advocacy.relationships.ingest import ingest
from advocacy.relationships.models import CaptureCursor, Follower, Interaction
from advocacy.relationships.polling import poll_round
from tests.relationships.helpers import LONG_TOKEN, control, usage

pytestmark = pytest.mark.django_db
FOLLOWERS = "GET /2/users/:id/followers"


def _follows(adviser):
    return list(
        Interaction.objects.filter(adviser=adviser, kind__in=["follow", "unfollow"])
        .order_by("pk")
        .values_list("kind", "actor_username")
    )


def _follower_names(account):
    return set(Follower.objects.filter(account=account).values_list("username", flat=True))


def test_followers_are_diffed_into_follows_and_unfollows_and_a_refollow_is_a_new_interaction(
    sandbox, adviser, connect, clock
):
    account = connect(adviser, "camille_x", expires_in=LONG_TOKEN)
    for name in ("client_lea", "client_marc"):
        control(sandbox, "follow", {"target": "camille_x", "follower": name})

    first = poll_round()
    assert (first.followers_read, first.follows, first.unfollows) == (2, 0, 0)  # the baseline
    assert _follower_names(account) == {"client_lea", "client_marc"}
    assert _follows(adviser) == []
    assert poll_round().followers_read == 0  # the same UTC day: never read twice
    assert usage(sandbox, FOLLOWERS) == {"calls": 1, "resources": 2}

    control(sandbox, "unfollow", {"target": "camille_x", "follower": "client_marc"})
    control(sandbox, "follow", {"target": "camille_x", "follower": "client_paul"})
    clock.advance()
    second = poll_round()
    assert (second.followers_read, second.follows, second.unfollows) == (2, 1, 1)
    assert _follows(adviser) == [("follow", "client_paul"), ("unfollow", "client_marc")]
    assert _follower_names(account) == {"client_lea", "client_paul"}

    control(sandbox, "follow", {"target": "camille_x", "follower": "client_marc"})
    clock.advance()
    third = poll_round()
    assert (third.follows, third.unfollows) == (1, 0)
    marc = [kind for kind, who in _follows(adviser) if who == "client_marc"]
    assert marc == ["unfollow", "follow"]  # back again: a new interaction, not the old key
    assert usage(sandbox, FOLLOWERS) == {"calls": 3, "resources": 7}

    # The same observation again (a webhook delivery of Paul's follow, replayed late) stores nothing.
    paul = Follower.objects.get(account=account, username="client_paul")
    replay = Activity(
        kind="follow",
        account_user_id=account.x_user_id,
        actor=Person(id=paul.x_user_id, username="client_paul", name=""),
        key=paul.x_user_id,
        occurred_at=paul.first_seen,
    )
    assert ingest([replay, replay], via=Interaction.Via.WEBHOOK) == 0
    assert len(_follows(adviser)) == 3


def test_a_reading_stopped_half_way_unfollows_nobody_and_goes_on_from_its_page(
    sandbox, adviser, connect, clock
):
    account = connect(adviser, "camille_x", expires_in=LONG_TOKEN)
    control(sandbox, "follow", {"target": "camille_x", "count": 1002})  # two pages (1,000 a page)
    assert poll_round().followers_read == 1002
    oldest = Follower.objects.filter(account=account).order_by("username").first()
    control(sandbox, "unfollow", {"target": "camille_x", "follower": oldest.username})

    clock.advance()
    requests.post(
        f"{sandbox.url}/_sandbox/rate_limits", json={FOLLOWERS: {"limit": 1}}, timeout=5
    ).raise_for_status()
    stopped = poll_round()  # page 1 read, page 2 refused (429)
    assert (stopped.followers_read, stopped.unfollows) == (1000, 0)
    assert Follower.objects.filter(account=account).count() == 1002  # nobody made to look gone
    cursor = CaptureCursor.objects.get(account=account)
    assert cursor.followers_next and cursor.followers_started_at > cursor.followers_complete_at

    requests.post(
        f"{sandbox.url}/_sandbox/rate_limits", json={FOLLOWERS: {"limit": 15}}, timeout=5
    ).raise_for_status()
    resumed = poll_round()  # the same day: goes on from page 2, page 1 is not read (billed) again
    assert (resumed.followers_read, resumed.unfollows) == (1, 1)
    assert usage(sandbox, FOLLOWERS)["resources"] == 1002 + 1000 + 1
    assert _follows(adviser) == [("unfollow", oldest.username)]
    assert not Follower.objects.filter(account=account, username=oldest.username).exists()
    cursor.refresh_from_db()
    assert cursor.followers_next == "" and cursor.followers_complete_at == cursor.followers_started_at


def test_a_plan_refusal_marks_followers_unavailable_stops_the_calls_and_shows_on_compliance_page(
    sandbox, adviser, connect, clock, client_for, compliance_officer
):
    connect(adviser, "camille_x", expires_in=LONG_TOKEN)
    control(sandbox, "follow", {"target": "camille_x", "follower": "client_lea"})
    control(sandbox, "plan", {"not_enrolled": [FOLLOWERS]})

    report = poll_round()
    assert report.unavailable == ("followers",) and report.followers_read == 0
    assert not capabilities.available("followers")
    refused = ApiCall.objects.get(endpoint=FOLLOWERS)
    assert refused.status == ApiCall.Status.UNAVAILABLE

    clock.advance()
    again = poll_round()
    assert again.unavailable == ("followers",)
    assert ApiCall.objects.filter(endpoint=FOLLOWERS).count() == 1  # never asked again
    assert ApiCall.objects.filter(endpoint="GET /2/users/:id/mentions").count() == 2  # mentions go on

    page = client_for(compliance_officer).get(reverse("xnetwork:compliance_connections"))
    assert "Reading followers" in page.content.decode()
