"""Four eyes on privilege: nobody grants themselves power, every grant needs a second administrator, every
grant and revocation is archived. Through the real flows: HR's roster page, the Organisation pages."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse

from advocacy.accounts.roster_import import import_staff_roster
from advocacy.org.models import Role, RoleGrantRequest, StaffProfile
from advocacy.org.policies import NotAllowed, check_privileged_roles_setting
from advocacy.org.privileges import (
    approve_role_grant,
    bootstrap_grant,
    request_privileged_role,
    revoke_privileged_role,
)
from advocacy.org.selectors import roles_of
from advocacy.org.services import set_roles
from tests.accounts.conftest import roster_csv
from tests.org.conftest import archived

pytestmark = pytest.mark.django_db
User = get_user_model()


def roles(user) -> set[str]:
    return set(StaffProfile.objects.get(user=user).roles.values_list("role", flat=True))


def hr_row(user, roles_cell: str) -> str:
    profile = user.staff
    return f"{profile.employee_id},{user.email},{user.first_name},{user.last_name},,{roles_cell},en"


# --- The roster -------------------------------------------------------------------------------------------
def test_hr_cannot_make_itself_administrator_or_compliance_officer_through_the_roster(hr, upload_roster):
    before = len(archived("staff.roles_changed", subject_user_id=hr.pk))
    roster_import = upload_roster(hr, hr_row(hr, "hr|admin|compliance"))

    assert roster_import.status == "done"
    assert (roster_import.updated_count, roster_import.error_count) == (0, 1)
    [error] = roster_import.errors
    assert error["column"] == "roles" and error["line"] == 2
    assert "Only an administrator can grant a privileged role" in error["message"]
    assert "Roles asked for: Compliance officer, Administrator." in error["message"]
    hr.refresh_from_db()
    assert roles(hr) == {Role.HR}
    assert not hr.is_superuser and not hr.is_staff
    assert len(archived("staff.roles_changed", subject_user_id=hr.pk)) == before
    assert archived("staff.privilege_granted") == []
    assert not RoleGrantRequest.objects.exists()


def test_hr_cannot_import_a_new_administrator_and_no_invitation_leaves(hr, upload_roster):
    roster_import = upload_roster(
        hr,
        "N1,mallory@bank.test,Mallory,Evil,,admin,en",
        "N2,eve@bank.test,Eve,Evil,,Conformité,en",
        send_invitations=True,
    )

    assert (roster_import.created_count, roster_import.error_count) == (0, 2)
    assert [e["column"] for e in roster_import.errors] == ["roles", "roles"]
    assert not User.objects.filter(email__in=["mallory@bank.test", "eve@bank.test"]).exists()
    assert mail.outbox == []


def test_hr_may_still_give_ordinary_roles_and_keeps_privileged_ones_it_leaves_out(
    hr, administrator2, upload_roster
):
    roster_import = upload_roster(hr, hr_row(administrator2, "adviser"))
    assert roster_import.errors == []
    assert roles(administrator2) == {Role.ADMIN, Role.ADVISER}  # removed on the portal, never by a file


def test_an_administrators_roster_asks_for_privileged_roles_and_they_wait_for_a_second_administrator(
    administrator, administrator2, upload_roster, client_for
):
    roster_import = upload_roster(administrator, "N1,anne@bank.test,Anne,Roy,LIL01,adviser|compliance,en")

    assert roster_import.created_count == 1
    [notice] = roster_import.errors
    assert notice["column"] == "roles" and "second administrator approves" in notice["message"]
    anne = User.objects.get(email="anne@bank.test")
    assert roles(anne) == {Role.ADVISER}  # no effect yet
    grant = RoleGrantRequest.objects.get(profile=anne.staff)
    assert (grant.role, grant.status, grant.requested_by, grant.via) == (
        "compliance",
        "pending",
        administrator,
        "roster",
    )

    response = client_for(administrator2).post(
        reverse("org:decide_grant", args=[grant.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert roles(anne) == {Role.ADVISER, Role.COMPLIANCE}
    [granted] = archived("staff.privilege_granted", subject_user_id=anne.pk)
    assert granted.actor_id == administrator2.pk
    assert granted.payload["requested_by"]["id"] == administrator.pk
    assert (granted.payload["role"], granted.payload["via"]) == ("compliance", "roster")
    assert (granted.payload["before"], granted.payload["after"]) == (["adviser"], ["adviser", "compliance"])


def test_an_administrator_cannot_grant_themselves_a_role_through_their_own_roster(administrator):
    outcome = import_staff_roster(
        data=roster_csv(hr_row(administrator, "admin|compliance")), filename="r.csv", actor=administrator
    )
    [error] = outcome.errors
    assert "Nobody can grant themselves a privileged role" in error.message
    assert roles(administrator) == {Role.ADMIN}
    assert not RoleGrantRequest.objects.exists()


# --- The Organisation pages -------------------------------------------------------------------------------
def test_nobody_can_ask_for_a_privileged_role_for_themselves(administrator, client_for):
    client = client_for(administrator)
    page = client.get(reverse("org:staff_detail", args=[administrator.staff.pk]))
    assert "Nobody can ask for a privileged role for themselves" in page.content.decode()
    response = client.post(
        reverse("org:staff_request_grant", args=[administrator.staff.pk]),
        {"role": Role.COMPLIANCE},
        follow=True,
    )
    assert "Nobody can grant themselves a privileged role" in response.content.decode()
    assert not RoleGrantRequest.objects.exists()
    assert roles(administrator) == {Role.ADMIN}


def test_a_grant_without_the_second_approval_has_no_effect(administrator, adviser, client_for):
    client = client_for(administrator)
    client.post(reverse("org:staff_request_grant", args=[adviser.staff.pk]), {"role": Role.COMPLIANCE})

    grant = RoleGrantRequest.objects.get()
    assert grant.status == "pending"
    assert roles(adviser) == {Role.ADVISER}
    assert client_for(adviser).get(reverse("review:queue")).status_code == 403
    [asked] = archived("staff.privilege_requested")
    assert asked.actor_id == administrator.pk and asked.subject_user_id == adviser.pk
    assert asked.payload == {
        "request_id": grant.pk,
        "employee_id": adviser.staff.employee_id,
        "role": "compliance",
        "via": "portal",
    }
    assert archived("staff.privilege_granted", subject_user_id=adviser.pk) == []


def test_the_requester_cannot_approve_their_own_request_and_the_person_concerned_cannot_either(
    administrator, administrator2, make_staff, client_for
):
    third = make_staff(Role.ADVISER)
    grant, _created = request_privileged_role(profile=third.staff, role=Role.ADMIN, actor=administrator)

    page = client_for(administrator).get(reverse("org:approvals")).content.decode()
    assert "You asked for this change: a second administrator must approve it." in page
    response = client_for(administrator).post(
        reverse("org:decide_grant", args=[grant.pk]), {"decision": "approve"}, follow=True
    )
    assert "a second administrator must approve it" in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == "pending" and roles(third) == {Role.ADVISER}

    # Asked for administrator2 by administrator: administrator2 may not approve their own promotion.
    own, _created = request_privileged_role(
        profile=administrator2.staff, role=Role.COMPLIANCE, actor=administrator
    )
    with pytest.raises(NotAllowed, match="concerns you"):
        approve_role_grant(grant=own, actor=administrator2)
    assert roles(administrator2) == {Role.ADMIN}


def test_no_other_role_can_ask_approve_or_revoke(administrator, personas, client_for):
    adviser = personas[Role.ADVISER]
    grant, _created = request_privileged_role(
        profile=adviser.staff, role=Role.COMPLIANCE, actor=administrator
    )
    for role in (
        Role.ADVISER,
        Role.BRANCH_MANAGER,
        Role.REGIONAL_MANAGER,
        Role.COMPLIANCE,
        Role.MARKETING,
        Role.HR,
    ):
        client = client_for(personas[role])
        assert (
            client.post(reverse("org:decide_grant", args=[grant.pk]), {"decision": "approve"}).status_code
            == 403
        )
        assert (
            client.post(
                reverse("org:staff_request_grant", args=[adviser.staff.pk]), {"role": Role.ADMIN}
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("org:staff_revoke", args=[personas[Role.COMPLIANCE].staff.pk]),
                {"role": Role.COMPLIANCE},
            ).status_code
            == 403
        )
        with pytest.raises(NotAllowed):
            approve_role_grant(grant=grant, actor=personas[role])
        with pytest.raises(NotAllowed):
            request_privileged_role(profile=adviser.staff, role=Role.ADMIN, actor=personas[role])
    grant.refresh_from_db()
    assert grant.status == "pending"
    assert roles(adviser) == {Role.ADVISER}
    assert roles(personas[Role.COMPLIANCE]) == {Role.COMPLIANCE}


def test_a_request_for_an_unknown_grant_answers_404(administrator, client_for):
    assert (
        client_for(administrator)
        .post(reverse("org:decide_grant", args=[999]), {"decision": "approve"})
        .status_code
        == 404
    )


def test_revocation_is_immediate_and_archived(administrator, administrator2, compliance_officer, client_for):
    officer = client_for(compliance_officer)
    assert officer.get(reverse("review:queue")).status_code == 200

    response = client_for(administrator).post(
        reverse("org:staff_revoke", args=[compliance_officer.staff.pk]), {"role": Role.COMPLIANCE}
    )
    assert response.status_code == 302
    assert roles(compliance_officer) == set()
    assert officer.get(reverse("review:queue")).status_code == 403  # the open session, next request
    [revoked] = archived("staff.privilege_revoked")
    assert revoked.actor_id == administrator.pk and revoked.subject_user_id == compliance_officer.pk
    assert revoked.payload == {
        "employee_id": compliance_officer.staff.employee_id,
        "role": "compliance",
        "before": ["compliance"],
        "after": [],
    }

    # An administrator losing the role loses Django's admin with it.
    assert client_for(administrator2).get("/admin/").status_code == 200
    revoke_privileged_role(profile=administrator2.staff, role=Role.ADMIN, actor=administrator)
    administrator2.refresh_from_db()
    assert not administrator2.is_superuser and not administrator2.is_staff
    assert client_for(administrator2).get("/admin/").status_code == 302


def test_the_last_active_administrator_keeps_the_role(administrator, client_for):
    response = client_for(administrator).post(
        reverse("org:staff_revoke", args=[administrator.staff.pk]), {"role": Role.ADMIN}, follow=True
    )
    assert "last active administrator" in response.content.decode()
    assert roles(administrator) == {Role.ADMIN}


def test_every_grant_and_revocation_is_archived_in_order(administrator, administrator2, adviser, client_for):
    first, second = client_for(administrator), client_for(administrator2)
    first.post(reverse("org:staff_request_grant", args=[adviser.staff.pk]), {"role": Role.ADMIN})
    grant = RoleGrantRequest.objects.get()
    second.post(reverse("org:decide_grant", args=[grant.pk]), {"decision": "approve"})
    first.post(reverse("org:staff_revoke", args=[adviser.staff.pk]), {"role": Role.ADMIN})
    first.post(reverse("org:staff_request_grant", args=[adviser.staff.pk]), {"role": Role.COMPLIANCE})
    refused = RoleGrantRequest.objects.get(status="pending")
    second.post(reverse("org:decide_grant", args=[refused.pk]), {"decision": "refuse"})

    from compliance.archive.models import ArchiveRecord

    trail = [
        (r.event_type, r.actor_id, r.payload.get("role"), r.payload.get("before"), r.payload.get("after"))
        for r in ArchiveRecord.objects.filter(
            subject_user_id=adviser.pk, event_type__startswith="staff.privilege"
        ).order_by("seq")
    ]
    assert trail == [
        ("staff.privilege_requested", administrator.pk, "admin", None, None),
        ("staff.privilege_granted", administrator2.pk, "admin", ["adviser"], ["admin", "adviser"]),
        ("staff.privilege_revoked", administrator.pk, "admin", ["admin", "adviser"], ["adviser"]),
        ("staff.privilege_requested", administrator.pk, "compliance", None, None),
        ("staff.privilege_request_refused", administrator2.pk, "compliance", None, None),
    ]
    assert roles(adviser) == {Role.ADVISER}


def test_two_approvals_of_one_request_grant_once(administrator, administrator2, make_staff, adviser):
    third_admin = make_staff(Role.ADMIN, branch=None)
    grant, _created = request_privileged_role(
        profile=adviser.staff, role=Role.COMPLIANCE, actor=administrator
    )
    assert approve_role_grant(grant=grant, actor=administrator2) is True
    assert approve_role_grant(grant=RoleGrantRequest.objects.get(pk=grant.pk), actor=third_admin) is False
    assert len(archived("staff.privilege_granted", subject_user_id=adviser.pk)) == 1


# --- The services themselves --------------------------------------------------------------------------------
def test_set_roles_never_grants_a_privileged_role(adviser):
    with pytest.raises(NotAllowed):
        set_roles(profile=adviser.staff, roles={Role.ADVISER, Role.ADMIN})
    adviser.refresh_from_db()
    assert roles(adviser) == {Role.ADVISER} and not adviser.is_superuser


def test_a_role_listed_in_privileged_roles_needs_four_eyes_too(settings, hr, upload_roster, make_staff):
    settings.RELAIS_PRIVILEGED_ROLES = ["admin", "compliance", "marketing"]
    person = make_staff(Role.ADVISER)
    roster_import = upload_roster(hr, hr_row(person, "adviser|marketing"))
    assert "Marketing" in roster_import.errors[0]["message"]
    assert roles(person) == {Role.ADVISER}


def test_a_misspelt_privileged_role_stops_the_server(settings):
    settings.RELAIS_PRIVILEGED_ROLES = ["admin", "complaince"]
    with pytest.raises(ImproperlyConfigured, match="complaince"):
        check_privileged_roles_setting()


def test_a_bootstrap_grant_is_for_the_command_line_never_for_a_person(administrator, adviser):
    with pytest.raises(TypeError):
        bootstrap_grant(profile=adviser.staff, role=Role.ADMIN, process=administrator)
    assert roles(adviser) == {Role.ADVISER}


def test_createadmin_bootstraps_the_first_administrator_and_then_refuses(org):
    out = StringIO()
    call_command(
        "createadmin",
        "--email",
        "Ada@Bank.test",
        "--employee-id",
        "A1",
        "--first-name",
        "Ada",
        "--last-name",
        "Lovelace",
        stdout=out,
    )
    ada = User.objects.get(email="ada@bank.test")
    assert roles(ada) == {Role.ADMIN} and ada.is_superuser and ada.is_staff
    assert roles_of(ada) == {Role.ADMIN}
    [granted] = archived("staff.privilege_granted", subject_user_id=ada.pk)
    assert (granted.actor_name, granted.payload["via"], granted.payload["requested_by"]) == (
        "createadmin",
        "bootstrap",
        None,
    )
    [invitation] = mail.outbox
    assert invitation.to == ["ada@bank.test"]

    with pytest.raises(CommandError, match="An active administrator exists"):
        call_command(
            "createadmin",
            "--email",
            "bob@bank.test",
            "--employee-id",
            "A2",
            "--first-name",
            "Bob",
            "--last-name",
            "B",
            stdout=StringIO(),
        )
    assert not User.objects.filter(email="bob@bank.test").exists()


def test_the_demo_seed_archives_its_privileged_roles_as_bootstrap_grants(db):
    from advocacy.org.demo import seed_organisation

    seed_organisation()
    seed_organisation()  # idempotent: no second grant
    grants = archived("staff.privilege_granted")
    assert sorted((r.subject_repr.split(" (")[0], r.payload["role"]) for r in grants) == [
        ("Aïcha Diallo", "admin"),
        ("James Wilson", "compliance"),
        ("Sophie Moreau", "compliance"),
        ("Thomas Petit", "admin"),
    ]
    assert {(r.actor_name, r.payload["via"]) for r in grants} == {("seed_demo", "bootstrap")}
    assert User.objects.filter(is_superuser=True).count() == 2


def test_in_the_demo_one_administrator_asks_and_the_other_approves_and_both_steps_are_archived(db):
    from advocacy.org.demo import seed_organisation
    from advocacy.org.models import StaffProfile
    from advocacy.org.privileges import approve_role_grant, request_privileged_role
    from advocacy.org.selectors import roles_of

    seed_organisation()
    first, second = (User.objects.get(email=f"{who}@demo.relais.test") for who in ("admin", "admin2"))
    marketing = StaffProfile.objects.get(user__email="marketing@demo.relais.test")
    grant, created = request_privileged_role(profile=marketing, role="compliance", actor=first)
    assert created and "compliance" not in roles_of(marketing.user)
    assert approve_role_grant(grant=grant, actor=second)
    assert "compliance" in roles_of(User.objects.get(pk=marketing.user_id))
    steps = [(r.event_type, r.actor_email) for r in archived("staff.privilege_requested")] + [
        (r.event_type, r.actor_email)
        for r in archived("staff.privilege_granted")
        if r.payload["via"] != "bootstrap"
    ]
    assert steps == [
        ("staff.privilege_requested", "admin@demo.relais.test"),
        ("staff.privilege_granted", "admin2@demo.relais.test"),
    ]
