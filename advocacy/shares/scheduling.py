"""Schedule, cancel and reschedule shares: the adviser's side of the share engine.

Scheduling stores the exact approved text chosen for the adviser (``text_for_adviser``): the adviser sees
what will be posted, and the send-time re-check compares against this snapshot.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.content.models import ContentItem
from advocacy.content.policies import can_share
from advocacy.networks.x.models import XAccount
from advocacy.shares.models import Share, ShareStatus
from advocacy.shares.policy import ShareRefused
from advocacy.shares.transitions import RESCHEDULABLE, transition
from advocacy.web.dates import local_moment
from compliance.archive.services import record


# --- schedule / cancel / reschedule ---------------------------------------------------------------
def _check_when(item: ContentItem, when: dt.datetime, now: dt.datetime) -> None:
    if when < now - dt.timedelta(minutes=1):
        raise ShareRefused(_("This time is in the past: choose a later time."))
    horizon = now + dt.timedelta(days=settings.SHARE_SCHEDULE_HORIZON_DAYS)
    if when > horizon:
        raise ShareRefused(
            _("Shares can be scheduled at most %(days)s days ahead (until %(date)s): choose an earlier time.")
            % {"days": settings.SHARE_SCHEDULE_HORIZON_DAYS, "date": local_moment(horizon)}
        )
    if item.expires_at is not None and when >= item.expires_at:
        raise ShareRefused(
            _("This content expires on %(date)s: choose a time before then.")
            % {"date": local_moment(item.expires_at)}
        )
    if item.valid_from is not None and when < item.valid_from:
        raise ShareRefused(
            _("This content may not be published before %(date)s: choose a later time.")
            % {"date": local_moment(item.valid_from)}
        )


def schedule_share(
    *, adviser, item: ContentItem, when: dt.datetime | None, actor, campaign=None, approved_text=None
) -> Share:
    """Schedule ``item`` on the adviser's X account at ``when`` (now when None). Refuses with a reason.

    The text is chosen now (``text_for_adviser``) and stored: the adviser sees exactly what will be posted,
    and the send-time re-check compares against this snapshot.
    """
    from advocacy.content.selectors import text_for_adviser

    now = timezone.now()
    when = when or now
    if not can_share(adviser, item):
        raise ShareRefused(
            _("This content cannot be shared (it is not approved, not for you, or has ended).")
        )
    _check_when(item, when, now)
    if not XAccount.objects.filter(user_id=adviser.pk, status=XAccount.Status.CONNECTED).exists():
        raise ShareRefused(_("Connect your X account first."))
    version = item.current_version
    approved = approved_text or text_for_adviser(version, adviser)
    if approved is None or approved.version_id != version.pk:
        raise ShareRefused(_("No approved wording of this content suits you yet: ask the content team."))
    try:
        with transaction.atomic():
            share = Share.objects.create(
                adviser=adviser,
                item=item,
                version=version,
                approved_text=approved,
                text=approved.text,
                fingerprint=approved.fingerprint,
                scheduled_for=when,
                link_code=secrets.token_urlsafe(9),
                campaign=campaign,
            )
            record(
                "share.scheduled",
                subject=share,
                actor=actor,
                payload={
                    "item": item.pk,
                    "version_id": version.pk,
                    "fingerprint": approved.fingerprint,
                    "scheduled_for": when.isoformat(),
                    "campaign": getattr(campaign, "pk", None),
                    "status": ShareStatus.SCHEDULED,
                },
            )
            if when <= now:
                _enqueue_publish(share.pk)
    except IntegrityError:
        raise ShareRefused(_("You have already shared or scheduled this content.")) from None
    return share


def share_now(*, adviser, item: ContentItem, actor) -> Share:
    return schedule_share(adviser=adviser, item=item, when=None, actor=actor)


def _enqueue_publish(share_id: int) -> None:
    from advocacy.shares.tasks import publish_share

    transaction.on_commit(functools.partial(publish_share.delay, share_id))


def cancel_share(*, share: Share, actor, reason: str = "") -> bool:
    """Cancel a share that has not gone out. False when it already went out (or is going out right now)."""
    return transition(
        share,
        "cancel",
        actor=actor,
        payload={"reason": reason},
        last_error=reason[:500],
        next_attempt_at=None,
    )


def reschedule_share(*, share: Share, when: dt.datetime | None, actor) -> Share:
    """A failed or cancelled share scheduled again with the item's CURRENT approved text (a new share row, so
    that the history of the first one stays as it was)."""
    if share.status not in RESCHEDULABLE:
        raise ShareRefused(_("Only a failed or cancelled share can be scheduled again."))
    item = ContentItem.objects.select_related("current_version").get(pk=share.item_id)
    return schedule_share(adviser=share.adviser, item=item, when=when, actor=actor, campaign=share.campaign)
