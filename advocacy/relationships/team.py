"""The managers' view of relationships: per adviser in their scope, what their client relationships come to.

Scope is the client book's: a branch manager sees the advisers of their branch, a regional manager those of
their region's branches, an administrator every adviser; nobody else anyone (the views answer 403 first).
One query draws a page of advisers with their figures as correlated subqueries (so any figure can be the
sort), one more the answer times of the page's advisers (the median is taken in Python: SQLite has no
percentile), whatever the number of advisers, clients or interactions.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from advocacy.clients.models import Client
from advocacy.org.models import Role, StaffRole
from advocacy.org.selectors import branches_covered_by, roles_of
from advocacy.relationships.follow_keys import CLIENT_POST_KINDS
from advocacy.relationships.models import Engager, Interaction
from advocacy.relationships.signals import ENGAGEMENT_KINDS

WINDOW_DAYS = 30
# ?sort= value -> order_by; "-" in front reverses. The median is shown, not sorted on (computed per page).
SORTS = {
    "name": (Lower("last_name"), Lower("first_name"), "pk"),
    "branch": ("staff__branch__name", Lower("last_name"), "pk"),
    "linked": ("linked_clients", "pk"),
    "engaged": ("engaged_clients", "pk"),
    "prospects": ("new_prospects", "pk"),
}


def advisers_in_scope(user) -> QuerySet:
    """The advisers ``user`` may look at (active staff with the adviser role)."""
    User = get_user_model()
    is_adviser = StaffRole.objects.filter(profile__user_id=OuterRef("pk"), role=Role.ADVISER)
    qs = User.objects.filter(is_active=True).filter(Exists(is_adviser))
    roles = roles_of(user)
    if Role.ADMIN in roles:
        return qs
    if Role.BRANCH_MANAGER in roles or Role.REGIONAL_MANAGER in roles:
        return qs.filter(staff__branch__in=branches_covered_by(user))
    return qs.none()


def _count(subquery: QuerySet, field: str, *, distinct: bool = False) -> Coalesce:
    counted = (
        subquery.order_by().values("adviser_id").annotate(c=Count(field, distinct=distinct)).values("c")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_figures(advisers: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    """``advisers`` with ``linked_clients``, ``engaged_clients`` (clients who engaged in the last 30 days)
    and ``new_prospects`` (people, not clients, whose first engagement fell in the last 30 days: read from
    their ``Engager`` summaries, not from the advisers' whole histories)."""
    since = (now or timezone.now()) - dt.timedelta(days=WINDOW_DAYS)
    linked = Client.objects.filter(
        adviser_id=OuterRef("pk"), current_consent__given=True, current_consent__withdrawn_at__isnull=True
    ).exclude(x_user_id="")
    engaged = Interaction.objects.filter(
        adviser_id=OuterRef("pk"), client__isnull=False, occurred_at__gte=since, kind__in=ENGAGEMENT_KINDS
    )
    is_client = Client.objects.filter(adviser_id=OuterRef("adviser_id"), x_user_id=OuterRef("actor_id"))
    prospects = (
        Engager.objects.filter(adviser_id=OuterRef("pk"), first_engaged_at__gte=since)
        .alias(known=Exists(is_client))
        .filter(known=False)
    )
    return advisers.select_related("staff__branch").annotate(
        linked_clients=_count(linked, "pk"),
        engaged_clients=_count(engaged, "client_id", distinct=True),
        new_prospects=_count(prospects, "pk"),
    )


def sorted_by(advisers: QuerySet, sort: str) -> tuple[QuerySet, str]:
    """``advisers`` in the order ``sort`` names (unknown: by name); returns the sort applied."""
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "name", "name"
    order = SORTS[key]
    if sort.startswith("-"):
        order = tuple(o.desc() if hasattr(o, "desc") else f"-{o}" for o in order)
    return advisers.order_by(*order), sort


def median_answer_seconds(adviser_ids, *, now: dt.datetime | None = None) -> dict[int, float]:
    """Per adviser, the median time between a client's post (mention, reply, quote) of the last 30 days and
    the adviser's first answer from Relais (``answers.mark_answered``); absent when none was answered."""
    since = (now or timezone.now()) - dt.timedelta(days=WINDOW_DAYS)
    delays: dict[int, list[float]] = {}
    for adviser_id, occurred, answered in Interaction.objects.filter(
        adviser_id__in=list(adviser_ids),
        client__isnull=False,
        kind__in=CLIENT_POST_KINDS,
        occurred_at__gte=since,
        answered_at__isnull=False,
    ).values_list("adviser_id", "occurred_at", "answered_at"):
        delays.setdefault(adviser_id, []).append(max((answered - occurred).total_seconds(), 0))
    return {adviser_id: statistics.median(values) for adviser_id, values in delays.items()}


def duration_label(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    days = round(hours / 24)
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


@dataclass(frozen=True)
class AdviserRow:
    adviser: object
    name: str
    branch: str
    linked_clients: int
    engaged_clients: int
    new_prospects: int
    median_answer: str


def rows_of(advisers) -> list[AdviserRow]:
    """The page's rows: ``advisers`` from ``with_figures`` (already fetched), plus one query for answers."""
    advisers = list(advisers)
    medians = median_answer_seconds([a.pk for a in advisers])
    rows = []
    for adviser in advisers:
        staff = getattr(adviser, "staff", None)
        rows.append(
            AdviserRow(
                adviser,
                adviser.get_full_name() or adviser.email,
                staff.branch.name if staff and staff.branch else "",
                adviser.linked_clients,
                adviser.engaged_clients,
                adviser.new_prospects,
                duration_label(medians.get(adviser.pk)),
            )
        )
    return rows


def engaged_clients_of(adviser, *, now: dt.datetime | None = None, limit: int = 50) -> list[dict]:
    """The adviser's clients who engaged in the last 30 days, most recent first (for their manager)."""
    since = (now or timezone.now()) - dt.timedelta(days=WINDOW_DAYS)
    return list(
        Interaction.objects.filter(
            adviser_id=adviser.pk, client__isnull=False, occurred_at__gte=since, kind__in=ENGAGEMENT_KINDS
        )
        .values("client_id", "client__first_name", "client__last_name", "client__client_ref")
        .annotate(engagements=Count("id"), last_engaged=Max("occurred_at"))
        .order_by("-last_engaged", "client_id")[:limit]
    )
