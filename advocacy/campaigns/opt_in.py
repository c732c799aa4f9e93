"""Advisers' side of campaigns: one-click share of a highlighted campaign, and auto-share opt-in by category.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advocacy.campaigns.lifecycle import CampaignRefused
from advocacy.campaigns.models import AutoShareOptIn, Campaign
from advocacy.campaigns.selectors import RUNNING, targeted_advisers
from advocacy.content.models import (
    Category,
    ContentItem,
)
from advocacy.org.models import Role
from advocacy.org.selectors import roles_of
from advocacy.shares import services
from advocacy.shares.models import Share
from advocacy.shares.transitions import TRANSITIONS
from compliance.archive.services import record


# --- advisers -------------------------------------------------------------------------------------------
def share_from_campaign(*, campaign: Campaign, adviser) -> Share:
    """The highlight's one-click share: now, attributed to the campaign. Refuses (``ShareRefused``) as the
    share flow does; a campaign that is not running or does not target the adviser is refused too."""
    now = timezone.now()
    if (
        campaign.status not in RUNNING
        or not campaign.starts_at <= now < campaign.ends_at
        or not targeted_advisers(campaign).filter(pk=adviser.pk).exists()
    ):
        raise services.ShareRefused(_("This campaign is not running for you."))
    item = ContentItem.objects.select_related("current_version").get(pk=campaign.item_id)
    return services.schedule_share(adviser=adviser, item=item, when=None, actor=adviser, campaign=campaign)


def set_auto_share(*, adviser, category: str, enabled: bool, actor) -> bool:
    """Opt in or out of auto-sharing a category. Opting out also cancels the campaign shares of that
    category still waiting on the adviser's account (consent withdrawn). True when something changed."""
    if category not in Category.values:
        raise CampaignRefused(_("Unknown category."))
    if Role.ADVISER not in roles_of(adviser):
        raise CampaignRefused(_("Only advisers share content."))
    with transaction.atomic():
        if enabled:
            _opt_in, changed = AutoShareOptIn.objects.get_or_create(adviser=adviser, category=category)
        else:
            changed = bool(AutoShareOptIn.objects.filter(adviser=adviser, category=category).delete()[0])
        if changed:
            record(
                "auto_share.opted_in" if enabled else "auto_share.opted_out",
                subject=adviser,
                actor=actor,
                payload={"category": category},
            )
    if changed and not enabled:
        pending = Share.objects.filter(
            adviser_id=adviser.pk,
            campaign__isnull=False,
            item__category=category,
            status__in=TRANSITIONS["cancel"][0],
            scheduled_for__gt=timezone.now(),
        ).select_related("item")
        for share in pending:
            services.cancel_share(
                share=share, actor=actor, reason=gettext_noop("You stopped auto-sharing this category.")
            )
    return changed
