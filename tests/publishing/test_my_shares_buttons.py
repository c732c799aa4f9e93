"""The buttons of My shares come from the state machine: each shows exactly when the service would act."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.shares import services
from advocacy.shares.models import Share
from advocacy.shares.selectors import MY_SHARES_GROUPS

S = Share.Status


def _share_in(status, adviser, item) -> Share:
    share = services.schedule_share(
        adviser=adviser, item=item, when=timezone.now() + dt.timedelta(hours=1), actor=adviser
    )
    Share.objects.filter(pk=share.pk).update(status=status)
    share.refresh_from_db()
    return share


def test_every_status_is_in_exactly_one_section_of_my_shares():
    for status in S.values:
        assert sum(status in statuses for statuses in MY_SHARES_GROUPS.values()) == 1, status


@pytest.mark.django_db
@pytest.mark.parametrize("status", S.values)
def test_cancel_is_offered_exactly_when_cancel_share_would_cancel(
    status, sandbox, adviser, connect, make_item, client_for
):
    connect(adviser, "camille_x")
    share = _share_in(status, adviser, make_item())
    page = client_for(adviser).get(reverse("shares:my_shares")).content.decode()
    offered = reverse("shares:cancel", args=[share.pk]) in page
    assert offered == share.can_cancel
    assert services.cancel_share(share=share, actor=adviser, reason="test") is offered


@pytest.mark.django_db
@pytest.mark.parametrize("status", S.values)
def test_schedule_again_is_offered_exactly_when_reschedule_share_would_accept(
    status, sandbox, adviser, connect, make_item, client_for
):
    connect(adviser, "camille_x")
    share = _share_in(status, adviser, make_item())
    # My shares offers it in the Failed section; a cancelled share is listed without the form (as before).
    page = client_for(adviser).get(reverse("shares:my_shares")).content.decode()
    offered = reverse("shares:reschedule", args=[share.pk]) in page
    assert offered == (share.can_reschedule and status == S.FAILED)
    try:
        services.reschedule_share(share=share, when=timezone.now() + dt.timedelta(hours=2), actor=adviser)
    except services.ShareRefused as exc:
        accepted = "Only a failed or cancelled share" not in str(exc)
    else:
        accepted = True
    assert accepted == share.can_reschedule
