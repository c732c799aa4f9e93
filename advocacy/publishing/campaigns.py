"""Campaigns: compliance or marketing push one approved item to an audience over a time window.

Advisers in the audience see the campaign highlighted (library, home) with a one-click share. Advisers who
opted in to auto-share the item's category (``AutoShareOptIn``) and have a connected X account get a share
scheduled for them, at a time spread across the window, each with the approved text ``text_for_adviser``
would give them (so that advisers differ as long as the item has enough approved wordings).

Fan-out, in chunks (``fan_out``)
--------------------------------
Targeted advisers are read in id order, ``chunk_size`` at a time. Each chunk is ONE transaction that
(1) advances ``Campaign.cursor`` by a conditional ``UPDATE ... WHERE cursor = <where we started>`` (two
runs of the task can never both handle a chunk), (2) bulk-inserts the shares with ``ON CONFLICT DO NOTHING``
(the share table's ``one_active_share_per_adviser_and_item`` constraint, which also covers "one live share
per adviser and campaign" since a campaign has one item), (3) appends one archive event, (4) adds to the
counters. A killed worker therefore leaves either a whole chunk or nothing, and a re-run resumes at the
cursor; re-running a finished fan-out does nothing; and even a replay from cursor 0 creates no second share
(an adviser with any share of the campaign, whatever its status, is skipped).

Archive
-------
``campaign.fanned_out_chunk`` (subject: the campaign) stands for one ``share.scheduled`` per share it lists:
``payload["shares"]`` holds, per share, ``share`` (id), ``adviser`` (user id), ``approved_text`` (id),
``fingerprint`` and ``scheduled_for``; ``item``, ``version_id`` and ``campaign`` are common to all of them
(the keys of ``share.scheduled``). One event per chunk instead of one per share keeps a 10,000-adviser
fan-out at 20 archive appends, which all writers serialise on. Per-share events follow as usual
(``share.attempted``, ``share.published``, ...). Other events: ``campaign.created``, ``campaign.launched``,
``campaign.fanned_out``, ``campaign.failed``, ``campaign.cancelled``, ``campaign.shares_cancelled`` (per
chunk, listing share ids), ``auto_share.opted_in`` / ``auto_share.opted_out``.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.content.models import (
    ApprovedText,
    Category,
    ContentItem,
    ItemStatus,
    Origin,
    VersionStatus,
)
from advocacy.content.selectors import texts_by_adviser
from advocacy.org.models import Role, StaffRole
from advocacy.org.selectors import roles_of
from advocacy.publishing import services
from advocacy.publishing.models import (
    ACTIVE_SHARE_STATUSES,
    AutoShareOptIn,
    Campaign,
    Share,
    ShareStatus,
    XAccount,
)
from advocacy.publishing.transitions import TRANSITIONS, transition_many
from compliance.archive.services import record

User = get_user_model()
C = Campaign.Status

CHUNK_SIZE = 500
RUNNING = (C.FANNING_OUT, C.SCHEDULED)
CANCELLABLE = (C.PLANNED, C.FANNING_OUT, C.SCHEDULED)
RUNNER_ROLES = frozenset({Role.COMPLIANCE, Role.MARKETING})

SKIP_REASONS = {
    "already_in_campaign": gettext_lazy("Already has a share from this campaign"),
    "not_opted_in": gettext_lazy("Not opted in to auto-share this category"),
    "not_connected": gettext_lazy("No connected X account"),
    "already_shared": gettext_lazy("Already shared or scheduled this content"),
    "no_text": gettext_lazy("No approved wording suits them"),
}


class CampaignRefused(Exception):
    """A campaign action that cannot be done; ``str(exc)`` is a translated sentence for the user."""


# --- policy ---------------------------------------------------------------------------------------------
def can_run_campaign(user) -> bool:
    """Compliance and marketing run campaigns (create, launch, follow, cancel); nobody else."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and roles_of(user) & RUNNER_ROLES)


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """The campaigns ``user`` may see and manage: all of them for a runner, none for anyone else."""
    if not can_run_campaign(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("item", "created_by")


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

    @property
    def percent(self) -> int:
        c = self.campaign
        if not c.targeted:
            return 100 if c.status == C.SCHEDULED else 0
        return min(100, round(100 * c.processed / c.targeted))

    @property
    def running(self) -> bool:
        return self.campaign.status == C.FANNING_OUT


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
    )


@dataclass(frozen=True)
class Highlight:
    campaign: Campaign
    share: Share | None  # the adviser's live share of the item, if any (scheduled by the campaign or not)


def highlights_for(user, *, now: dt.datetime | None = None) -> list[Highlight]:
    """Running campaigns that target ``user`` (an adviser), with their share of each item if they have one.

    The same queries whatever the number of campaigns: the running campaigns (with their places and the
    items' audience roles prefetched), then ONE query asking whether ``user`` is in each campaign's
    targeting (an ``EXISTS`` per campaign, side by side), then the adviser's shares of those items."""
    if Role.ADVISER not in roles_of(user):
        return []
    now = now or timezone.now()
    running = list(
        Campaign.objects.filter(status__in=RUNNING, starts_at__lte=now, ends_at__gt=now)
        .filter(item__status=ItemStatus.APPROVED)
        .filter(Q(item__expires_at__isnull=True) | Q(item__expires_at__gt=now))
        .select_related("item")
        .prefetch_related("regions", "branches", "item__audience_roles")
        .order_by("ends_at", "pk")[:10]
    )
    if not running:
        return []
    targeting = {f"c{c.pk}": Exists(targeted_advisers(c).filter(pk=OuterRef("pk"))) for c in running}
    found = User.objects.filter(pk=user.pk).annotate(**targeting).values(*targeting).first() or {}
    mine = [c for c in running if found.get(f"c{c.pk}")]
    if not mine:
        return []
    shares = {
        s.item_id: s
        for s in Share.objects.filter(
            adviser_id=user.pk, item_id__in=[c.item_id for c in mine], status__in=ACTIVE_SHARE_STATUSES
        )
    }
    return [Highlight(c, shares.get(c.item_id)) for c in mine]


def auto_share_settings_of(user) -> list[tuple[str, str, bool]]:
    """(category value, label, opted in) for every category, in the categories' order."""
    chosen = set(AutoShareOptIn.objects.filter(adviser_id=user.pk).values_list("category", flat=True))
    return [(value, label, value in chosen) for value, label in Category.choices]


# --- create / launch / cancel ---------------------------------------------------------------------------
def _check_item(item: ContentItem, now: dt.datetime) -> None:
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
    _check_item(item, now)
    if starts_at >= ends_at:
        raise CampaignRefused(_("The campaign must end after it starts."))
    if ends_at <= now:
        raise CampaignRefused(_("The campaign must end in the future."))
    if item.expires_at is not None and ends_at > item.expires_at:
        raise CampaignRefused(
            _("This content expires on %(date)s: the campaign must end by then.")
            % {"date": timezone.localtime(item.expires_at).strftime("%d/%m/%Y %H:%M")}
        )
    if item.valid_from is not None and starts_at < item.valid_from:
        raise CampaignRefused(
            _("This content may not be published before %(date)s: start the campaign then or later.")
            % {"date": timezone.localtime(item.valid_from).strftime("%d/%m/%Y %H:%M")}
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
    _check_item(item, now)
    if campaign.ends_at <= now:
        raise CampaignRefused(_("The campaign's window is over."))
    with transaction.atomic():
        launched = Campaign.objects.filter(pk=campaign.pk, status=C.PLANNED).update(
            status=C.FANNING_OUT, launched_at=now
        )
        if launched:
            record("campaign.launched", subject=campaign, actor=actor, payload={"item": item.pk})
            _enqueue_fan_out(campaign.pk)
    return bool(launched)


def resume_fan_out(*, campaign: Campaign, actor) -> bool:
    """Enqueue the fan-out again (a lost message, a stopped worker). Harmless if one is running: the
    cursor claim lets only one of them handle each chunk."""
    if not can_run_campaign(actor):
        raise CampaignRefused(_("Only compliance and marketing may run campaigns."))
    if not Campaign.objects.filter(pk=campaign.pk, status=C.FANNING_OUT).exists():
        return False
    _enqueue_fan_out(campaign.pk)
    return True


def _enqueue_fan_out(campaign_id: int) -> None:
    from advocacy.publishing.tasks import fan_out_campaign

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
            from advocacy.publishing.tasks import cancel_campaign_shares as task

            transaction.on_commit(functools.partial(task.delay, campaign.pk))
    return bool(cancelled)


def cancel_campaign_shares(*, campaign_id: int, chunk_size: int = CHUNK_SIZE) -> int:
    """Cancel the campaign's shares that have not gone out, a chunk per transaction, one archive event per
    chunk. Same guard as ``services.cancel_share`` (only from ``TRANSITIONS["cancel"]``): a share being
    published right now, or whose outcome is unknown, is left to the publishing engine. Safe to re-run."""
    allowed = TRANSITIONS["cancel"][0]
    reason = _("The campaign was cancelled.")
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


# --- fan-out --------------------------------------------------------------------------------------------
_STRIDES = (7919, 104_729, 1_299_709, 15_485_863)


def _stride(total: int) -> int:
    """A prime not dividing ``total``: k -> k * stride mod total is then a permutation of the slots."""
    return next((p for p in _STRIDES if total % p), 1)


def _slot_time(k: int, total: int, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """The k-th adviser's time: the window cut into ``total`` equal slots, slots visited in a scattered
    order (so that advisers next to each other in id, often one branch, do not post together), a random
    point inside the slot (jitter: no two accounts post on a visible grid)."""
    total = max(total, k + 1, 1)
    slot = (k * _stride(total)) % total
    width = (end - start) / total
    return start + width * (slot + random.uniform(0.1, 0.9))


def _fail(campaign: Campaign, reason: str) -> Campaign:
    with transaction.atomic():
        if Campaign.objects.filter(pk=campaign.pk, status=C.FANNING_OUT).update(
            status=C.FAILED, last_error=reason[:500], finished_at=timezone.now()
        ):
            record("campaign.failed", subject=campaign, actor=None, payload={"reason": reason})
    campaign.refresh_from_db()
    return campaign


def fan_out(*, campaign_id: int, chunk_size: int = CHUNK_SIZE) -> Campaign:
    """Schedule the campaign's shares, chunk by chunk, then mark it scheduled. Safe to run twice, at once
    or after a crash (see the module docstring); does nothing unless the campaign is fanning out."""
    campaign = Campaign.objects.select_related("item__current_version").get(pk=campaign_id)
    if campaign.status != C.FANNING_OUT:
        return campaign
    item, version = campaign.item, campaign.item.current_version
    now = timezone.now()
    try:
        _check_item(item, now)
    except CampaignRefused as exc:
        return _fail(campaign, str(exc))
    start = max(campaign.starts_at, now, item.valid_from or now)
    end = min(campaign.ends_at, item.expires_at or campaign.ends_at)
    if end - start < dt.timedelta(minutes=1):
        return _fail(campaign, _("The campaign's window is over."))

    targeted = targeted_advisers(campaign)
    if campaign.processed == 0:
        count = targeted.count()
        Campaign.objects.filter(pk=campaign.pk, status=C.FANNING_OUT, processed=0).update(targeted=count)
        campaign.targeted = count
    texts = texts_by_adviser(version)
    opted_in = AutoShareOptIn.objects.filter(adviser_id=OuterRef("pk"), category=item.category)
    connected = XAccount.objects.filter(user_id=OuterRef("pk"), status=XAccount.Status.CONNECTED)
    rows = targeted.annotate(opted_in=Exists(opted_in), connected=Exists(connected)).order_by("pk")
    cursor = campaign.cursor
    while True:
        chunk = list(rows.filter(pk__gt=cursor).values_list("pk", "opted_in", "connected")[:chunk_size])
        if not chunk:
            break
        cursor = _fan_out_chunk(campaign, chunk, texts, start, end, cursor)
        if cursor is None:  # cancelled, or another run took this chunk: it goes on from there
            campaign.refresh_from_db()
            if campaign.status != C.FANNING_OUT:
                return campaign
            cursor = campaign.cursor
    with transaction.atomic():
        if Campaign.objects.filter(pk=campaign.pk, status=C.FANNING_OUT).update(
            status=C.SCHEDULED, finished_at=timezone.now(), targeted=F("processed")
        ):
            campaign.refresh_from_db()
            record(
                "campaign.fanned_out",
                subject=campaign,
                actor=None,
                payload={
                    "item": item.pk,
                    "targeted": campaign.targeted,
                    "scheduled": campaign.scheduled,
                    "skipped": campaign.skipped,
                    "skip_reasons": campaign.skip_reasons,
                },
            )
    campaign.refresh_from_db()
    return campaign


def _fan_out_chunk(
    campaign: Campaign,
    chunk: list[tuple[int, bool, bool]],
    texts: dict[int, ApprovedText | None],
    start: dt.datetime,
    end: dt.datetime,
    cursor: int,
) -> int | None:
    """One chunk in one transaction; the new cursor, or None when the claim on the chunk failed."""
    from advocacy.content.selectors import text_for_adviser

    item, version = campaign.item, campaign.item.current_version
    new_cursor = chunk[-1][0]
    in_chunk = {"adviser_id__gt": cursor, "adviser_id__lte": new_cursor}  # a range, not 500 parameters
    earlier: dict[int, str] = {}
    for adviser_id, campaign_id in (
        Share.objects.filter(item_id=item.pk, **in_chunk)
        .filter(Q(campaign_id=campaign.pk) | Q(status__in=ACTIVE_SHARE_STATUSES))
        .values_list("adviser_id", "campaign_id")
    ):
        if campaign_id == campaign.pk:
            earlier[adviser_id] = "already_in_campaign"
        else:
            earlier.setdefault(adviser_id, "already_shared")

    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, status=C.FANNING_OUT, cursor=cursor).update(
            cursor=new_cursor
        ):
            return None
        processed_before, total, reasons = (
            Campaign.objects.filter(pk=campaign.pk).values_list("processed", "targeted", "skip_reasons").get()
        )
        skipped: dict[str, int] = {}
        shares: list[Share] = []
        for index, (adviser_id, opted_in, connected) in enumerate(chunk):
            reason = earlier.get(adviser_id)
            if reason is None and not opted_in:
                reason = "not_opted_in"
            if reason is None and not connected:
                reason = "not_connected"
            approved = None
            if reason is None:
                if adviser_id in texts:
                    approved = texts[adviser_id]
                else:  # joined the audience since the fan-out started
                    approved = text_for_adviser(version, User(pk=adviser_id))
                if approved is None:
                    reason = "no_text"
            if reason is not None:
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            shares.append(
                Share(
                    adviser_id=adviser_id,
                    item=item,
                    version=version,
                    approved_text=approved,
                    text=approved.text,
                    fingerprint=approved.fingerprint,
                    scheduled_for=_slot_time(processed_before + index, total, start, end),
                    link_code=secrets.token_urlsafe(9),
                    campaign=campaign,
                )
            )
        created: dict[str, int] = {}
        if shares:
            _insert_shares(shares)
            ours = {s.link_code for s in shares}
            created = {
                code: pk
                for code, pk in Share.objects.filter(campaign_id=campaign.pk, **in_chunk).values_list(
                    "link_code", "pk"
                )
                if code in ours
            }
            lost = len(shares) - len(created)  # an adviser shared it themselves meanwhile
            if lost:
                skipped["already_shared"] = skipped.get("already_shared", 0) + lost
        listed = [
            {
                "share": created[s.link_code],
                "adviser": s.adviser_id,
                "approved_text": s.approved_text_id,
                "fingerprint": s.fingerprint,
                "scheduled_for": s.scheduled_for.isoformat(),
            }
            for s in shares
            if s.link_code in created
        ]
        record(
            "campaign.fanned_out_chunk",
            subject=campaign,
            actor=None,
            payload={
                "item": item.pk,
                "version_id": version.pk,
                "campaign": campaign.pk,
                "advisers": {"after": cursor, "up_to": new_cursor, "count": len(chunk)},
                "shares": listed,
                "skipped": skipped,
            },
        )
        merged = dict(reasons or {})
        for key, n in skipped.items():
            merged[key] = merged.get(key, 0) + n
        Campaign.objects.filter(pk=campaign.pk).update(
            processed=F("processed") + len(chunk),
            scheduled=F("scheduled") + len(listed),
            skipped=F("skipped") + (len(chunk) - len(listed)),
            skip_reasons=merged,
        )
    return new_cursor


# Every column but the id; table and column names come from the model, values are parameters.
_SHARE_FIELDS = [f for f in Share._meta.concrete_fields if not f.primary_key]
_ROW = f"({', '.join(['%s'] * len(_SHARE_FIELDS))})"
_INSERT_SHARES = (
    f"INSERT INTO {Share._meta.db_table} ({', '.join(f.column for f in _SHARE_FIELDS)}) "  # noqa: S608
    "VALUES {rows} ON CONFLICT DO NOTHING"
)
# PostgreSQL takes up to 65,535 parameters a statement.
_PG_ROWS_PER_INSERT = 60_000 // len(_SHARE_FIELDS)
# What differs from one share of a chunk to the next; every other column is the same for the whole chunk.
_PER_SHARE = frozenset(
    {"adviser_id", "approved_text_id", "text", "fingerprint", "scheduled_for", "link_code"}
)


def _insert_shares(shares: list[Share]) -> None:
    """``bulk_create(ignore_conflicts=True)`` without its per-value cost: ``INSERT ... ON CONFLICT DO
    NOTHING`` (PostgreSQL, SQLite >= 3.24) with the chunk-wide columns prepared once. The ORM prepares ~30
    values per row one by one (timezone conversion of eleven datetime columns included), which was three
    quarters of a 10,000-adviser fan-out. PostgreSQL gets one multi-row statement (one round trip; 500
    pipelined single-row statements took twice as long); SQLite, in process, an ``executemany``. A share
    refused by a unique constraint (the adviser shared the item meanwhile) is silently not inserted: the
    caller reads back which ones were."""
    connection = connections[router.db_for_write(Share)]
    first = shares[0]
    constant = {
        f.attname: f.get_db_prep_save(f.pre_save(first, add=True), connection)
        for f in _SHARE_FIELDS
        if f.attname not in _PER_SHARE
    }
    per_share = [f for f in _SHARE_FIELDS if f.attname in _PER_SHARE]
    rows = []
    for share in shares:
        values = dict(constant)
        for f in per_share:
            values[f.attname] = f.get_db_prep_save(getattr(share, f.attname), connection)
        rows.append([values[f.attname] for f in _SHARE_FIELDS])
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(_INSERT_SHARES.format(rows=_ROW), rows)
            return
        for at in range(0, len(rows), _PG_ROWS_PER_INSERT):
            batch = rows[at : at + _PG_ROWS_PER_INSERT]
            sql = _INSERT_SHARES.format(rows=", ".join([_ROW] * len(batch)))
            cursor.execute(sql, [value for row in batch for value in row])


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
            status__in=services.TRANSITIONS["cancel"][0],
            scheduled_for__gt=timezone.now(),
        ).select_related("item")
        for share in pending:
            services.cancel_share(
                share=share, actor=actor, reason=_("You stopped auto-sharing this category.")
            )
    return changed
