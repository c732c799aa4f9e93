"""Shares through the real tweepy client against the sandbox: once, with retries, never twice."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advocacy.content.models import ContentItem
from advocacy.networks.x.models import XAccount
from advocacy.shares import services
from advocacy.shares.models import Share

from .conftest import faults, live_posts, sandbox_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.X_RETRY_BASE_SECONDS = 0
    settings.X_UNKNOWN_RECHECK_SECONDS = 0
    settings.PUBLIC_BASE_URL = "https://relais.banque-test.fr"


@pytest.fixture
def connected(adviser, connect):
    return connect(adviser, "camille_x")


def _scheduled(adviser, item, minutes=30) -> Share:
    return services.schedule_share(
        adviser=adviser, item=item, when=timezone.now() + dt.timedelta(minutes=minutes), actor=adviser
    )


def _make_due(share: Share) -> None:
    Share.objects.filter(pk=share.pk).update(
        scheduled_for=timezone.now() - dt.timedelta(seconds=1), next_attempt_at=None
    )


def test_share_now_posts_on_the_sandbox_timeline_with_the_tracked_link(
    sandbox, adviser, connected, make_item, client_for, django_capture_on_commit_callbacks
):
    item = make_item()
    client = client_for(adviser)
    page = client.get(reverse("shares:share", args=[item.pk]))
    assert page.status_code == 200
    assert "https://relais.banque-test.fr/l/" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shares:share", args=[item.pk]), {"now": "1"})
    assert response.status_code == 302
    share = Share.objects.get(adviser=adviser)
    assert share.status == Share.Status.PUBLISHED, share.last_error
    posts = live_posts(sandbox, "camille_x")
    assert len(posts) == 1
    assert posts[0]["id"] == share.network_post_id
    assert posts[0]["text"].endswith(f"https://relais.banque-test.fr/l/{share.link_code}")
    assert "banque-test.fr/livret" not in posts[0]["text"]
    assert share.post_url.endswith(share.network_post_id)
    assert share.published_at is not None and share.attempts == 1


def test_x_refusing_a_duplicate_fails_the_share_with_xs_message(sandbox, adviser, connected, make_item):
    item = make_item()
    share = _scheduled(adviser, item)
    sandbox.state.create_tweet(connected.x_user_id, services.text_to_send(share))
    _make_due(share)
    assert services.publish_share(share_id=share.pk) == Share.Status.FAILED
    share.refresh_from_db()
    assert "duplicate" in share.last_error
    assert len(mail.outbox) == 0 or "duplicate" in mail.outbox[0].body


def test_a_rate_limit_waits_for_the_reset_then_publishes(sandbox, adviser, connected, make_item):
    item = make_item()
    share = _scheduled(adviser, item)
    _make_due(share)
    faults(sandbox, rate_limit_next=1, reset_after_s=1, endpoints=["POST /2/tweets"])
    assert services.publish_share(share_id=share.pk) == Share.Status.SCHEDULED
    share.refresh_from_db()
    assert share.next_attempt_at > timezone.now() - dt.timedelta(seconds=1)
    # Before the reset nothing is sent; once it has passed the share goes out (bounded polling: a slow
    # machine may already be past the reset on the first try).
    outcomes = []
    deadline = time.monotonic() + 10
    while Share.objects.get(pk=share.pk).status != Share.Status.PUBLISHED and time.monotonic() < deadline:
        outcome = services.publish_share(share_id=share.pk)
        if outcome is None:
            assert timezone.now() < share.next_attempt_at + dt.timedelta(seconds=2), "due but not sent"
        outcomes.append(outcome)
        time.sleep(0.05)
    assert outcomes.count(Share.Status.PUBLISHED) == 1
    assert len(live_posts(sandbox, "camille_x")) == 1


def test_server_errors_back_off_then_publish_and_give_up_after_the_bound(
    sandbox, adviser, connected, make_item, settings, make_staff, connect
):
    item = make_item()
    share = _scheduled(adviser, item)
    _make_due(share)
    faults(sandbox, error_5xx_next=1, endpoints=["POST /2/tweets"])
    assert services.publish_share(share_id=share.pk) == Share.Status.SCHEDULED
    share.refresh_from_db()
    assert share.next_attempt_at is not None and "Service Unavailable" in share.last_error
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED

    settings.X_PUBLISH_MAX_ATTEMPTS = 2
    other = make_staff("adviser", first_name="Inès")
    connect(other, "ines_x")
    doomed = _scheduled(other, item)
    _make_due(doomed)
    faults(sandbox, error_5xx_next=5, endpoints=["POST /2/tweets"])
    assert services.publish_share(share_id=doomed.pk) == Share.Status.SCHEDULED
    assert services.publish_share(share_id=doomed.pk) == Share.Status.FAILED
    assert "gave up after 2 attempts" in Share.objects.get(pk=doomed.pk).last_error


def test_backoff_grows_exponentially_with_jitter_and_stays_bounded(settings):
    settings.X_RETRY_BASE_SECONDS = 10
    settings.X_RETRY_MAX_SECONDS = 60
    assert 5 <= services.backoff(1).total_seconds() <= 15
    assert 10 <= services.backoff(2).total_seconds() <= 30
    assert services.backoff(20).total_seconds() <= 90


def test_a_timeout_after_x_created_the_post_is_recovered_without_a_second_post(
    sandbox, adviser, connected, make_item
):
    item = make_item()
    share = _scheduled(adviser, item)
    _make_due(share)
    faults(sandbox, timeout_after_commit_next=1, timeout_mode="close", endpoints=["POST /2/tweets"])
    assert services.publish_share(share_id=share.pk) == Share.Status.OUTCOME_UNKNOWN
    assert len(live_posts(sandbox, "camille_x")) == 1  # X did post it
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    share.refresh_from_db()
    assert share.network_post_id == live_posts(sandbox, "camille_x")[0]["id"]
    assert sandbox_state(sandbox)["counters"]["create_calls"] == 1


def test_a_worker_killed_mid_call_is_recovered_from_its_stale_claim_without_a_second_post(
    sandbox, adviser, connected, make_item
):
    item = make_item()
    share = _scheduled(adviser, item)
    _make_due(share)
    faults(sandbox, timeout_after_commit_next=1, timeout_mode="close", endpoints=["POST /2/tweets"])
    services.publish_share(share_id=share.pk)
    # As if the worker had died during the call: the share is left "publishing" with an old claim.
    Share.objects.filter(pk=share.pk).update(
        status=Share.Status.PUBLISHING, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert services.recover_stale_claims() == 1
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    assert sandbox_state(sandbox)["counters"]["create_calls"] == 1


def test_a_worker_killed_before_x_got_the_post_sends_it_once_after_looking(
    sandbox, adviser, connected, make_item
):
    item = make_item()
    share = _scheduled(adviser, item)
    Share.objects.filter(pk=share.pk).update(
        status=Share.Status.PUBLISHING,
        claimed_at=timezone.now() - dt.timedelta(hours=1),
        send_started_at=timezone.now() - dt.timedelta(hours=1),
        sent_text=services.text_to_send(share),
        scheduled_for=timezone.now() - dt.timedelta(hours=1),
    )
    services.recover_stale_claims()
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    assert len(live_posts(sandbox, "camille_x")) == 1


def test_a_revoked_account_fails_the_share_disconnects_and_tells_the_adviser(
    sandbox, adviser, connected, make_item, django_capture_on_commit_callbacks
):
    import requests

    item = make_item()
    share = _scheduled(adviser, item)
    _make_due(share)
    requests.post(f"{sandbox.url}/_sandbox/revoke_user_tokens", json={"user": "camille_x"}, timeout=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_share(share_id=share.pk) == Share.Status.FAILED
    assert XAccount.objects.get(pk=connected.pk).status == XAccount.Status.DISCONNECTED
    subjects = [m.subject for m in mail.outbox]
    assert any("no longer connected" in s for s in subjects)
    assert any("could not be published" in s for s in subjects)
    assert not live_posts(sandbox)


def test_scheduling_in_the_past_or_after_expiry_is_refused_with_the_reason(adviser, connected, make_item):
    item = make_item(expires_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(services.ShareRefused, match="past"):
        services.schedule_share(
            adviser=adviser, item=item, when=timezone.now() - dt.timedelta(hours=1), actor=adviser
        )
    with pytest.raises(services.ShareRefused, match="expires"):
        services.schedule_share(
            adviser=adviser, item=item, when=timezone.now() + dt.timedelta(days=2), actor=adviser
        )


def test_the_schedule_form_reads_the_advisers_local_time(
    sandbox, adviser, connected, make_item, client_for, settings
):
    settings.TIME_ZONE = "Europe/Paris"
    item = make_item()
    local = (timezone.now() + dt.timedelta(days=3)).astimezone(dt.timezone(dt.timedelta(hours=0)))
    from zoneinfo import ZoneInfo

    wall = local.astimezone(ZoneInfo("Europe/Paris")).replace(second=0, microsecond=0)
    client_for(adviser).post(
        reverse("shares:share", args=[item.pk]),
        {"schedule": "1", "when": wall.strftime("%Y-%m-%dT%H:%M")},
    )
    share = Share.objects.get(adviser=adviser)
    assert share.scheduled_for == wall
    assert share.status == Share.Status.SCHEDULED


def test_sharing_the_same_item_twice_is_refused(adviser, connected, make_item):
    item = make_item()
    _scheduled(adviser, item)
    with pytest.raises(services.ShareRefused, match="already"):
        _scheduled(adviser, item)


def test_content_revised_after_scheduling_fails_visibly_and_can_be_rescheduled(
    sandbox, adviser, connected, make_item, django_capture_on_commit_callbacks
):
    item = make_item()
    share = _scheduled(adviser, item)
    _make_due(share)
    ContentItem.objects.filter(pk=item.pk).update(status="submitted")  # a new version awaits approval
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_share(share_id=share.pk) == Share.Status.FAILED
    share.refresh_from_db()
    assert "not approved yet" in share.last_error
    assert any("could not be published" in m.subject for m in mail.outbox)
    ContentItem.objects.filter(pk=item.pk).update(status="approved")
    again = services.reschedule_share(share=share, when=None, actor=adviser)
    assert services.publish_share(share_id=again.pk) == Share.Status.PUBLISHED


def test_a_share_of_recalled_content_is_cancelled_at_send_time(sandbox, adviser, connected, make_item):
    item = make_item()
    share = _scheduled(adviser, item)
    _make_due(share)
    ContentItem.objects.filter(pk=item.pk).update(status="recalled")
    assert services.publish_share(share_id=share.pk) == Share.Status.CANCELLED
    assert not live_posts(sandbox)


def test_two_workers_claiming_one_share_post_it_once(sandbox, adviser, connected, make_item):
    item = make_item()
    share = _scheduled(adviser, item)
    _make_due(share)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    assert services.publish_share(share_id=share.pk) is None
    assert sandbox_state(sandbox)["counters"]["create_calls"] == 1


def test_an_adviser_cancels_a_scheduled_share(adviser, connected, make_item, client_for):
    item = make_item()
    share = _scheduled(adviser, item)
    client_for(adviser).post(reverse("shares:cancel", args=[share.pk]))
    assert Share.objects.get(pk=share.pk).status == Share.Status.CANCELLED


def test_another_advisers_share_is_not_found(adviser, adviser2, connected, make_item, client_for):
    share = _scheduled(adviser, make_item())
    assert client_for(adviser2).post(reverse("shares:cancel", args=[share.pk])).status_code == 404


def test_my_shares_lists_every_state_in_a_bounded_number_of_queries(
    sandbox, adviser, connected, make_item, client_for, django_assert_max_num_queries
):
    for n in range(6):
        share = _scheduled(adviser, make_item(title=f"Item {n}", text=f"Texte numéro {n} pour X."))
        if n % 2:
            _make_due(share)
            services.publish_share(share_id=share.pk)
    client = client_for(adviser)
    client.get(reverse("shares:my_shares"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("shares:my_shares"))
    assert page.status_code == 200
    assert page.content.decode().count("See the post on X") == 3


def test_the_share_page_promises_a_tracked_link_only_when_the_post_has_one(
    sandbox, adviser, connected, make_item, client_for
):
    promise = "The link is your own tracked link"
    client = client_for(adviser)
    with_link = client.get(reverse("shares:share", args=[make_item().pk])).content.decode()
    without = client.get(reverse("shares:share", args=[make_item(link="").pk])).content.decode()
    assert promise in with_link and "/l/" in with_link
    assert promise not in without and "/l/" not in without
