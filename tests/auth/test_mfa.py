"""Second factor: compliance officers and administrators must enrol TOTP; enrolled people are asked for it."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from advocacy.accounts.middleware import EnforceMfaMiddleware, needs_mfa_enrolment
from advocacy.org.models import Role
from advocacy.org.privileges import approve_role_grant, request_privileged_role
from tests.auth.conftest import HOME_URL, english_client, sign_in, totp_code, wrong_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ACTIVATE_URL = reverse("mfa_activate_totp")
AUTHENTICATE_URL = reverse("mfa_authenticate")
# Portal pages a privileged person without a second factor must not reach. The review queue's own URLs
# are not needed: the gate answers before any view does.
GATED_PATHS = [HOME_URL, "/compliance/review/", "/compliance/archive/", "/admin/", "/staff/"]


@pytest.fixture
def unenrolled_officer(make_staff):
    return make_staff(Role.COMPLIANCE, branch=None, first_name="Sophie", language="en", enrol_mfa=False)


def _open_activation_page(client):
    """allauth asks for the password again before a second factor is added (its sign-in alone does not
    count as re-authentication); the gate must let that page through."""
    page = client.get(ACTIVATE_URL)
    if page.status_code == 302:
        assert page["Location"].startswith(reverse("account_reauthenticate")), page["Location"]
        page = client.post(page["Location"], {"password": PASSWORD}, follow=True)
        assert page.redirect_chain[-1][0] == ACTIVATE_URL
    assert page.status_code == 200
    return page


def _enrol(client) -> str:
    """Go through allauth's TOTP activation page as a person would: read the secret, type a code."""
    page = _open_activation_page(client)
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # shown for people who cannot scan the QR code
    response = client.post(ACTIVATE_URL, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def test_mfa_required_roles_come_from_settings(settings, adviser):
    assert settings.RELAIS_MFA_REQUIRED_ROLES == ["compliance", "admin"]
    assert not needs_mfa_enrolment(adviser)
    settings.RELAIS_MFA_REQUIRED_ROLES = ["adviser"]
    assert needs_mfa_enrolment(adviser)


def test_an_unknown_role_in_mfa_required_roles_stops_the_server_at_start_up(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.RELAIS_MFA_REQUIRED_ROLES = ["complaince"]  # a typo must not silently switch MFA off
    with pytest.raises(ImproperlyConfigured, match="complaince"):
        EnforceMfaMiddleware(lambda request: None)


def test_a_compliance_officer_without_totp_is_sent_to_enrolment_from_every_portal_page(unenrolled_officer):
    client = english_client()
    response = sign_in(client, unenrolled_officer)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(unenrolled_officer.pk)
    for path in GATED_PATHS:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ACTIVATE_URL, path
    # A POST is gated too.
    assert client.post(HOME_URL)["Location"] == ACTIVATE_URL


def test_a_compliance_officer_without_totp_can_still_enrol_sign_out_and_switch_language(unenrolled_officer):
    client = english_client()
    sign_in(client, unenrolled_officer)
    _open_activation_page(client)
    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "fr", "next": ACTIVATE_URL})
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL
    assert client.get(reverse("account_logout")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_after_enrolling_totp_a_compliance_officer_reaches_the_home_page(unenrolled_officer):
    client = english_client()
    sign_in(client, unenrolled_officer)
    _enrol(client)
    assert Authenticator.objects.filter(user=unenrolled_officer, type=Authenticator.Type.TOTP).exists()
    assert client.get(HOME_URL).status_code == 200


def test_a_wrong_code_does_not_enrol(unenrolled_officer):
    client = english_client()
    sign_in(client, unenrolled_officer)
    _open_activation_page(client)
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(ACTIVATE_URL, {"code": wrong_code(secret)})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=unenrolled_officer).exists()
    assert client.get(HOME_URL)["Location"] == ACTIVATE_URL


def test_someone_granted_a_privileged_role_mid_session_can_reauthenticate_and_enrol(make_staff):
    """Activating TOTP asks for the password again when the sign-in is older than a few minutes; that page
    must be reachable through the gate, or the person is stuck in a redirect loop."""
    person = make_staff(Role.ADVISER, branch=None, language="en")
    client = english_client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")  # no recent sign-in
    assert client.get(HOME_URL).status_code == 200
    first, second = make_staff(Role.ADMIN, branch=None), make_staff(Role.ADMIN, branch=None)
    grant, _created = request_privileged_role(profile=person.staff, role=Role.COMPLIANCE, actor=first)
    approve_role_grant(grant=grant, actor=second)

    response = client.get(HOME_URL, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert response.status_code == 200
    response = client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == ACTIVATE_URL
    _enrol(client)
    assert client.get(HOME_URL).status_code == 200


def test_an_adviser_is_not_forced_to_enrol(make_staff):
    adviser = make_staff(Role.ADVISER, language="en")
    client = english_client()
    assert sign_in(client, adviser)["Location"] == HOME_URL
    assert client.get(HOME_URL).status_code == 200


@pytest.fixture
def enrolled_officer(make_staff):
    return make_staff(Role.COMPLIANCE, branch=None, first_name="Sophie", language="en")


def test_an_enrolled_compliance_officer_is_asked_for_a_code_after_the_password(enrolled_officer):
    client = english_client()
    response = sign_in(client, enrolled_officer)
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE_URL
    assert SESSION_KEY not in client.session  # not signed in until the second factor
    assert client.get(HOME_URL)["Location"].startswith(reverse("account_login"))

    response = client.post(AUTHENTICATE_URL, {"code": totp_code(enrolled_officer.totp_secret)})
    assert response.status_code == 302
    assert response["Location"] == HOME_URL
    assert client.get(HOME_URL).status_code == 200


def test_a_wrong_code_does_not_let_an_enrolled_compliance_officer_in(enrolled_officer):
    client = english_client()
    sign_in(client, enrolled_officer)
    response = client.post(AUTHENTICATE_URL, {"code": wrong_code(enrolled_officer.totp_secret)})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get(HOME_URL).status_code == 302


def test_a_totp_code_cannot_be_replayed(enrolled_officer):
    code = totp_code(enrolled_officer.totp_secret)
    first = english_client()
    sign_in(first, enrolled_officer)
    assert first.post(AUTHENTICATE_URL, {"code": code})["Location"] == HOME_URL
    second = english_client()
    sign_in(second, enrolled_officer)
    assert second.post(AUTHENTICATE_URL, {"code": code}).status_code == 200
    assert SESSION_KEY not in second.session


def test_a_recovery_code_works_once(enrolled_officer):
    codes = RecoveryCodes.activate(enrolled_officer).get_unused_codes()
    client = english_client()
    sign_in(client, enrolled_officer)
    assert client.post(AUTHENTICATE_URL, {"code": codes[0]})["Location"] == HOME_URL
    client.post(reverse("account_logout"))

    client = english_client()
    sign_in(client, enrolled_officer)
    response = client.post(AUTHENTICATE_URL, {"code": codes[0]})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert client.post(AUTHENTICATE_URL, {"code": codes[1]})["Location"] == HOME_URL


def test_an_administrator_reaches_the_admin_site_after_the_second_factor(administrator):
    client = english_client()
    assert sign_in(client, administrator)["Location"] == AUTHENTICATE_URL
    assert client.get("/admin/").status_code == 302  # not yet
    client.post(AUTHENTICATE_URL, {"code": totp_code(administrator.totp_secret)})
    assert client.get("/admin/").status_code == 200


def test_an_administrator_without_totp_is_sent_to_enrolment_instead_of_the_admin_site(make_staff):
    admin = make_staff(Role.ADMIN, branch=None, language="en", enrol_mfa=False)
    client = english_client()
    sign_in(client, admin)
    assert client.get("/admin/")["Location"] == ACTIVATE_URL
    _enrol(client)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "role", [Role.ADVISER, Role.BRANCH_MANAGER, Role.MARKETING, Role.HR, Role.COMPLIANCE]
)
def test_nobody_but_an_administrator_reaches_the_admin_site(make_staff, role):
    person = make_staff(role, branch=None, language="en")
    client = english_client()
    response = sign_in(client, person)
    if response["Location"] == AUTHENTICATE_URL:
        client.post(AUTHENTICATE_URL, {"code": totp_code(person.totp_secret)})
    assert client.get(HOME_URL).status_code == 200
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/admin/org/branch/").status_code in (302, 403)
    assert client.get("/admin/", follow=True).status_code == 403


def test_the_admin_site_sends_anonymous_visitors_to_the_portal_sign_in(db):
    response = english_client().get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert settings.LOGIN_URL == "account_login"
