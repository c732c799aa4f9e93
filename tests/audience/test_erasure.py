"""Erasing a client who follows their adviser's account removes them from the account's followers and from
its audience sketch at once (a HyperLogLog cannot forget one element: the sketch is rebuilt from the
remaining follower rows by a task queued on commit), and the next follower readings do not store them
again. Through the real flow: the X sandbox read by the inbound capture's polling, the sketches built by
the audience services, the erasure through the adviser's page, the archive read as compliance reads it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.audience import services as audience_services
from advocacy.audience import sketches
from advocacy.audience.hashing import follower_hash
from advocacy.audience.models import FollowerSketch
from advocacy.audience.selectors import audience_of
from advocacy.relationships.models import Follower, Interaction
from advocacy.relationships.polling import poll_round
from compliance.archive.selectors import search_records
from tests.relationships.helpers import LONG_TOKEN, consented_client, control

pytestmark = pytest.mark.django_db


@pytest.fixture
def followed(sandbox, connect, adviser, settings):
    """Léa (a consented client of the adviser), Marc and Paul follow the adviser's account; the followers
    are read and sketched. Estimates only (exact counting off), so the sketch is what is counted."""
    settings.X_RETRY_BASE_SECONDS = 0
    settings.AUDIENCE_EXACT_MAX_FOLLOWERS = 0
    account = connect(adviser, "camille_x", expires_in=LONG_TOKEN)
    lea = consented_client(sandbox, adviser, "client_lea", ref="CRM-001", first="Léa", last="Martin")
    for name in ("client_marc", "client_paul"):
        sandbox.state.add_user(name)
    for name in ("client_lea", "client_marc", "client_paul"):
        control(sandbox, "follow", {"target": "camille_x", "follower": name})
    assert poll_round().followers_read == 3
    assert audience_services.refresh_sketches() == 1
    audience = audience_of([account.pk])
    assert (audience.raw, audience.unique, audience.exact) == (3, 3, False)
    return account, lea


def _lea_in_the_redis_sketch(account, x_user_id: str) -> bool:
    """Whether adding Léa's hash to a copy of the account's HyperLogLog changes nothing (she is in it)."""
    client = sketches._redis()
    copy = f"{sketches.redis_key(account.pk)}:test-copy"
    client.copy(sketches.redis_key(account.pk), copy, replace=True)
    try:
        return client.pfadd(copy, follower_hash(x_user_id)) == 0
    finally:
        client.delete(copy)


def test_an_erased_client_leaves_the_followers_and_the_sketch_at_once(
    followed, adviser, client_for, django_capture_on_commit_callbacks
):
    account, lea = followed
    x_user_id = lea.x_user_id
    if sketches.uses_redis():
        assert _lea_in_the_redis_sketch(account, x_user_id)
    built = FollowerSketch.objects.get(account=account).built_at

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(adviser).post(reverse("clients:erase", args=[lea.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1  # the sketch's rebuild, queued when the erasure commits

    assert not Follower.objects.filter(account=account, x_user_id=x_user_id).exists()
    sketch = FollowerSketch.objects.get(account=account)
    assert sketch.followers == 2 and sketch.built_at > built
    assert audience_services.accounts_due() == []  # rebuilt, nothing left for beat
    audience = audience_of([account.pk])
    assert (audience.raw, audience.unique, audience.exact) == (2, 2, False)
    if sketches.uses_redis():
        assert not _lea_in_the_redis_sketch(account, x_user_id)

    (erased,) = search_records(event_type="client.erased")
    assert erased.payload["followed_accounts"] == 1 and erased.payload["reason"] == "request"
    assert "client_lea" not in erased.payload_json and x_user_id not in erased.payload_json


def test_the_next_follower_reading_does_not_store_the_erased_client_again(
    followed, adviser, client_for, clock, django_capture_on_commit_callbacks
):
    account, lea = followed
    x_user_id = lea.x_user_id
    with django_capture_on_commit_callbacks(execute=True):
        client_for(adviser).post(reverse("clients:erase", args=[lea.pk]))
    clock.advance()
    report = poll_round()  # Léa still follows camille_x on X
    assert (report.followers_read, report.follows, report.unfollows) == (3, 0, 0)
    assert set(Follower.objects.filter(account=account).values_list("username", flat=True)) == {
        "client_marc",
        "client_paul",
    }
    assert not Interaction.objects.filter(actor_id=x_user_id).exists()  # no "follow" that never happened
    assert audience_services.refresh_sketches() == 1  # a new reading: rebuilt, still without her
    assert audience_of([account.pk]).unique == 2


def test_a_lost_rebuild_task_is_made_up_by_beats_refresh(
    followed, adviser, client_for, django_capture_on_commit_callbacks
):
    """The broker down when the erasure commits: the sketch was marked due in the erasure's transaction."""
    account, lea = followed
    with django_capture_on_commit_callbacks(execute=False):  # the queued task never runs
        client_for(adviser).post(reverse("clients:erase", args=[lea.pk]))
    assert [a for a, _ in audience_services.accounts_due()] == [account.pk]
    assert audience_services.refresh_sketches() == 1
    assert FollowerSketch.objects.get(account=account).followers == 2
    assert audience_of([account.pk]).unique == 2


def test_a_client_who_does_not_follow_the_account_changes_no_sketch(
    sandbox, connect, adviser, client_for, django_capture_on_commit_callbacks
):
    account = connect(adviser, "camille_x", expires_in=LONG_TOKEN)
    sandbox.state.add_user("client_marc")
    control(sandbox, "follow", {"target": "camille_x", "follower": "client_marc"})
    lea = consented_client(sandbox, adviser, "client_lea", ref="CRM-001", first="Léa", last="Martin")
    poll_round()
    audience_services.refresh_sketches()
    built = FollowerSketch.objects.get(account=account).built_at
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client_for(adviser).post(reverse("clients:erase", args=[lea.pk]))
    assert callbacks == [] and FollowerSketch.objects.get(account=account).built_at == built
    (erased,) = search_records(event_type="client.erased")
    assert erased.payload["followed_accounts"] == 0
