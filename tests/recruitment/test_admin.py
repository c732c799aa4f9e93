"""Administrators configure ATS profiles in the admin: vendor defaults filled in, the secret write-only."""

from __future__ import annotations

import pytest

from advocacy.recruitment.models import ATSProfile

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_profile_whose_secret_is_stored_encrypted_and_never_shown(
    administrator, client_for
):
    client = client_for(administrator)
    response = client.post(
        "/admin/recruitment/atsprofile/add/",
        {"name": "Lever", "slug": "lever", "vendor": "lever", "parameters": "{}", "replace_utm": "on",
         "applies_to_all": "on", "webhook_secret": "s3cret-from-lever"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = ATSProfile.objects.get(slug="lever")
    assert profile.parameters == {"lever-origin": "applied", "lever-source[]": ["Relais", "{ref}"]}
    assert profile.webhook_secret().reveal() == "s3cret-from-lever"
    assert "s3cret-from-lever" not in profile.webhook_secret_encrypted
    page = client.get(f"/admin/recruitment/atsprofile/{profile.pk}/change/").content.decode()
    assert "s3cret-from-lever" not in page and profile.webhook_secret_encrypted not in page


def test_hr_cannot_configure_ats_profiles(hr, client_for):
    response = client_for(hr).get("/admin/recruitment/atsprofile/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
