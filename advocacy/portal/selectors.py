"""Reads for the home pages: real figures only; a later feature fills its own panel."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from advocacy.content import selectors as content_selectors
from advocacy.org.models import Branch, Region, Role, StaffProfile
from advocacy.org.selectors import roles_of, staff_covered_by

User = get_user_model()


def home_panels_for(user) -> dict[str, object]:
    roles = roles_of(user)
    panels: dict[str, object] = {"roles": roles, "role_labels": [Role(r).label for r in sorted(roles)]}
    if roles & {Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER}:
        since = timezone.now() - timedelta(days=30)
        panels["team"] = list(
            staff_covered_by(user).annotate(
                published_30d=Count(
                    "user__shares",
                    filter=Q(user__shares__status="published", user__shares__published_at__gte=since),
                ),
            )[:200]
        )
    if roles & {Role.HR, Role.ADMIN}:
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
        from advocacy.publishing.selectors import sharing_home_panel

        panels["sharing"] = sharing_home_panel(user)
    if roles & {Role.COMPLIANCE, Role.MARKETING}:
        panels["content_authoring"] = content_selectors.authoring_home_panel()
    if Role.COMPLIANCE in roles:
        from compliance.review.selectors import queue_summary_for

        panels["review_queue"] = queue_summary_for(user)
    return panels
