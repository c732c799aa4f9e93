"""Campaign fan-out: one share scheduled per opted-in, connected adviser of the audience, in chunks.

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
import random
import secrets

from django.db import router, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from advocacy.campaigns.lifecycle import CHUNK_SIZE, CampaignRefused, check_item
from advocacy.campaigns.models import AutoShareOptIn, Campaign
from advocacy.campaigns.selectors import C, User, targeted_advisers
from advocacy.content.models import (
    ApprovedText,
)
from advocacy.content.selectors import texts_by_adviser
from advocacy.networks.x.models import XAccount
from advocacy.shares.models import ACTIVE_SHARE_STATUSES, Share
from advocacy.web import generations
from compliance.archive.services import record

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
            generations.bump(generations.LIBRARY)  # no longer running: out of the highlights
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
        # The reason is stored in English and translated where it is shown (Campaign.problem): whoever
        # reads the campaign page may not read the language of the worker that failed it.
        with translation.override("en"):
            check_item(item, now)
    except CampaignRefused as exc:
        return _fail(campaign, str(exc))
    start = max(campaign.starts_at, now, item.valid_from or now)
    end = min(campaign.ends_at, item.expires_at or campaign.ends_at)
    if end - start < dt.timedelta(minutes=1):
        return _fail(campaign, gettext_noop("The campaign's window is over."))

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


def _insert_shares(shares: list[Share]) -> None:
    """``INSERT ... ON CONFLICT DO NOTHING`` for a chunk: a share refused by a unique constraint (the adviser
    shared the item meanwhile) is silently not inserted, and the caller reads back which ones were."""
    Share.objects.using(router.db_for_write(Share)).bulk_create(shares, ignore_conflicts=True)
