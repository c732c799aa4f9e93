"""Writes about staff: create or update a profile, change roles, deactivate, invite.

Every change that a regulator may ask about (who could approve what, when) goes to the archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from advocacy.org.models import Branch, Role, StaffProfile, StaffRole
from advocacy.org.timezones import validate_time_zone
from compliance.archive.services import record

User = get_user_model()

PRIVILEGED_ROLES = {Role.ADMIN}


@dataclass(frozen=True)
class StaffData:
    employee_id: str
    email: str
    first_name: str
    last_name: str
    branch: Branch | None
    roles: frozenset[str]
    language: str = "fr"
    time_zone: str | None = None  # an IANA name, "" for the bank's zone; None leaves it as it is


@transaction.atomic
def upsert_staff(*, data: StaffData, actor=None) -> tuple[StaffProfile, bool]:
    """Create a member of staff, or update the one with the same employee id.

    The employee id is the key HR owns; the e-mail can change (marriage, new domain). Returns the profile
    and whether it was created.
    """
    email = data.email.strip().lower()
    profile = StaffProfile.objects.select_related("user").filter(employee_id=data.employee_id).first()
    created = profile is None
    if created:
        # Addresses are stored lower-cased, so an exact match uses the index on auth_user.email.
        user = User.objects.filter(email=email).first() or User(username=email[:150], email=email)
        user.first_name, user.last_name = data.first_name, data.last_name
        if user.pk is None:
            user.set_unusable_password()
        user.save()
        profile = StaffProfile.objects.create(
            user=user,
            employee_id=data.employee_id,
            branch=data.branch,
            language=data.language,
            time_zone=data.time_zone or "",
        )
    else:
        user = profile.user
        changed = []
        for field, value in (
            ("email", email),
            ("first_name", data.first_name),
            ("last_name", data.last_name),
        ):
            if getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        profile.branch, profile.language = data.branch, data.language
        fields = ["branch", "language", "updated_at"]
        if data.time_zone is not None:
            profile.time_zone = data.time_zone
            fields.append("time_zone")
        profile.save(update_fields=fields)
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    set_roles(profile=profile, roles=data.roles, actor=actor)
    record(
        "staff.created" if created else "staff.updated",
        subject=profile,
        actor=actor,
        payload={
            "employee_id": profile.employee_id,
            "email": email,
            "branch": data.branch.code if data.branch else None,
            "language": data.language,
            **({"time_zone": data.time_zone} if data.time_zone is not None else {}),
        },
    )
    return profile, created


def set_preferences(*, profile: StaffProfile, language: str, time_zone: str) -> None:
    """The person's own choices: interface language, and the time zone they read and schedule in ("" for
    the bank's). Not archived: they change how Relais speaks to one person, not what anyone may do."""
    if language not in StaffProfile.Language.values:
        raise ValueError(f"unknown language {language!r}")
    validate_time_zone(time_zone)
    profile.language, profile.time_zone = language, time_zone
    profile.save(update_fields=["language", "time_zone", "updated_at"])
    profile.user.__dict__.pop("_relais_time_zone", None)


@transaction.atomic
def set_roles(*, profile: StaffProfile, roles: Iterable[str], actor=None) -> None:
    """Replace a profile's roles; administrators get Django's admin site, nobody else does."""
    wanted = {Role(r) for r in roles}
    current = set(profile.roles.values_list("role", flat=True))
    if wanted == current:
        return
    profile.roles.exclude(role__in=wanted).delete()
    StaffRole.objects.bulk_create([StaffRole(profile=profile, role=r) for r in wanted - current])
    user = profile.user
    is_admin = Role.ADMIN in wanted
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("_relais_roles", None)
    record(
        "staff.roles_changed",
        subject=profile,
        actor=actor,
        payload={"before": sorted(current), "after": sorted(wanted)},
    )


@transaction.atomic
def deactivate_staff(*, profile: StaffProfile, actor=None) -> bool:
    """Stop someone from signing in. Their open sessions end on their next request: Django's backend
    refuses inactive users when it reloads the session's user."""
    updated = User.objects.filter(pk=profile.user_id, is_active=True).update(is_active=False)
    if updated:
        record(
            "staff.deactivated", subject=profile, actor=actor, payload={"employee_id": profile.employee_id}
        )
    return bool(updated)


@transaction.atomic
def reactivate_staff(*, profile: StaffProfile, actor=None) -> bool:
    updated = User.objects.filter(pk=profile.user_id, is_active=False).update(is_active=True)
    if updated:
        record(
            "staff.reactivated", subject=profile, actor=actor, payload={"employee_id": profile.employee_id}
        )
    return bool(updated)
