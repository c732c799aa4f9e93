"""A campaign's life: create, launch, resume a failed fan-out, cancel (and cancel its shares in chunks).

Every move is a conditional UPDATE on the campaign's status, archived in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advocacy.campaigns.models import Campaign
from advocacy.campaigns.selectors import CANCELLABLE, LAUNCHABLE, RESUMABLE, C, can_run_campaign
from advocacy.content.models import (
    ContentItem,
    ItemStatus,
    Origin,
    VersionStatus,
)
from advocacy.org.models import Role
from advocacy.shares.models import Share
from advocacy.shares.transitions import TRANSITIONS, transition_many
from advocacy.web import generations
from advocacy.web.dates import local_moment
from compliance.archive.services import record

CHUNK_SIZE = 500


class CampaignRefused(Exception):
    """A campaign action that cannot be done; ``str(exc)`` is a translated sentence for the user."""


# --- create / launch / cancel ---------------------------------------------------------------------------
def check_item(item: ContentItem, now: dt.datetime) -> None:
    version = item.current_version
    if (
        item.origin != Origin.LIBRARY
        or item.status != ItemStatus.APPROVED
        or version is None
        or version.status != VersionStatus.APPROVED
    ):
        raise CampaignRefused(_("Only approved library content can be the subject of a campaign."))
    if item.expires_at is not None and item.expires_at <= now:
        raise CampaignRefused(_("This content has expired."))


def create_campaign(
    *,
    item: ContentItem,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    actor,
    name: str = "",
    regions=(),
    branches=(),
    roles=(),
) -> Campaign:
    """A planned campaign (nothing is scheduled until ``launch_campaign``). Refuses with a reason."""
    if not can_run_campaign(actor):
        raise CampaignRefused(_("Only compliance and marketing may run campaigns."))
    now = timezone.now()
    check_item(item, now)
    if starts_at >= ends_at:
        raise CampaignRefused(_("The campaign must end after it starts."))
    if ends_at <= now:
        raise CampaignRefused(_("The campaign must end in the future."))
    horizon = now + dt.timedelta(days=settings.SHARE_SCHEDULE_HORIZON_DAYS)
    if ends_at > horizon:
        # Its shares are spread over the window: the share engine would refuse the later ones one by one.
        raise CampaignRefused(
            _("Shares can be scheduled at most %(days)s days ahead: the campaign must end by %(date)s.")
            % {"days": settings.SHARE_SCHEDULE_HORIZON_DAYS, "date": local_moment(horizon)}
        )
    if item.expires_at is not None and ends_at > item.expires_at:
        raise CampaignRefused(
            _("This content expires on %(date)s: the campaign must end by then.")
            % {"date": local_moment(item.expires_at)}
        )
    if item.valid_from is not None and starts_at < item.valid_from:
        raise CampaignRefused(
            _("This content may not be published before %(date)s: start the campaign then or later.")
            % {"date": local_moment(item.valid_from)}
        )
    unknown_roles = set(roles) - set(Role.values)
    if unknown_roles:
        raise CampaignRefused(_("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown_roles))})
    with transaction.atomic():
        campaign = Campaign.objects.create(
            item=item,
            name=(name or item.title)[:200],
            starts_at=starts_at,
            ends_at=ends_at,
            roles=sorted(set(roles)),
            created_by=actor,
        )
        campaign.regions.set(regions)
        campaign.branches.set(branches)
        record(
            "campaign.created",
            subject=campaign,
            actor=actor,
            payload={
                "item": item.pk,
                "version_id": item.current_version_id,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "regions": sorted(r.pk for r in campaign.regions.all()),
                "branches": sorted(b.pk for b in campaign.branches.all()),
                "roles": campaign.roles,
            },
        )
    return campaign


def launch_campaign(*, campaign: Campaign, actor) -> bool:
    """planned -> fanning_out, then the fan-out task after commit. False if it was not planned (any more)."""
    if not can_run_campaign(actor):
        raise CampaignRefused(_("Only compliance and marketing may run campaigns."))
    now = timezone.now()
    item = ContentItem.objects.select_related("current_version").get(pk=campaign.item_id)
    check_item(item, now)
    if campaign.ends_at <= now:
        raise CampaignRefused(_("The campaign's window is over."))
    with transaction.atomic():
        launched = Campaign.objects.filter(pk=campaign.pk, status__in=LAUNCHABLE).update(
            status=C.FANNING_OUT, launched_at=now
        )
        if launched:
            record("campaign.launched", subject=campaign, actor=actor, payload={"item": item.pk})
            generations.bump(generations.LIBRARY)  # the advisers' highlights (selectors.highlights_for)
            _enqueue_fan_out(campaign.pk)
    return bool(launched)


def resume_fan_out(*, campaign: Campaign, actor) -> bool:
    """Enqueue the fan-out again (a lost message, a stopped worker). Harmless if one is running: the
    cursor claim lets only one of them handle each chunk."""
    if not can_run_campaign(actor):
        raise CampaignRefused(_("Only compliance and marketing may run campaigns."))
    if not Campaign.objects.filter(pk=campaign.pk, status__in=RESUMABLE).exists():
        return False
    _enqueue_fan_out(campaign.pk)
    return True


def _enqueue_fan_out(campaign_id: int) -> None:
    from advocacy.campaigns.tasks import fan_out_campaign

    transaction.on_commit(functools.partial(fan_out_campaign.delay, campaign_id))


def cancel_campaign(*, campaign: Campaign, actor) -> bool:
    """Stop the campaign: no more shares are scheduled, and those not yet published are cancelled (by a
    task, after commit). False when it was already over (failed or cancelled)."""
    if not can_run_campaign(actor):
        raise CampaignRefused(_("Only compliance and marketing may run campaigns."))
    now = timezone.now()
    with transaction.atomic():
        cancelled = Campaign.objects.filter(pk=campaign.pk, status__in=CANCELLABLE).update(
            status=C.CANCELLED, cancelled_at=now, cancelled_by=actor
        )
        if cancelled:
            record("campaign.cancelled", subject=campaign, actor=actor, payload={"item": campaign.item_id})
            generations.bump(generations.LIBRARY)
            from advocacy.campaigns.tasks import cancel_campaign_shares as task

            transaction.on_commit(functools.partial(task.delay, campaign.pk))
    return bool(cancelled)


def cancel_campaign_shares(*, campaign_id: int, chunk_size: int = CHUNK_SIZE) -> int:
    """Cancel the campaign's shares that have not gone out, a chunk per transaction, one archive event per
    chunk. Same guard as ``services.cancel_share`` (only from ``TRANSITIONS["cancel"]``): a share being
    published right now, or whose outcome is unknown, is left to the publishing engine. Safe to re-run."""
    allowed = TRANSITIONS["cancel"][0]
    reason = gettext_noop("The campaign was cancelled.")
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Share.objects.filter(campaign_id=campaign_id, status__in=allowed)
                .order_by("pk")
                .values_list("pk", flat=True)[:chunk_size]
            )
            if not ids:
                return total
            done = transition_many(
                ids, "cancel", payload={"reason": reason}, last_error=reason[:500], next_attempt_at=None
            )
            campaign = Campaign.objects.get(pk=campaign_id)
            record(
                "campaign.shares_cancelled",
                subject=campaign,
                actor=None,
                payload={"item": campaign.item_id, "campaign": campaign_id, "shares": done, "reason": reason},
            )
        total += len(done)
