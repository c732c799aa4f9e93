"""The demo's campaign (issue 16's Done-when, marketing's part): four opted-in advisers publish the
four-variant item to the X sandbox through the fan-out and the share engine, their links are clicked
through /l/, and marketing's campaign results show which wording drew more clicks."""

from __future__ import annotations

import pytest
from django.utils import timezone

from advocacy.campaigns.demo import DEMO_NAME, seed_campaign
from advocacy.campaigns.models import Campaign
from advocacy.dashboards import campaigns
from advocacy.dashboards.selectors import Range
from advocacy.shares.models import Share
from tests.publishing.conftest import connect, make_item, sandbox  # noqa: F401 - fixtures
from tests.recruitment.conftest import keep_test_connection  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_the_seeded_campaign_shows_marketing_which_variant_drew_more_clicks(
    sandbox, keep_test_connection, client_for  # noqa: F811
):
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils.html import escape

    from advocacy.content.demo import seed_content
    from advocacy.dashboards.campaign_views import variant_label
    from advocacy.networks.x.demo import seed_publishing
    from advocacy.org.demo import seed_organisation

    seed_organisation()
    seed_content()
    seed_publishing()
    assert seed_campaign() == {"opted_in": 4, "published": 4, "clicks": 17}
    assert seed_campaign() == {"opted_in": 0, "published": 0, "clicks": 0}  # idempotent

    campaign = Campaign.objects.get(name=DEMO_NAME)
    shares = Share.objects.filter(campaign=campaign)
    assert shares.filter(status=Share.Status.PUBLISHED).count() == 4
    assert shares.values("approved_text__variant_id").distinct().count() >= 2  # several wordings went out
    result = campaigns.breakdown(campaign.pk, Range.last(30, now=timezone.now()))
    assert (result.total.published, result.total.clicks) == (4, 17)
    best = result.best_variant
    others = [v for v in result.variants if v.published and v is not best]
    assert others and all(best.clicks_per_post > v.clicks_per_post for v in others)

    marketing = get_user_model().objects.get(email="marketing@demo.relais.test")
    page = client_for(marketing).get(reverse("dashboards:campaign", args=[campaign.pk])).content.decode()
    assert f"{escape(variant_label(best))}</" in page  # the page names the wording that works
