"""Reads about the organisation: who has which role, and what a manager covers."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from advocacy.org.models import (
    Branch,
    EmailChangeRequest,
    Role,
    RoleGrantRequest,
    StaffProfile,
    StaffRole,
)
from advocacy.org.timezones import zone_named

User = get_user_model()


def roles_of(user) -> frozenset[str]:
    """The roles of a user, cached on the user object for the request.

    Every access check calls this, so it must cost at most one query per request.
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if getattr(user, "_relais_roles", None) is None:
        _load_staff_facts(user)
    return user._relais_roles


def time_zone_of(user) -> zoneinfo.ZoneInfo:
    """The person's time zone: their profile's, else the bank's ``TIME_ZONE``.

    Read with the roles (same query, same cache): the time zone middleware asks on every request, and
    nearly every request asks for the roles anyway (the second-factor gate, the access check, the
    navigation), so knowing the zone costs no query of its own.
    """
    if not getattr(user, "is_authenticated", False):
        return zone_named("")
    if getattr(user, "_relais_time_zone", None) is None:
        _load_staff_facts(user)
    return zone_named(user._relais_time_zone)


def _load_staff_facts(user) -> None:
    rows = list(StaffProfile.objects.filter(user_id=user.pk).values_list("time_zone", "roles__role"))
    user._relais_roles = frozenset(role for _zone, role in rows if role is not None)
    user._relais_time_zone = rows[0][0] if rows else ""


def profile_of(user) -> StaffProfile | None:
    """The person's staff profile with its branch (None for someone without one), read once per request
    and kept on the user object as the roles are: the library feed, the adviser's home, the campaign
    highlights and the previews' slot values all ask for it (three identical queries per page before,
    issue 13). ``user.staff`` then costs no query either."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    if not hasattr(user, "_relais_profile"):
        profile = StaffProfile.objects.filter(user_id=user.pk).select_related("branch").first()
        user._relais_profile = profile
        if profile is not None:
            user.staff = profile  # the reverse one-to-one's own cache (Django's documented assignment)
    return user._relais_profile


def has_any_role(user, roles: Iterable[str]) -> bool:
    return bool(roles_of(user) & set(roles))


def branches_covered_by(user) -> QuerySet[Branch]:
    """Branches whose activity a manager may see: their own branch for a branch manager, every branch of
    the regions they manage for a regional manager; nothing for anyone else."""
    roles = roles_of(user)
    profile = StaffProfile.objects.filter(user_id=user.pk).first()
    if profile is None:
        return Branch.objects.none()
    branch_ids: set[int] = set()
    if Role.REGIONAL_MANAGER in roles:
        branch_ids.update(
            Branch.objects.filter(region__in=profile.managed_regions.values("region")).values_list(
                "pk", flat=True
            )
        )
        if profile.branch_id and not profile.managed_regions.exists():
            # A regional manager with no explicit scope covers the region of their own branch.
            branch_ids.update(
                Branch.objects.filter(region_id=profile.branch.region_id).values_list("pk", flat=True)
            )
    if Role.BRANCH_MANAGER in roles and profile.branch_id:
        branch_ids.add(profile.branch_id)
    return Branch.objects.filter(pk__in=branch_ids).select_related("region")


def staff_covered_by(user) -> QuerySet[StaffProfile]:
    """The people a manager covers: active staff of the branches they cover (themselves excluded)."""
    return (
        StaffProfile.objects.filter(branch__in=branches_covered_by(user), user__is_active=True)
        .exclude(user_id=user.pk)
        .select_related("user", "branch")
        .prefetch_related("roles")
        .order_by("user__last_name", "user__first_name")
    )


def users_with_role(role: str) -> QuerySet:
    return User.objects.filter(is_active=True, staff__roles__role=role).distinct()


# --- Administration (the portal's Organisation pages) ------------------------------------------------------
def staff_for_administration(*, q: str = "", branch=None, role: str = "", status: str = "active") -> QuerySet:
    """Everyone an administrator manages, filtered, with what the list shows in a fixed number of queries
    (people, their roles, and whether a grant or an address change waits)."""
    people = (
        StaffProfile.objects.select_related("user", "branch__region")
        .prefetch_related("roles")
        .annotate(
            grant_waiting=Exists(
                RoleGrantRequest.objects.filter(
                    profile=OuterRef("pk"), status=RoleGrantRequest.Status.PENDING
                )
            ),
            email_waiting=Exists(
                EmailChangeRequest.objects.filter(
                    profile=OuterRef("pk"), status=EmailChangeRequest.Status.PENDING
                )
            ),
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )
    if q:
        people = people.filter(
            Q(user__email__icontains=q)
            | Q(user__last_name__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(employee_id__iexact=q)
        )
    if branch is not None:
        people = people.filter(branch=branch)
    if role:
        people = people.filter(Exists(StaffRole.objects.filter(profile=OuterRef("pk"), role=role)))
    if status == "active":
        people = people.filter(user__is_active=True)
    elif status == "inactive":
        people = people.filter(user__is_active=False)
    return people


def pending_grants() -> QuerySet:
    return (
        RoleGrantRequest.objects.filter(status=RoleGrantRequest.Status.PENDING)
        .select_related("profile__user", "profile__branch", "requested_by")
        .order_by("requested_at", "pk")
    )


def pending_email_changes() -> QuerySet:
    return (
        EmailChangeRequest.objects.filter(status=EmailChangeRequest.Status.PENDING)
        .select_related("profile__user", "requested_by")
        .order_by("requested_at", "pk")
    )


def approvals_waiting() -> int:
    """How many grants and address changes wait for an administrator (the Approvals tab's count)."""
    return pending_grants().count() + pending_email_changes().count()
