"""Who may run a campaign, on what content, over which window; cancelling a campaign."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.campaigns import fanout, lifecycle
from advocacy.campaigns import selectors as campaign_selectors
from advocacy.campaigns.models import Campaign
from advocacy.shares import services
from advocacy.shares.models import Share

pytestmark = pytest.mark.django_db


def test_a_window_ending_after_the_contents_expiry_is_refused(make_item, marketer):
    now = timezone.now()
    item = make_item(expires_at=now + dt.timedelta(days=2))
    with pytest.raises(lifecycle.CampaignRefused, match="expires"):
        lifecycle.create_campaign(
            item=item, starts_at=now, ends_at=now + dt.timedelta(days=3), actor=marketer
        )
    campaign = lifecycle.create_campaign(
        item=item, starts_at=now, ends_at=now + dt.timedelta(days=2), actor=marketer
    )
    assert campaign.status == Campaign.Status.PLANNED


def test_content_that_is_not_approved_or_has_expired_is_refused(make_item, marketer):
    now = timezone.now()
    submitted = make_item(title="En revue")
    submitted.status = "submitted"
    submitted.save(update_fields=["status"])
    expired = make_item(title="Fini")
    expired.expires_at = now - dt.timedelta(minutes=1)
    expired.save(update_fields=["expires_at"])
    for item in (submitted, expired):
        with pytest.raises(lifecycle.CampaignRefused):
            lifecycle.create_campaign(
                item=item, starts_at=now, ends_at=now + dt.timedelta(days=1), actor=marketer
            )
    assert list(campaign_selectors.campaign_items()) == []


def test_a_window_that_ends_before_it_starts_is_refused(make_item, marketer):
    now = timezone.now()
    with pytest.raises(lifecycle.CampaignRefused):
        lifecycle.create_campaign(
            item=make_item(), starts_at=now + dt.timedelta(days=1), ends_at=now, actor=marketer
        )


def test_marketing_and_compliance_may_run_campaigns_but_advisers_and_managers_may_not(personas):
    assert campaign_selectors.can_run_campaign(personas["marketing"])
    assert campaign_selectors.can_run_campaign(personas["compliance"])
    for role in ("adviser", "branch_manager", "regional_manager", "hr", "admin"):
        assert not campaign_selectors.can_run_campaign(personas[role]), role


def test_an_adviser_cannot_create_a_campaign_even_by_calling_the_service(make_item, adviser):
    now = timezone.now()
    with pytest.raises(lifecycle.CampaignRefused):
        lifecycle.create_campaign(
            item=make_item(), starts_at=now, ends_at=now + dt.timedelta(days=1), actor=adviser
        )


def test_marketing_creates_a_campaign_through_the_form(make_item, marketer, client_for):
    item = make_item()
    start = timezone.localtime() + dt.timedelta(hours=1)
    response = client_for(marketer).post(
        reverse("campaigns:new"),
        {
            "item": item.pk,
            "name": "Semaine de l'épargne",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert (campaign.name, campaign.created_by, campaign.status) == (
        "Semaine de l'épargne",
        marketer,
        "planned",
    )


def test_an_adviser_is_refused_the_campaign_pages(adviser, client_for, make_item):
    client = client_for(adviser)
    assert client.get(reverse("campaigns:list")).status_code == 403
    assert client.post(reverse("campaigns:new"), {"item": make_item().pk}).status_code == 403
    assert not Campaign.objects.exists()


def test_cancelling_a_campaign_cancels_its_pending_shares_but_not_published_ones(
    sandbox, team, make_item, launched, marketer, django_capture_on_commit_callbacks
):
    people = team(3)
    campaign = launched(make_item())
    shares = list(Share.objects.filter(campaign=campaign).order_by("pk"))
    assert len(shares) == 3
    # One already went out (published through the engine against the sandbox).
    Share.objects.filter(pk=shares[0].pk).update(scheduled_for=timezone.now())
    assert services.publish_share(share_id=shares[0].pk) == Share.Status.PUBLISHED

    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.cancel_campaign(campaign=campaign, actor=marketer)

    statuses = dict(Share.objects.filter(campaign=campaign).values_list("adviser_id", "status"))
    assert statuses == {
        people[0].pk if shares[0].adviser_id == people[0].pk else shares[0].adviser_id: "published",
        **{s.adviser_id: "cancelled" for s in shares[1:]},
    }
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED
    assert not lifecycle.cancel_campaign(campaign=campaign, actor=marketer)  # already over
    # Nothing is scheduled again by a late fan-out run.
    assert fanout.fan_out(campaign_id=campaign.pk).status == Campaign.Status.CANCELLED
    assert Share.objects.filter(campaign=campaign, status="scheduled").count() == 0


def test_launching_twice_schedules_once(sandbox, team, make_item, launched, marketer):
    team(2)
    campaign = launched(make_item())
    assert not lifecycle.launch_campaign(campaign=campaign, actor=marketer)
    assert Share.objects.filter(campaign=campaign).count() == 2


def test_a_share_waiting_to_retry_when_its_campaign_is_cancelled_is_never_sent(
    sandbox, team, make_item, launched
):
    team(1)
    campaign = launched(make_item())
    share = Share.objects.get(campaign=campaign)
    # The campaign is cancelled while this share was mid-publish; it comes back "scheduled" for a retry.
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CANCELLED)
    Share.objects.filter(pk=share.pk).update(scheduled_for=timezone.now())
    creates_before = sandbox.state.snapshot()["counters"].get("create_calls", 0)
    assert services.publish_share(share_id=share.pk) == Share.Status.CANCELLED
    assert sandbox.state.snapshot()["counters"].get("create_calls", 0) == creates_before
