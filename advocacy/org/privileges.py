"""Privileged roles (``PRIVILEGED_ROLES``: administrator, compliance officer…): four eyes on every grant.

One administrator asks (``request_privileged_role``, from the person's page or an administrator's roster
import); the role takes effect only when a second administrator approves (``approve_role_grant``), who is
neither the requester nor the person concerned. Revocation is immediate (``revoke_privileged_role``). Each
step is archived: who, whom, which role, the roles before and after.

The first administrator has nobody to approve them: ``bootstrap_grant`` is the command line's way in
(``manage.py createadmin``, the demo seed, test fixtures). It takes a process name, never a person, so no
page can reach it, and its grant is archived with ``via: "bootstrap"`` for everyone to see.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.org.models import Role, RoleGrantRequest, StaffProfile
from advocacy.org.policies import (
    NotAllowed,
    decision_refusal,
    grant_refusal,
    privileged_roles,
    require_administrator,
    role_label,
)
from advocacy.org.services import _remaining_administrators, person, write_roles
from compliance.archive.services import record

Status = RoleGrantRequest.Status


def _held(profile: StaffProfile) -> set[str]:
    return set(profile.roles.values_list("role", flat=True))


def _check_privileged(role: str) -> str:
    role = Role(role).value
    if role not in privileged_roles():
        raise ValueError(f"{role} is not a privileged role; set it with set_roles")
    return role


@transaction.atomic
def request_privileged_role(
    *, profile: StaffProfile, role: str, actor, via: str = "portal"
) -> tuple[RoleGrantRequest, bool]:
    """Ask for ``role`` for the person. Safe to call twice: a pending request for the same role is returned
    as it is (``created`` False), so re-importing a roster does not pile up requests."""
    role = _check_privileged(role)
    refusal = grant_refusal(actor, subject_user_id=profile.user_id)
    if refusal:
        raise NotAllowed(refusal)
    if not profile.user.is_active:
        raise NotAllowed(_("This person is deactivated: reactivate them first."))
    if role in _held(profile):
        raise NotAllowed(
            _("%(name)s already holds the role %(role)s.")
            % {"name": profile.user.get_full_name() or profile.user.email, "role": role_label(role)}
        )
    existing = RoleGrantRequest.objects.filter(profile=profile, role=role, status=Status.PENDING).first()
    if existing is not None:
        return existing, False
    grant = RoleGrantRequest.objects.create(profile=profile, role=role, via=via, requested_by=actor)
    record(
        "staff.privilege_requested",
        subject=profile,
        actor=actor,
        payload={"request_id": grant.pk, "employee_id": profile.employee_id, "role": role, "via": via},
    )
    return grant, True


def _decide(grant: RoleGrantRequest, *, actor, status: str) -> bool:
    """The one door out of "pending": a conditional update, so that of two administrators deciding at once
    only one wins (and only the winner archives)."""
    now = timezone.now()
    won = RoleGrantRequest.objects.filter(pk=grant.pk, status=Status.PENDING).update(
        status=status, decided_by=actor, decided_at=now
    )
    if won:
        grant.status, grant.decided_by, grant.decided_at = status, actor, now
    return bool(won)


@transaction.atomic
def approve_role_grant(*, grant: RoleGrantRequest, actor) -> bool:
    """The second administrator's approval: the role takes effect now. Returns False when the request was
    no longer pending (someone else decided first)."""
    profile = StaffProfile.objects.select_related("user").get(pk=grant.profile_id)
    refusal = decision_refusal(actor, requested_by_id=grant.requested_by_id, subject_user_id=profile.user_id)
    if refusal:
        raise NotAllowed(refusal)
    if not profile.user.is_active:
        raise NotAllowed(_("This person is deactivated: refuse the request, or reactivate them first."))
    if not _decide(grant, actor=actor, status=Status.APPROVED):
        return False
    before = _held(profile)
    after = before | {grant.role}
    write_roles(profile=profile, before=before, after=after)
    record(
        "staff.privilege_granted",
        subject=profile,
        actor=actor,
        payload={
            "request_id": grant.pk,
            "employee_id": profile.employee_id,
            "role": grant.role,
            "via": grant.via,
            "requested_by": person(grant.requested_by),
            "before": sorted(before),
            "after": sorted(after),
        },
    )
    return True


@transaction.atomic
def refuse_role_grant(*, grant: RoleGrantRequest, actor) -> bool:
    """Any administrator may refuse a pending grant; the requester doing so withdraws it."""
    require_administrator(actor)
    status = Status.WITHDRAWN if actor.pk == grant.requested_by_id else Status.REFUSED
    if not _decide(grant, actor=actor, status=status):
        return False
    record(
        "staff.privilege_request_refused",
        subject=grant.profile,
        actor=actor,
        payload={
            "request_id": grant.pk,
            "employee_id": grant.profile.employee_id,
            "role": grant.role,
            "requested_by": person(grant.requested_by),
            "status": status,
        },
    )
    return True


@transaction.atomic
def revoke_privileged_role(*, profile: StaffProfile, role: str, actor) -> bool:
    """Take a privileged role away, at once (no second approval: removing power is never the risk). The
    last active administrator keeps theirs. Returns False when the person did not hold the role."""
    role = _check_privileged(role)
    require_administrator(actor)
    before = _held(profile)
    if role not in before:
        return False
    if role == Role.ADMIN and not _remaining_administrators(besides=profile):
        raise NotAllowed(_("This is the last active administrator: grant the role to someone else first."))
    after = before - {role}
    write_roles(profile=profile, before=before, after=after)
    record(
        "staff.privilege_revoked",
        subject=profile,
        actor=actor,
        payload={
            "employee_id": profile.employee_id,
            "role": role,
            "before": sorted(before),
            "after": sorted(after),
        },
    )
    return True


@transaction.atomic
def bootstrap_grant(*, profile: StaffProfile, role: str, process: str) -> bool:
    """Grant a privileged role without a second approval, for the command line only.

    ``process`` names the command ("createadmin", "seed_demo"): a person object is refused, so no view,
    admin action or task can call this on someone's behalf. Someone with shell access can already write
    the database; this path adds no power, it only makes sure such a grant is archived as what it is.
    Returns False when the person already held the role.
    """
    if not isinstance(process, str) or not process:
        raise TypeError("bootstrap_grant takes the name of a command-line process, never a person")
    role = _check_privileged(role)
    before = _held(profile)
    if role in before:
        return False
    after = before | {role}
    write_roles(profile=profile, before=before, after=after)
    record(
        "staff.privilege_granted",
        subject=profile,
        actor=process,
        payload={
            "request_id": None,
            "employee_id": profile.employee_id,
            "role": role,
            "via": "bootstrap",
            "requested_by": None,
            "before": sorted(before),
            "after": sorted(after),
        },
    )
    return True
