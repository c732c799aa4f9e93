"""Writes about staff: create or update a profile, change roles, move, deactivate, and the branches.

Every change that a regulator may ask about (who could approve what, when) goes to the archive. Privileged
roles are not given here: ``set_roles`` refuses them, and ``advocacy.org.privileges`` grants them with four
eyes. A change of address is not made here either: ``upsert_staff`` turns it into a request that an
administrator confirms (``advocacy.org.identity``). Django's ``is_staff``/``is_superuser`` are written in
one place, ``_sync_django_flags``: they follow the administrator role and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from advocacy.org.models import Branch, ManagedRegion, Region, Role, StaffProfile, StaffRole
from advocacy.org.policies import (
    NotAllowed,
    email_domain_refusal,
    privileged_roles,
    require_administrator,
    role_label,
)
from advocacy.org.slot_values import validate_short_line, validate_slot_value
from advocacy.org.timezones import validate_time_zone
from compliance.archive.services import record

User = get_user_model()


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


def person(user) -> dict:
    """How the archive names someone in a payload (``events.Person``): id, name and address at the time."""
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


def first_name_problem(first_name: str) -> str | None:
    """Why a first name cannot be stored, or None: it fills templates' ``{first_name}`` slot."""
    return _slot_problem(first_name, _("The first name"))


def city_problem(city: str) -> str | None:
    """Why a branch city cannot be stored, or None: it fills templates' ``{branch_city}`` slot."""
    return _slot_problem(city, _("The city"))


def _slot_problem(value: str, label: str) -> str | None:
    try:
        validate_slot_value(value, field_label=label)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def privileged_additions(*, wanted: Iterable[str], current: Iterable[str]) -> list[str]:
    """The privileged roles in ``wanted`` that the person does not hold yet, in ``Role`` order."""
    new = set(wanted) - set(current)
    return [role for role in Role.values if role in new and role in privileged_roles()]


@transaction.atomic
def upsert_staff(*, data: StaffData, actor=None, via: str = "roster") -> tuple[StaffProfile, bool]:
    """Create a member of staff, or update the one with the same employee id.

    The employee id is the key HR owns; the e-mail can change (marriage, new domain), but not from here:
    a different address becomes a request an administrator confirms, and the account keeps its address
    until then (``identity.request_email_change``; the old address is told). Privileged roles cannot be
    given here (``NotAllowed``); the ones the person holds are kept. Returns the profile and whether it
    was created.
    """
    email = data.email.strip().lower()
    problem = first_name_problem(data.first_name)
    if problem:
        raise NotAllowed(problem)
    profile = StaffProfile.objects.select_related("user").filter(employee_id=data.employee_id).first()
    created = profile is None
    current_roles = set() if created else set(profile.roles.values_list("role", flat=True))
    _refuse_privileged_additions(wanted=data.roles, current=current_roles)
    if created:
        problem = email_domain_refusal(email)
        if problem:
            raise NotAllowed(problem)
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
        for field, value in (("first_name", data.first_name), ("last_name", data.last_name)):
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
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    set_roles(profile=profile, roles=data.roles, actor=actor)
    record(
        "staff.created" if created else "staff.updated",
        subject=profile,
        actor=actor,
        payload={
            "employee_id": profile.employee_id,
            "email": user.email,
            "branch": data.branch.code if data.branch else None,
            "language": data.language,
            **({"time_zone": data.time_zone} if data.time_zone is not None else {}),
        },
    )
    if not created and email != user.email:
        from advocacy.org.identity import request_email_change

        request_email_change(profile=profile, new_email=email, actor=actor, via=via)
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


def _refuse_privileged_additions(*, wanted: Iterable[str], current: Iterable[str]) -> None:
    added = privileged_additions(wanted=wanted, current=current)
    if added:
        raise NotAllowed(
            _(
                "%(roles)s cannot be given here: an administrator asks for a privileged role on the person's "
                "page and a second administrator approves it."
            )
            % {"roles": ", ".join(role_label(r) for r in added)}
        )


@transaction.atomic
def set_roles(*, profile: StaffProfile, roles: Iterable[str], actor=None) -> None:
    """Replace a profile's ordinary roles.

    Privileged roles are outside this function: asking for one the person does not hold raises
    ``NotAllowed`` (they are granted by ``privileges.approve_role_grant``), and the ones they hold are kept
    whatever ``roles`` says (they are removed by ``privileges.revoke_privileged_role``), so that each
    privileged move has one door, which archives it.
    """
    wanted = {Role(r).value for r in roles}
    current = set(profile.roles.values_list("role", flat=True))
    _refuse_privileged_additions(wanted=wanted, current=current)
    wanted |= current & privileged_roles()
    if wanted != current:
        write_roles(profile=profile, before=current, after=wanted)
        record(
            "staff.roles_changed",
            subject=profile,
            actor=actor,
            payload={"before": sorted(current), "after": sorted(wanted)},
        )
    else:
        _sync_django_flags(profile.user, wanted)


def write_roles(*, profile: StaffProfile, before: set[str], after: set[str]) -> None:
    """Store a role set and bring Django's flags in line. Only for this module and ``privileges``: the
    callers archive the change (set_roles, approve_role_grant, revoke_privileged_role, bootstrap_grant)."""
    profile.roles.exclude(role__in=after).delete()
    StaffRole.objects.bulk_create([StaffRole(profile=profile, role=r) for r in sorted(after - before)])
    _sync_django_flags(profile.user, after)
    profile.user.__dict__.pop("_relais_roles", None)


def _sync_django_flags(user, roles: Iterable[str]) -> None:
    """The one place ``is_staff`` and ``is_superuser`` are written: administrators get Django's admin
    site, nobody else does (an account adopted from ``createsuperuser`` loses the flags it had)."""
    is_admin = Role.ADMIN in set(roles)
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        User.objects.filter(pk=user.pk).update(is_staff=is_admin, is_superuser=is_admin)
        user.is_staff = user.is_superuser = is_admin


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


# --- Administrators, on the portal's Organisation pages ----------------------------------------------------
def _remaining_administrators(*, besides: StaffProfile) -> bool:
    return (
        StaffRole.objects.filter(role=Role.ADMIN, profile__user__is_active=True)
        .exclude(profile=besides)
        .exists()
    )


@transaction.atomic
def edit_staff(
    *,
    profile: StaffProfile,
    branch: Branch | None,
    roles: Iterable[str],
    managed_regions: Iterable[Region],
    actor,
) -> list[str]:
    """An administrator moves someone, changes their ordinary roles or a regional manager's regions.

    Each kind of change is archived as its own event (``staff.updated``, ``staff.roles_changed``,
    ``staff.managed_regions_changed``). Privileged roles are not changed here. Returns what changed.
    """
    require_administrator(actor)
    changed: list[str] = []
    if profile.branch_id != (branch.pk if branch else None):
        profile.branch = branch
        profile.save(update_fields=["branch", "updated_at"])
        record(
            "staff.updated",
            subject=profile,
            actor=actor,
            payload={
                "employee_id": profile.employee_id,
                "email": profile.user.email,
                "branch": branch.code if branch else None,
                "language": profile.language,
            },
        )
        changed.append("branch")
    before_roles = set(profile.roles.values_list("role", flat=True))
    set_roles(profile=profile, roles=roles, actor=actor)
    if set(profile.roles.values_list("role", flat=True)) != before_roles:
        changed.append("roles")
    wanted = {region.pk: region for region in managed_regions}
    current = dict(ManagedRegion.objects.filter(profile=profile).values_list("region_id", "region__code"))
    if set(wanted) != set(current):
        ManagedRegion.objects.filter(profile=profile).exclude(region_id__in=wanted).delete()
        ManagedRegion.objects.bulk_create(
            [ManagedRegion(profile=profile, region=wanted[pk]) for pk in wanted if pk not in current]
        )
        record(
            "staff.managed_regions_changed",
            subject=profile,
            actor=actor,
            payload={
                "employee_id": profile.employee_id,
                "before": sorted(current.values()),
                "after": sorted(region.code for region in wanted.values()),
            },
        )
        changed.append("managed_regions")
    return changed


def set_active(*, profile: StaffProfile, active: bool, actor) -> bool:
    """An administrator deactivates or reactivates someone. Nobody deactivates themselves, and the last
    active administrator stays (nobody could grant the role again). Returns whether anything changed."""
    require_administrator(actor)
    if active:
        return reactivate_staff(profile=profile, actor=actor)
    if profile.user_id == actor.pk:
        raise NotAllowed(_("Nobody can deactivate themselves."))
    if Role.ADMIN in set(profile.roles.values_list("role", flat=True)) and not _remaining_administrators(
        besides=profile
    ):
        raise NotAllowed(_("This is the last active administrator: grant the role to someone else first."))
    return deactivate_staff(profile=profile, actor=actor)


def _branch_fields(*, code: str, name: str, city: str) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    code = code.strip().upper()
    if not code:
        errors["code"] = [_("Give the branch a code.")]
    try:
        name = validate_short_line(name, field_label=_("The name"))
    except ValidationError as exc:
        errors["name"] = exc.messages
    else:
        if not name:
            errors["name"] = [_("Give the branch a name.")]
    problem = city_problem(city) if city.strip() else _("Give the branch's city.")
    if problem:
        errors["city"] = [problem]
    if errors:
        raise ValidationError(errors)
    return {"code": code, "name": name, "city": validate_slot_value(city, field_label="")}


def _branch_state(branch: Branch) -> dict:
    return {"code": branch.code, "name": branch.name, "city": branch.city, "region": branch.region.code}


@transaction.atomic
def save_branch(*, branch: Branch | None, code: str, name: str, city: str, region: Region, actor) -> Branch:
    """Create a branch (``branch`` None) or change one. The city fills templates' ``{branch_city}``, so it
    follows the slot rule (``validate_slot_value``). Raises ``ValidationError`` (by field) or
    ``NotAllowed``; archives ``org.branch_created`` or ``org.branch_changed`` with before and after."""
    require_administrator(actor)
    fields = _branch_fields(code=code, name=name, city=city)
    clash = Branch.objects.filter(code__iexact=fields["code"])
    if branch is not None:
        clash = clash.exclude(pk=branch.pk)
    if clash.exists():
        raise ValidationError({"code": [_("Another branch already has the code %(code)s.") % fields]})
    if branch is None:
        branch = Branch.objects.create(region=region, **fields)
        record(
            "org.branch_created",
            subject=branch,
            actor=actor,
            payload={"branch_id": branch.pk, "before": None, "after": _branch_state(branch)},
        )
        return branch
    before = _branch_state(branch)
    branch.code, branch.name, branch.city, branch.region = (
        fields["code"],
        fields["name"],
        fields["city"],
        region,
    )
    after = _branch_state(branch)
    if after != before:
        branch.save(update_fields=["code", "name", "city", "region"])
        record(
            "org.branch_changed",
            subject=branch,
            actor=actor,
            payload={"branch_id": branch.pk, "before": before, "after": after},
        )
    return branch
