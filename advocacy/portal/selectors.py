"""Reads for the home pages: real figures only; a later feature fills its own panel."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import QueryDict
from django.utils import timezone

from advocacy.content import selectors as content_selectors
from advocacy.org.access import CONTENT_AUTHORS, MANAGERS, STAFF_ADMINS
from advocacy.org.models import Branch, Region, Role, StaffProfile
from advocacy.org.selectors import roles_of, staff_covered_by

User = get_user_model()


TEAM_PAGE_SIZE = 50
TEAM_SORTS = {
    "name": ("user__last_name", "user__first_name", "pk"),
    "branch": ("branch__name", "user__last_name", "user__first_name", "pk"),
}


def team_page(user, params) -> dict[str, object]:
    """The manager's whole team, a page at a time, sorted by name or branch (``team_sort``, ``page``),
    with each member's posts of the last 30 days counted for the page shown only: one grouped query served
    by the shares' (adviser, published_at) index. The team is bounded by the organisation (about a thousand
    people for a region), so its count and page numbers are cheap; history never enters it."""
    from advocacy.shares.models import Share

    sort = params.get("team_sort") if params.get("team_sort") in TEAM_SORTS else "name"
    members = staff_covered_by(user).order_by(*TEAM_SORTS[sort])
    page = Paginator(members, TEAM_PAGE_SIZE).get_page(params.get("page"))
    since = timezone.now() - timedelta(days=30)
    counts = dict(
        Share.objects.filter(
            adviser_id__in=[m.user_id for m in page.object_list],
            published_at__gte=since,
            status=Share.Status.PUBLISHED,
        )
        .values("adviser_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("adviser_id", "n")
    )
    for member in page.object_list:
        member.published_30d = counts.get(member.user_id, 0)
    query = params.copy()
    query.pop("page", None)
    return {"page": page, "sort": sort, "query": query.urlencode()}


def home_panels_for(user, params=None) -> dict[str, object]:
    """``params``: the request's query (``request.GET``), for the panels that page."""
    roles = roles_of(user)
    panels: dict[str, object] = {"roles": roles, "role_labels": [Role(r).label for r in sorted(roles)]}
    if roles & MANAGERS.roles:
        panels["team_panel"] = team_page(user, params if params is not None else QueryDict())
        panels["team"] = panels["team_panel"]["page"].object_list
    if roles & STAFF_ADMINS.roles:
        panels["organisation"] = {
            "regions": Region.objects.count(),
            "branches": Branch.objects.count(),
            **StaffProfile.objects.aggregate(
                active=Count("pk", filter=Q(user__is_active=True)),
                inactive=Count("pk", filter=Q(user__is_active=False)),
                never_signed_in=Count("pk", filter=Q(user__is_active=True, user__last_login__isnull=True)),
            ),
        }
    if Role.ADVISER in roles:
        panels["content_adviser"] = content_selectors.adviser_home_panel(user)
        from advocacy.shares.selectors import recall_notices_for, sharing_home_panel

        panels["sharing"] = sharing_home_panel(user)
        panels["recall_notices"] = recall_notices_for(user)  # what a recall did to my posts, on arrival
    if roles & CONTENT_AUTHORS.roles:
        panels["content_authoring"] = content_selectors.authoring_home_panel()
    if Role.COMPLIANCE in roles:
        from compliance.review.selectors import queue_summary_for

        panels["review_queue"] = queue_summary_for(user)
    return panels
