"""Reads for shares: what is due, an adviser's shares and their clicks, recalls in progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.content.models import ContentItem, ItemStatus
from advocacy.networks.x.selectors import x_account_of
from advocacy.shares.models import ACTIVE_SHARE_STATUSES, Share, ShareClick, ShareStatus
from advocacy.web.dates import local_moment


def shares_due(*, limit: int = 1000, now=None) -> list[int]:
    """Ids of shares a worker should try now: scheduled and due, or unknown outcomes ready to be looked up."""

    now = now or timezone.now()
    return list(
        Share.objects.filter(
            status__in=[Share.Status.SCHEDULED, Share.Status.OUTCOME_UNKNOWN], scheduled_for__lte=now
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("scheduled_for")
        .values_list("pk", flat=True)[:limit]
    )


def shares_of(user):
    """The adviser's shares, newest first by id, to be read a page at a time (``keyset_page``); the click
    figures of the page shown come from ``with_click_figures``."""

    return Share.objects.filter(adviser_id=user.pk).select_related("item").order_by("-pk")


def with_click_figures(shares) -> list:
    """Sets ``click_count`` and ``visitor_count`` on each of ``shares`` (a page) with one grouped query
    over those shares' clicks only: counting over all of an adviser's shares before the page was cut grew
    with their history (issue 13)."""

    shares = list(shares)
    if not shares:
        return shares
    # No click precedes its share (the tracked link is made with it): bounding the time keeps PostgreSQL to
    # the months' partitions since the page's oldest share instead of every month of the clicks' history
    # (9 ms of 18 partitions for the first page at bank scale, issue 13).
    figures = {
        row["share_id"]: row
        for row in ShareClick.objects.filter(
            share_id__in=[s.pk for s in shares], clicked_at__gte=min(s.created_at for s in shares)
        )
        .values("share_id")
        .annotate(clicks=Count("*"), visitors=Count("visitor", distinct=True))  # index-only (see ShareClick)
        .order_by()
    }
    for share in shares:
        row = figures.get(share.pk, {})
        share.click_count, share.visitor_count = row.get("clicks", 0), row.get("visitors", 0)
    return shares


# My shares' sections, each the statuses it lists (every status is in exactly one section).
MY_SHARES_GROUPS: dict[str, frozenset[str]] = {
    "scheduled": frozenset(
        {
            Share.Status.SCHEDULED,
            Share.Status.PUBLISHING,
            Share.Status.OUTCOME_UNKNOWN,
            Share.Status.UNCONFIRMED,
        }
    ),
    "published": frozenset({Share.Status.PUBLISHED, Share.Status.DELETED}),
    "failed": frozenset({Share.Status.FAILED}),
    "cancelled": frozenset({Share.Status.CANCELLED}),
}


def grouped_for_my_shares(shares) -> dict[str, list]:
    """``shares`` (a page, in order) by My shares' section."""
    groups: dict[str, list] = {name: [] for name in MY_SHARES_GROUPS}
    for share in shares:
        for name, statuses in MY_SHARES_GROUPS.items():
            if share.status in statuses:
                groups[name].append(share)
    return groups


def recalls_in_progress(*, limit: int = 50) -> list[dict]:
    """Recalled items with shares, and how far the deletion of their live posts has got."""

    items = (
        ContentItem.objects.filter(status=ItemStatus.RECALLED, shares__isnull=False)
        .annotate(
            deleted=Count("shares", filter=Q(shares__status=ShareStatus.DELETED), distinct=True),
            to_delete=Count(
                "shares",
                filter=Q(shares__status=ShareStatus.PUBLISHED, shares__delete_requested_at__isnull=False),
                distinct=True,
            ),
            cancelled=Count("shares", filter=Q(shares__status=ShareStatus.CANCELLED), distinct=True),
            # May be live on X: the engine looks before deciding (unknown) or compliance must (unconfirmed).
            checking=Count(
                "shares",
                filter=Q(shares__status__in=[ShareStatus.OUTCOME_UNKNOWN, ShareStatus.PUBLISHING]),
                distinct=True,
            ),
            unconfirmed=Count("shares", filter=Q(shares__status=ShareStatus.UNCONFIRMED), distinct=True),
        )
        .order_by("-updated_at")[:limit]
    )
    rows = []
    for item in items:
        failures = list(
            Share.objects.filter(item=item, status=ShareStatus.PUBLISHED)
            .exclude(delete_error="")
            .select_related("adviser")
            .order_by("pk")[:50]
        )
        rows.append({"item": item, "failures": failures})
    return rows


def unconfirmed_shares(*, limit: int = 50) -> tuple[list, int]:
    """Shares whose outcome stayed unknown after every look (``X_UNKNOWN_MAX_ATTEMPTS``): possibly live on
    X, not confirmed. Compliance checks each account by hand. The first ``limit``, oldest first, and how
    many there are."""

    rows = Share.objects.filter(status=Share.Status.UNCONFIRMED)
    listed = list(rows.select_related("adviser", "item").order_by("send_started_at", "pk")[:limit])
    return listed, (len(listed) if len(listed) < limit else rows.count())


HOME_CLICKS_DAYS = 30


def sharing_home_panel(user) -> dict:
    """The adviser's sharing at a glance: X connection, shares by status, clicks of the last 30 days.
    Three queries.

    The clicks are the last ``HOME_CLICKS_DAYS`` days', not all time: an all-time total reads every click an
    adviser ever had on every page view (36-90 ms at bank scale, issue 13, and growing for years), and the
    home page is about what is happening now; all-time figures belong to the analytics pages, from their
    daily roll-ups."""

    by_status = dict(
        Share.objects.filter(adviser_id=user.pk).values_list("status").annotate(n=Count("pk")).order_by()
    )
    clicks = recent_clicks(user).aggregate(**RECENT_CLICK_FIGURES)
    return {"account": x_account_of(user), "by_status": by_status, "clicks_days": HOME_CLICKS_DAYS, **clicks}


# "*", not "pk": the clicks' (share, time, +visitor) index alone answers them, probed once per share
# (tests/portal/test_home_clicks.py explains the plan on PostgreSQL).
RECENT_CLICK_FIGURES = {"clicks": Count("*"), "visitors": Count("visitor", distinct=True)}


def recent_clicks(user):
    """The clicks of the last ``HOME_CLICKS_DAYS`` days on the adviser's shares (what the home counts)."""
    since = timezone.now() - dt.timedelta(days=HOME_CLICKS_DAYS)
    return ShareClick.objects.filter(share__adviser_id=user.pk, clicked_at__gte=since)


# --- A recall: what it will do, and what it did to each adviser ------------------------------------
RECALL_REASON = "The content was recalled by compliance."  # stored as its source string (policy, recall)


def recall_impact(*, item_id: int) -> dict:
    """What recalling the item would do now, in one query: live posts to delete, shares to cancel, and
    shares whose outcome is not known yet (looked up first, then deleted or cancelled)."""
    return Share.objects.filter(item_id=item_id).aggregate(
        live=Count("pk", filter=Q(status=ShareStatus.PUBLISHED)),
        scheduled=Count("pk", filter=Q(status=ShareStatus.SCHEDULED)),
        checking=Count("pk", filter=Q(status__in=[ShareStatus.PUBLISHING, ShareStatus.OUTCOME_UNKNOWN])),
    )


def recall_notices_for(user, *, days: int = 30) -> list[dict]:
    """The adviser's shares a recall stopped in the last ``days``, one notice per recalled item: whether
    their post was deleted (or is being deleted) and whether a scheduled share was cancelled. One query."""
    since = timezone.now() - dt.timedelta(days=days)
    shares = (
        Share.objects.filter(adviser_id=user.pk, item__status=ItemStatus.RECALLED)
        .filter(item__updated_at__gte=since)
        .filter(
            Q(status=ShareStatus.DELETED)
            | Q(status=ShareStatus.PUBLISHED, delete_requested_at__isnull=False)
            | Q(status=ShareStatus.CANCELLED, last_error=RECALL_REASON)
        )
        .select_related("item")
        .order_by("-item__updated_at", "pk")
    )
    notices: dict[int, dict] = {}
    for share in shares:
        notice = notices.setdefault(
            share.item_id,
            {"title": share.item.title, "when": share.item.updated_at, "deleted": False, "cancelled": False},
        )
        if share.status == ShareStatus.CANCELLED:
            notice["cancelled"] = True
        else:
            notice["deleted"] = True
    return list(notices.values())


# --- The adviser's own share of an item, said where they would share it -----------------------------
@dataclass(frozen=True)
class ShareState:
    """What the library and the share page say instead of offering "Share now" again: the adviser already
    shared or scheduled this item (one active share per adviser and item, ``ACTIVE_SHARE_STATUSES``)."""

    share: Share
    sentence: str

    @property
    def can_cancel(self) -> bool:
        return self.share.can_cancel

    @property
    def post_url(self) -> str:
        return self.share.post_url if self.share.status == ShareStatus.PUBLISHED else ""


def _state_of(share: Share) -> ShareState:
    if share.is_sending:
        sentence = _("Being sent to X now (shared at %(time)s).") % {
            "time": local_moment(share.scheduled_for)
        }
    elif share.can_cancel:
        sentence = _("You scheduled it for %(time)s.") % {"time": local_moment(share.scheduled_for)}
    elif share.status == ShareStatus.PUBLISHED:
        when = share.published_at or share.updated_at
        sentence = _("You shared it on %(time)s.") % {"time": local_moment(when)}
    else:  # outcome unknown, unconfirmed: it may be live, so it may not be shared again yet
        sentence = _("Your share of %(time)s is being checked on X.") % {
            "time": local_moment(share.scheduled_for)
        }
    return ShareState(share=share, sentence=sentence)


def share_states_for(user, item_ids) -> dict[int, ShareState]:
    """``user``'s active share of each of ``item_ids`` (a library page), keyed by item id. One query."""
    shares = Share.objects.filter(
        adviser_id=user.pk, item_id__in=list(item_ids), status__in=ACTIVE_SHARE_STATUSES
    )
    return {share.item_id: _state_of(share) for share in shares}


def share_state_of(user, item) -> ShareState | None:
    return share_states_for(user, [item.pk]).get(item.pk)
