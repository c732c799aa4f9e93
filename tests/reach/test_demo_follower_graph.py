"""The demo's follower graph (issue 15 item 7): the employees sharing a job offer are followed by overlapping
groups on the X sandbox, read by the capture's follower reading, so HR's page shows fewer people than the
raw sum of followers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.audience.demo import seed_follower_graph
from advocacy.networks.usage.models import ApiCall
from advocacy.org.models import Role
from tests.reach.test_reach import _share, job_offer  # noqa: F401 - fixture
from tests.relationships.helpers import LONG_TOKEN

pytestmark = pytest.mark.django_db


def test_three_sharers_followed_with_overlaps_give_an_audience_below_the_raw_sum(
    sandbox, connect, make_staff, adviser, adviser2, job_offer, hr, client_for  # noqa: F811
):
    manager = make_staff(Role.BRANCH_MANAGER, branch="arras", first_name="Jules")
    for person, username in ((adviser, "camille_x"), (adviser2, "hugo_x"), (manager, "jules_x")):
        connect(person, username, expires_in=LONG_TOKEN)
        _share(person, job_offer)
    first = seed_follower_graph()
    assert first == {"sharers": 3, "follows": 90, "followers_read": 90, "sketches": 3}
    reads = ApiCall.objects.filter(purpose="followers").count()
    assert seed_follower_graph() == {"sharers": 3, "follows": 0, "followers_read": 0, "sketches": 0}
    assert ApiCall.objects.filter(purpose="followers").count() == reads  # never read twice a day
    page = client_for(hr).get(reverse("reach:offer", args=[job_offer.pk])).content.decode()
    assert "<dt>Followers (raw sum)</dt><dd>90</dd>" in page
    assert "<dt>Audience, each person once</dt><dd>54</dd>" in page
