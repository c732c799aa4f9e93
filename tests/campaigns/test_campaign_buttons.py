"""The campaign page's buttons come from the lifecycle's lists: each shows exactly when its move is made."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.campaigns import lifecycle
from advocacy.campaigns.models import Campaign


@pytest.mark.django_db
@pytest.mark.parametrize("status", Campaign.Status.values)
def test_launch_resume_and_cancel_are_offered_exactly_when_the_lifecycle_would_make_the_move(
    status, marketer, make_item, window, client_for, django_capture_on_commit_callbacks
):
    campaign = lifecycle.create_campaign(
        item=make_item(), starts_at=window[0], ends_at=window[1], actor=marketer
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=status)
    campaign.refresh_from_db()
    page = client_for(marketer).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    offered = {
        move: reverse(f"campaigns:{move}", args=[campaign.pk]) in page
        for move in ("launch", "resume", "cancel")
    }
    assert offered == {
        "launch": campaign.can_launch,
        "resume": campaign.can_resume,
        "cancel": campaign.can_cancel,
    }
    # Each move, tried on its own copy of the status: made exactly when offered.
    for move, action in (
        ("resume", lifecycle.resume_fan_out),
        ("launch", lifecycle.launch_campaign),
        ("cancel", lifecycle.cancel_campaign),
    ):
        Campaign.objects.filter(pk=campaign.pk).update(status=status)
        with django_capture_on_commit_callbacks(execute=False):
            assert action(campaign=campaign, actor=marketer) is offered[move], move
