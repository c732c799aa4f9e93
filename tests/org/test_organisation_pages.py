"""The Organisation pages: administrators run the bank's staff and branches from the portal, through the
services that archive each change; Django's admin only shows (and never shows the archive)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.org.models import Branch, ManagedRegion, Role
from compliance.archive.models import ArchiveRecord
from tests.org.conftest import archived

pytestmark = pytest.mark.django_db


def test_the_staff_list_costs_the_same_queries_for_3_or_30_people(administrator, make_staff, client_for):
    client = client_for(administrator)
    client.get(reverse("org:staff"))  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("org:staff"), {"status": "all"})
        assert response.status_code == 200
        return len(captured.captured_queries)

    make_staff(Role.ADVISER)
    make_staff(Role.BRANCH_MANAGER, branch="nice")
    few = queries()
    for n in range(27):
        make_staff(Role.ADVISER, branch="arras" if n % 2 else "toulon")
    assert queries() == few


def test_the_staff_list_filters_and_shows_what_waits(administrator, adviser, adviser2, client_for):
    from advocacy.org.privileges import request_privileged_role

    request_privileged_role(profile=adviser.staff, role=Role.COMPLIANCE, actor=administrator)
    client = client_for(administrator)
    body = client.get(reverse("org:staff"), {"q": adviser.last_name}).content.decode()
    assert adviser.email in body and adviser2.email not in body
    assert "Role waiting for approval" in body
    body = client.get(reverse("org:staff"), {"branch": adviser2.staff.branch_id}).content.decode()
    assert adviser2.email in body and adviser.email not in body


def test_an_administrator_moves_someone_and_changes_their_roles_and_each_change_is_archived(
    administrator, adviser, org, client_for
):
    response = client_for(administrator).post(
        reverse("org:staff_detail", args=[adviser.staff.pk]),
        {
            "branch": org["nice"].pk,
            "roles": [Role.ADVISER, Role.REGIONAL_MANAGER],
            "managed_regions": [org["south"].pk],
        },
    )
    assert response.status_code == 302
    adviser.staff.refresh_from_db()
    assert adviser.staff.branch == org["nice"]
    assert set(adviser.staff.roles.values_list("role", flat=True)) == {"adviser", "regional_manager"}
    assert list(
        ManagedRegion.objects.filter(profile=adviser.staff).values_list("region__code", flat=True)
    ) == ["S"]
    moved = archived("staff.updated", subject_user_id=adviser.pk)[-1]
    assert moved.actor_id == administrator.pk and moved.payload["branch"] == "NIC01"
    roles = archived("staff.roles_changed", subject_user_id=adviser.pk)[-1]
    assert (roles.payload["before"], roles.payload["after"]) == (["adviser"], ["adviser", "regional_manager"])
    [regions] = archived("staff.managed_regions_changed")
    assert (regions.payload["before"], regions.payload["after"]) == ([], ["S"])


def test_the_edit_form_offers_no_privileged_role(administrator, adviser, client_for):
    body = (
        client_for(administrator).get(reverse("org:staff_detail", args=[adviser.staff.pk])).content.decode()
    )
    assert 'name="roles" value="adviser"' in body
    assert 'name="roles" value="admin"' not in body and 'name="roles" value="compliance"' not in body
    response = client_for(administrator).post(
        reverse("org:staff_detail", args=[adviser.staff.pk]), {"roles": [Role.ADVISER, Role.ADMIN]}
    )
    assert response.status_code == 200  # not a choice: the form refuses it
    assert set(adviser.staff.roles.values_list("role", flat=True)) == {"adviser"}


def test_deactivation_from_the_portal_is_archived_and_nobody_deactivates_themselves(
    administrator, adviser, client_for
):
    client = client_for(administrator)
    client.post(reverse("org:staff_activation", args=[adviser.staff.pk]), {"active": "0"})
    adviser.refresh_from_db()
    assert not adviser.is_active
    assert archived("staff.deactivated")[-1].actor_id == administrator.pk
    response = client.post(
        reverse("org:staff_activation", args=[administrator.staff.pk]), {"active": "0"}, follow=True
    )
    assert "Nobody can deactivate themselves." in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.is_active
    client.post(reverse("org:staff_activation", args=[adviser.staff.pk]), {"active": "1"})
    adviser.refresh_from_db()
    assert adviser.is_active


def test_branches_are_created_and_changed_on_the_portal_and_archived(administrator, org, client_for):
    client = client_for(administrator)
    response = client.post(
        reverse("org:branches"),
        {"code": "lil02", "name": "Lille Gare", "city": "Lille", "region": org["north"].pk},
    )
    assert response.status_code == 302
    branch = Branch.objects.get(code="LIL02")
    [created] = archived("org.branch_created")
    assert created.payload["after"] == {"code": "LIL02", "name": "Lille Gare", "city": "Lille", "region": "N"}
    client.post(
        reverse("org:branch_edit", args=[branch.pk]),
        {"code": "LIL02", "name": "Lille Flandres", "city": "Lille", "region": org["north"].pk},
    )
    [changed] = archived("org.branch_changed")
    assert (changed.payload["before"]["name"], changed.payload["after"]["name"]) == (
        "Lille Gare",
        "Lille Flandres",
    )


def test_a_city_that_could_not_fill_a_template_is_refused(administrator, org, client_for):
    client = client_for(administrator)
    for city in ("<b>Lille</b>", "lille.example.com", "Lille @bank"):
        response = client.post(
            reverse("org:branch_edit", args=[org["lille"].pk]),
            {"code": "LIL01", "name": "Lille Centre", "city": city, "region": org["north"].pk},
        )
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    org["lille"].refresh_from_db()
    assert org["lille"].city == "Lille"
    assert archived("org.branch_changed") == []


def test_the_pages_speak_french(make_staff, client_for, adviser):
    admin = make_staff(Role.ADMIN, branch=None, language="fr")
    client = client_for(admin)
    for url in (
        reverse("org:staff"),
        reverse("org:approvals"),
        reverse("org:branches"),
        reverse("org:staff_detail", args=[adviser.staff.pk]),
    ):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Organisation" in body and "Approbations" in body, url
    detail = client.get(reverse("org:staff_detail", args=[adviser.staff.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Rôles privilégiés" in detail.content.decode()


def test_the_navigation_offers_the_organisation_to_administrators_only(administrator, hr, client_for):
    assert reverse("org:staff") in client_for(administrator).get(reverse("portal:home")).content.decode()
    assert reverse("org:staff") not in client_for(hr).get(reverse("portal:home")).content.decode()


# --- Django's admin ---------------------------------------------------------------------------------------
def test_the_archive_is_not_in_djangos_admin(administrator, client_for):
    assert ArchiveRecord.objects.exists()  # the personas' creation was archived
    client = client_for(administrator)
    index = client.get("/admin/").content.decode()
    assert "/admin/archive/" not in index and "Archive record" not in index
    assert client.get("/admin/archive/archiverecord/?q=adviser").status_code == 404
    assert client.get("/admin/archive/legalhold/").status_code == 404


def test_djangos_admin_cannot_delete_staff_nor_change_roles_flags_or_addresses(
    administrator, adviser, client_for
):
    client = client_for(administrator)
    changelist = client.get("/admin/org/staffprofile/").content.decode()
    assert "delete_selected" not in changelist
    response = client.post(
        "/admin/org/staffprofile/", {"action": "delete_selected", "_selected_action": [adviser.staff.pk]}
    )
    assert adviser.staff.__class__.objects.filter(pk=adviser.staff.pk).exists()
    assert response.status_code in (200, 302)
    response = client.post(
        f"/admin/auth/user/{adviser.pk}/change/",
        {"is_superuser": "on", "is_staff": "on", "email": "x@bank.test"},
    )
    assert response.status_code == 403
    adviser.refresh_from_db()
    assert not adviser.is_superuser and adviser.email != "x@bank.test"
    assert client.get("/admin/auth/group/").status_code == 404
    assert client.post(f"/admin/org/staffprofile/{adviser.staff.pk}/change/", {}).status_code == 403
    assert client.get("/admin/account/emailaddress/add/").status_code == 403
    # Linking one's own corporate identity to someone's account, or adding an identity provider, would sign
    # one in as them.
    assert client.get("/admin/socialaccount/socialaccount/add/").status_code == 403
    assert client.get("/admin/socialaccount/socialapp/add/").status_code == 403


def test_djangos_admin_deactivates_through_the_service(administrator, adviser, client_for):
    client_for(administrator).post(
        "/admin/org/staffprofile/", {"action": "deactivate", "_selected_action": [adviser.staff.pk]}
    )
    adviser.refresh_from_db()
    assert not adviser.is_active
    assert archived("staff.deactivated")[-1].actor_id == administrator.pk
