import pytest

from advocacy.org.models import Role, StaffProfile
from advocacy.org.privileges import approve_role_grant, request_privileged_role, revoke_privileged_role
from advocacy.org.selectors import branches_covered_by, roles_of, staff_covered_by, users_with_role
from advocacy.org.services import StaffData, deactivate_staff, set_roles, upsert_staff


@pytest.mark.django_db
def test_a_branch_manager_covers_only_their_own_branch(org, branch_manager, adviser, adviser2):
    assert list(branches_covered_by(branch_manager)) == [org["lille"]]
    assert [p.user for p in staff_covered_by(branch_manager)] == [adviser]


@pytest.mark.django_db
def test_a_regional_manager_covers_every_branch_of_their_regions(
    org, regional_manager, adviser, adviser2, make_staff
):
    toulon = make_staff(Role.ADVISER, branch="toulon")
    assert set(branches_covered_by(regional_manager)) == {org["nice"], org["toulon"]}
    assert {p.user for p in staff_covered_by(regional_manager)} == {adviser2, toulon}


@pytest.mark.django_db
def test_people_without_a_manager_role_cover_nobody(adviser, compliance_officer):
    assert not branches_covered_by(adviser).exists()
    assert not staff_covered_by(compliance_officer).exists()


@pytest.mark.django_db
def test_deactivated_staff_drop_out_of_their_managers_team(branch_manager, adviser):
    deactivate_staff(profile=adviser.staff)
    assert not staff_covered_by(branch_manager).exists()


@pytest.mark.django_db
def test_the_administrator_role_and_only_it_opens_the_django_admin(make_staff):
    first, second = make_staff(Role.ADMIN, branch=None), make_staff(Role.ADMIN, branch=None)
    user = make_staff(Role.ADVISER)
    assert not user.is_staff
    grant, _created = request_privileged_role(profile=user.staff, role=Role.ADMIN, actor=first)
    approve_role_grant(grant=grant, actor=second)
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser
    revoke_privileged_role(profile=user.staff, role=Role.ADMIN, actor=first)
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    set_roles(profile=user.staff, roles={Role.MARKETING})  # ordinary roles never open it
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


@pytest.mark.django_db
def test_upserting_the_same_employee_id_updates_instead_of_duplicating(org):
    data = StaffData(
        employee_id="E1",
        email="Anne@Bank.test",
        first_name="Anne",
        last_name="Roy",
        branch=org["lille"],
        roles=frozenset({Role.ADVISER}),
    )
    profile, created = upsert_staff(data=data)
    assert created and profile.user.email == "anne@bank.test"
    moved = StaffData(
        **{
            **data.__dict__,
            "branch": org["nice"],
            "email": "anne.roy@bank.test",
            "roles": frozenset({Role.ADVISER, Role.BRANCH_MANAGER}),
        }
    )
    again, created = upsert_staff(data=moved)
    assert not created and again.pk == profile.pk
    assert StaffProfile.objects.count() == 1
    again.user.refresh_from_db()
    # The new address waits for an administrator's confirmation (tests/org/test_identity.py).
    assert again.user.email == "anne@bank.test" and again.branch == org["nice"]
    assert again.email_changes.get().new_email == "anne.roy@bank.test"
    assert roles_of(again.user) == {Role.ADVISER, Role.BRANCH_MANAGER}


@pytest.mark.django_db
def test_users_with_role_lists_only_active_holders(compliance_officer, compliance_officer2, adviser):
    deactivate_staff(profile=compliance_officer2.staff)
    assert list(users_with_role(Role.COMPLIANCE)) == [compliance_officer]


@pytest.mark.django_db
def test_roles_are_read_once_per_request_object(adviser, django_assert_num_queries):
    with django_assert_num_queries(1):
        roles_of(adviser)
        roles_of(adviser)
