"""Reads for campaigns: who may run them, which are visible, their audience, progress, and the
adviser's highlights.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from advocacy.campaigns.models import AutoShareOptIn, Campaign
from advocacy.content.models import (
    ApprovedText,
    Category,
    ContentItem,
    ItemStatus,
    Origin,
    VersionStatus,
)
from advocacy.org.access import CONTENT_AUTHORS
from advocacy.org.models import Role, StaffRole
from advocacy.org.selectors import profile_of, roles_of
from advocacy.shares.models import ACTIVE_SHARE_STATUSES, Share, ShareStatus

C = Campaign.Status

User = get_user_model()

SKIP_REASONS = {
    "already_in_campaign": gettext_lazy("Already has a share from this campaign"),
    "not_opted_in": gettext_lazy("Not opted in to auto-share this category"),
    "not_connected": gettext_lazy("No connected X account"),
    "already_shared": gettext_lazy("Already shared or scheduled this content"),
    "no_text": gettext_lazy("No approved wording suits them"),
}


RUNNING = (C.FANNING_OUT, C.SCHEDULED)


# The lifecycle's moves, by the statuses each starts from (``advocacy.campaigns.lifecycle``).
LAUNCHABLE = (C.PLANNED,)
RESUMABLE = (C.FANNING_OUT,)
CANCELLABLE = (C.PLANNED, C.FANNING_OUT, C.SCHEDULED)


RUNNER_ROLES = CONTENT_AUTHORS.roles  # the role set is declared once, in advocacy.org.access


# --- policy ---------------------------------------------------------------------------------------------
def can_run_campaign(user) -> bool:
    """Compliance and marketing run campaigns (create, launch, follow, cancel); nobody else."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and roles_of(user) & RUNNER_ROLES)


# Flags for the campaign page, from the lists the lifecycle moves by: a button shows exactly when the move
# would be made (the actor's right to run campaigns is the route's rule and ``can_run_campaign``).
def can_launch(campaign: Campaign) -> bool:
    return campaign.status in LAUNCHABLE


def can_resume(campaign: Campaign) -> bool:
    return campaign.status in RESUMABLE


def can_cancel(campaign: Campaign) -> bool:
    return campaign.status in CANCELLABLE


def has_launched(campaign: Campaign) -> bool:
    """Past planning: it has progress to show (or has been cancelled before any)."""
    return campaign.status not in LAUNCHABLE


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """The campaigns ``user`` may see and manage: all of them for a runner, none for anyone else."""
    if not can_run_campaign(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("item", "created_by")


def with_live_shares(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Each campaign with ``live_shares``: its shares that exist now and have not been called off
    (scheduled, going out or on X), counted in the same query. The fan-out's ``scheduled`` counter is what it
    scheduled once; advisers cancel, opt out or share it themselves since."""
    live = (
        Share.objects.filter(campaign_id=OuterRef("pk"), status__in=ACTIVE_SHARE_STATUSES)
        .order_by()
        .values("campaign_id")
        # Counting the campaign column, not the key: share_campaign_live holds it, so PostgreSQL counts from
        # the index alone (an index-only scan) instead of reading each share's row.
        .annotate(n=Count("campaign_id"))
        .values("n")
    )
    return campaigns.annotate(live_shares=Coalesce(Subquery(live, output_field=IntegerField()), 0))


def outcome_of(campaign: Campaign, *, live_shares: int) -> Campaign.Outcome:
    """Where the campaign stands, as its runner reads it: a fan-out that is over but scheduled nothing
    (every targeted adviser excluded, or nobody targeted) is not "Shares scheduled"."""
    outcome = Campaign.Outcome
    if campaign.status == C.SCHEDULED:
        return outcome.SCHEDULED if live_shares else outcome.NOTHING_SCHEDULED
    return {
        C.PLANNED: outcome.PLANNED,
        C.FANNING_OUT: outcome.SCHEDULING,
        C.FAILED: outcome.FAILED,
        C.CANCELLED: outcome.CANCELLED,
    }[campaign.status]


@dataclass(frozen=True)
class ListedCampaign:
    campaign: Campaign
    outcome: Campaign.Outcome
    live_shares: int


def campaign_rows(campaigns) -> list[ListedCampaign]:
    """The rows of the campaign list, for campaigns read ``with_live_shares`` (no query per row)."""
    return [ListedCampaign(c, outcome_of(c, live_shares=c.live_shares), c.live_shares) for c in campaigns]


# --- reads ----------------------------------------------------------------------------------------------
def campaign_items(now: dt.datetime | None = None) -> QuerySet[ContentItem]:
    """Library items a campaign may push: approved, with an approved current version, not expired."""
    now = now or timezone.now()
    return (
        ContentItem.objects.filter(
            origin=Origin.LIBRARY,
            status=ItemStatus.APPROVED,
            current_version__status=VersionStatus.APPROVED,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("current_version")
        .order_by("-approved_at", "-pk")
    )


def targeted_advisers(campaign: Campaign) -> QuerySet:
    """Active advisers of the item's audience, narrowed to the campaign's places and roles."""
    from advocacy.content.selectors import audience_members

    people = audience_members(campaign.item)
    region_ids = [r.pk for r in campaign.regions.all()]
    branch_ids = [b.pk for b in campaign.branches.all()]
    if region_ids or branch_ids:
        people = people.filter(
            Q(staff__branch_id__in=branch_ids) | Q(staff__branch__region_id__in=region_ids)
        )
    holds = functools.partial(StaffRole.objects.filter, profile__user_id=OuterRef("pk"))
    people = people.filter(Exists(holds(role=Role.ADVISER)))
    if campaign.roles:
        people = people.filter(Exists(holds(role__in=campaign.roles)))
    return people


@dataclass(frozen=True)
class Progress:
    campaign: Campaign
    reasons: list[tuple[str, int]]  # (label, count), most frequent first
    share_counts: list[tuple[str, int]]  # (status label, count) of the campaign's shares now
    distinct_texts: int

    live_shares: int = 0  # the campaign's shares not called off, now

    @property
    def running(self) -> bool:
        return self.campaign.status == C.FANNING_OUT

    @property
    def outcome(self) -> Campaign.Outcome:
        return outcome_of(self.campaign, live_shares=self.live_shares)

    @property
    def nothing_scheduled(self) -> bool:
        """The fan-out is over and no adviser has a share: the card says so, and why, not a full bar."""
        return self.outcome == Campaign.Outcome.NOTHING_SCHEDULED

    @property
    def percent(self) -> int:
        """While the fan-out runs: how far it has gone through the targeted advisers. Once it is over: how
        many of them have a share (0 when every one of them was excluded, never a full bar for nothing)."""
        c = self.campaign
        if not c.targeted:
            return 0
        done = c.processed if self.running else min(self.live_shares, c.targeted)
        return min(100, round(100 * done / c.targeted))


def progress_of(campaign: Campaign) -> Progress:
    """Counters of the fan-out and where the campaign's shares stand now (two queries)."""
    campaign.refresh_from_db()
    reasons = sorted(campaign.skip_reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    counts = dict(
        Share.objects.filter(campaign=campaign)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    version_id = campaign.item.current_version_id
    distinct = ApprovedText.objects.filter(version_id=version_id).count() if version_id else 0
    return Progress(
        campaign=campaign,
        reasons=[(str(SKIP_REASONS.get(key, key)), n) for key, n in reasons],
        share_counts=[(label, counts[value]) for value, label in ShareStatus.choices if counts.get(value)],
        distinct_texts=distinct,
        live_shares=sum(counts.get(status, 0) for status in ACTIVE_SHARE_STATUSES),
    )


@dataclass(frozen=True)
class Highlight:
    campaign: Campaign
    share: Share | None  # the adviser's live share of the item, if any (scheduled by the campaign or not)

    @property
    def shared(self) -> bool:
        """The adviser's share is on X (rather than still to go out)."""
        return self.share is not None and self.share.status == ShareStatus.PUBLISHED


HIGHLIGHTS_CACHE_SECONDS = 60  # at most; a campaign's start or end, or its item's expiry, comes first


def highlights_for(user, *, now: dt.datetime | None = None) -> list[Highlight]:
    """Running campaigns that target ``user`` (an adviser), with their share of each item if they have one.

    The same queries whatever the number of campaigns: the running campaigns that reach the adviser's
    place and roles (cached, see ``_running_campaigns_for``), then the adviser's shares of those items (not
    cached: the adviser's own share shows as soon as it exists). The adviser's profile is the request's
    (``profile_of``, read once per request)."""
    roles = roles_of(user)
    if Role.ADVISER not in roles or not user.is_active:
        return []
    now = now or timezone.now()
    profile = profile_of(user)
    if profile is None:
        return []
    running = _running_campaigns_for(user, profile, roles, now)
    # ``roles`` is a JSON list (no portable overlap test in SQL): at most ten rows are read.
    mine = [c for c in running if not c.roles or roles & set(c.roles)]
    if not mine:
        return []
    shares = {
        s.item_id: s
        for s in Share.objects.filter(
            adviser_id=user.pk, item_id__in=[c.item_id for c in mine], status__in=ACTIVE_SHARE_STATUSES
        )
    }
    return [Highlight(c, shares.get(c.item_id)) for c in mine]


def _running_campaigns_for(user, profile, roles, now: dt.datetime) -> list[Campaign]:
    """The running campaigns (with their item) that reach this branch, region and set of roles, soonest
    ending first, at most ten: the same for every adviser in that place with those roles, so kept in the
    cache (issue 13: building and running this query was ~10-20 ms of the adviser's home and library on
    every view). An entry lives until the first of: ``HIGHLIGHTS_CACHE_SECONDS``, the end of one of its
    campaigns or its item's expiry, the start of a campaign that is already launched (which becomes
    running then, with no write), and a bump of the library's generation (``generations.LIBRARY``): by
    every content transition (``content.workflow.states.guard``: an item approved, edited, expired or
    recalled) and every change of a campaign's status (launch, cancel, a failed fan-out). Cached objects
    are checked against ``now`` again when read.

    The targeting of ``targeted_advisers`` is asked the other way round — which campaigns reach this one
    person, with the person's branch, region and roles as constants — because building an ``EXISTS`` over
    every adviser per campaign cost ~25 ms of Python per page for the same answer. Kept in step with
    ``targeted_advisers`` by tests/campaigns (the same adviser in, out, by place and by role)."""
    from django.core.cache import cache

    from advocacy.content.selectors import audience_q
    from advocacy.web import generations

    branch_id = profile.branch_id
    region_id = profile.branch.region_id if profile.branch_id else None
    entry_key = f"relais:campaign-highlights:{branch_id}:{region_id}:{','.join(sorted(roles))}"
    found = cache.get_many([generations.key(generations.LIBRARY), entry_key])
    generation = generations.current(generations.LIBRARY, found)
    entry = found.get(entry_key)
    if entry is not None and entry["generation"] == generation and now < entry["until"]:
        return [c for c in entry["campaigns"] if c.starts_at <= now < c.ends_at]

    through_regions, through_branches = Campaign.regions.through, Campaign.branches.through
    anywhere = ~Exists(through_regions.objects.filter(campaign_id=OuterRef("pk"))) & ~Exists(
        through_branches.objects.filter(campaign_id=OuterRef("pk"))
    )
    here = Exists(through_branches.objects.filter(campaign_id=OuterRef("pk"), branch_id=branch_id)) | Exists(
        through_regions.objects.filter(campaign_id=OuterRef("pk"), region_id=region_id)
    )
    running = list(
        Campaign.objects.filter(status__in=RUNNING, starts_at__lte=now, ends_at__gt=now)
        .filter(item__status=ItemStatus.APPROVED)
        .filter(Q(item__expires_at__isnull=True) | Q(item__expires_at__gt=now))
        .filter(item__in=ContentItem.objects.filter(audience_q(user, profile=profile)).values("pk"))
        .filter(anywhere | here)
        .select_related("item")
        .order_by("ends_at", "pk")[:10]
    )
    ends = [c.ends_at for c in running] + [c.item.expires_at for c in running if c.item.expires_at]
    next_start = (
        Campaign.objects.filter(status__in=RUNNING, starts_at__gt=now)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    until = min(
        [now + dt.timedelta(seconds=HIGHLIGHTS_CACHE_SECONDS), *ends, *([next_start] if next_start else [])]
    )
    seconds = max(1, int((until - now).total_seconds()))
    cache.set(entry_key, {"generation": generation, "until": until, "campaigns": running}, timeout=seconds)
    return running


def auto_share_settings_of(user) -> list[tuple[str, str, bool]]:
    """(category value, label, opted in) for every category, in the categories' order."""
    chosen = set(AutoShareOptIn.objects.filter(adviser_id=user.pk).values_list("category", flat=True))
    return [(value, label, value in chosen) for value, label in Category.choices]
