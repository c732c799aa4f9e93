"""URL arguments for the campaigns routes (read by tests/portal/test_access_matrix.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _campaign(personas):
    from advocacy.campaigns.models import Campaign
    from tests.publishing.url_samples import _item

    item, _version, _approved = _item(personas)
    now = timezone.now()
    campaign = Campaign.objects.create(
        item=item,
        name="Sample campaign",
        starts_at=now,
        ends_at=now + dt.timedelta(days=1),
        created_by=personas["marketing"],
    )
    return {"pk": campaign.pk}


SAMPLES: dict = {
    "campaigns:detail": _campaign,
    "campaigns:progress": _campaign,
    "campaigns:launch": _campaign,
    "campaigns:resume": _campaign,
    "campaigns:cancel": _campaign,
    "campaigns:share": _campaign,
}
