"""Corporate SSO through allauth's OpenID Connect provider, against a loopback identity provider.

The browser's trip is driven by hand: the test client POSTs to allauth's login view, the stub's
/authorize is fetched over real HTTP (as the browser would), and its redirect is followed back to
allauth's callback, which calls the stub's /token and /userinfo itself. State and PKCE are allauth's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from advocacy.org.models import Role
from advocacy.org.services import deactivate_staff
from tests.auth.conftest import HOME_URL, english_client, is_sign_in_redirect, totp_code
from tests.auth.oidc_stub import Identity, OidcStub

pytestmark = pytest.mark.django_db

LOGIN_PATH = reverse("openid_connect_login", kwargs={"provider_id": "corporate"})
ACTIVATE_URL = reverse("mfa_activate_totp")
AUTHENTICATE_URL = reverse("mfa_authenticate")


def corporate_app_settings(*, server_url: str, client_id: str, secret: str) -> dict:
    """What advocacy/settings.py builds from OIDC_* (checked against it below)."""
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "corporate",
                    "name": "Corporate sign-in",
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {
                        "server_url": server_url,
                        "fetch_userinfo": True,
                        "verified_email": True,
                        "email_authentication": True,
                    },
                }
            ],
        }
    }


@pytest.fixture
def stub(settings):
    with OidcStub() as running:
        settings.SOCIALACCOUNT_PROVIDERS = corporate_app_settings(
            server_url=running.url, client_id=running.client_id, secret=running.client_secret
        )
        yield running


def sso_sign_in(client, stub: OidcStub, identity: Identity):
    """Press the corporate sign-in button, sign in at the provider, come back; returns the callback."""
    stub.identity = identity
    assert client.get(LOGIN_PATH).status_code == 200  # allauth 65: a GET only shows a confirmation page
    response = client.post(LOGIN_PATH)
    assert response.status_code == 302
    authorize_url = response["Location"]
    assert authorize_url.startswith(f"{stub.url}/authorize?")
    assert "code_challenge=" in authorize_url and "state=" in authorize_url

    at_provider = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    callback = at_provider.headers["Location"]
    assert callback.startswith("http://testserver/accounts/oidc/corporate/login/callback/?")
    return client.get(callback.removeprefix("http://testserver"))


def test_a_known_member_of_staff_signs_in_through_sso_and_lands_on_home(stub, make_staff):
    adviser = make_staff(Role.ADVISER, email="camille.dupont@bank.test", language="en")
    client = english_client()
    response = sso_sign_in(client, stub, Identity(email="Camille.Dupont@bank.test"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == HOME_URL
    assert client.session[SESSION_KEY] == str(adviser.pk)
    assert client.get(HOME_URL).status_code == 200
    # The identity is now connected to the account; the password was left alone.
    assert SocialAccount.objects.filter(user=adviser, provider="corporate").count() == 1
    adviser.refresh_from_db()
    assert adviser.has_usable_password()
    assert {"/.well-known/openid-configuration", "/token", "/userinfo"} <= set(stub.requests)


def test_a_second_sso_sign_in_uses_the_connected_identity(stub, make_staff):
    adviser = make_staff(Role.ADVISER, email="camille.dupont@bank.test", language="en")
    identity = Identity(email="camille.dupont@bank.test")
    sso_sign_in(english_client(), stub, identity)
    client = english_client()
    response = sso_sign_in(client, stub, identity)
    assert response["Location"] == HOME_URL
    assert client.session[SESSION_KEY] == str(adviser.pk)
    assert SocialAccount.objects.filter(user=adviser).count() == 1


def test_an_unknown_email_is_refused_with_the_closed_signup_page(stub, make_staff):
    make_staff(Role.ADVISER, email="camille.dupont@bank.test", language="en")
    client = english_client()
    response = sso_sign_in(client, stub, Identity(email="intruder@bank.test"))
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert SESSION_KEY not in client.session
    assert not get_user_model().objects.filter(email="intruder@bank.test").exists()
    assert not SocialAccount.objects.exists()
    assert is_sign_in_redirect(client.get(HOME_URL))


def test_an_unverified_email_from_the_provider_still_needs_the_provider_to_be_trusted(stub, make_staff):
    """The app is configured with verified_email=True: the corporate IdP is the authority on addresses."""
    adviser = make_staff(Role.ADVISER, email="camille.dupont@bank.test", language="en")
    client = english_client()
    response = sso_sign_in(client, stub, Identity(email="camille.dupont@bank.test", email_verified=False))
    assert response["Location"] == HOME_URL
    assert client.session[SESSION_KEY] == str(adviser.pk)


def test_a_deactivated_member_of_staff_cannot_sign_in_through_sso(stub, make_staff):
    adviser = make_staff(Role.ADVISER, email="camille.dupont@bank.test", language="en")
    deactivate_staff(profile=adviser.staff)
    client = english_client()
    response = sso_sign_in(client, stub, Identity(email="camille.dupont@bank.test"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert "This account is inactive." in client.get(response["Location"]).content.decode()
    assert SESSION_KEY not in client.session
    assert is_sign_in_redirect(client.get(HOME_URL))


def test_a_member_of_staff_deactivated_after_connecting_sso_cannot_sign_in_through_it(stub, make_staff):
    adviser = make_staff(Role.ADVISER, email="camille.dupont@bank.test", language="en")
    identity = Identity(email="camille.dupont@bank.test")
    sso_sign_in(english_client(), stub, identity)  # connects the identity
    deactivate_staff(profile=adviser.staff)
    client = english_client()
    response = sso_sign_in(client, stub, identity)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert SESSION_KEY not in client.session


def test_sso_does_not_skip_totp_for_an_enrolled_compliance_officer(stub, make_staff):
    officer = make_staff(Role.COMPLIANCE, branch=None, email="sophie.martin@bank.test", language="en")
    client = english_client()
    response = sso_sign_in(client, stub, Identity(email="sophie.martin@bank.test"))
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE_URL
    assert SESSION_KEY not in client.session
    assert client.post(AUTHENTICATE_URL, {"code": "000000"}).status_code == 200
    assert SESSION_KEY not in client.session
    response = client.post(AUTHENTICATE_URL, {"code": totp_code(officer.totp_secret)})
    assert response["Location"] == HOME_URL
    assert client.get(HOME_URL).status_code == 200


def test_sso_does_not_skip_the_enrolment_gate_for_a_compliance_officer_without_totp(stub, make_staff):
    make_staff(Role.COMPLIANCE, branch=None, email="sophie.martin@bank.test", language="en", enrol_mfa=False)
    client = english_client()
    response = sso_sign_in(client, stub, Identity(email="sophie.martin@bank.test"))
    assert response["Location"] == HOME_URL
    for path in (HOME_URL, "/compliance/review/", "/admin/"):
        assert client.get(path)["Location"] == ACTIVATE_URL, path
    # Enrolment is the way in: reachable (after allauth's password confirmation, which the gate lets through).
    page = client.get(ACTIVATE_URL, follow=True)
    assert page.status_code == 200
    assert page.redirect_chain == [] or page.redirect_chain[-1][0].startswith(
        reverse("account_reauthenticate")
    )


def test_sso_applies_the_preferred_language(stub, make_staff):
    make_staff(Role.ADVISER, email="camille.dupont@bank.test", language="fr")
    response = sso_sign_in(english_client(), stub, Identity(email="camille.dupont@bank.test"))
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_a_forged_callback_without_the_sessions_state_is_refused(stub, make_staff):
    make_staff(Role.ADVISER, email="camille.dupont@bank.test", language="en")
    stub.identity = Identity(email="camille.dupont@bank.test")
    # An attacker's browser completes a flow and hands its callback URL to the victim's browser.
    attacker = english_client()
    start = attacker.post(LOGIN_PATH)
    callback = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    victim = english_client()
    response = victim.get(callback.removeprefix("http://testserver"))
    assert SESSION_KEY not in victim.session
    assert response.status_code == 401
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]


def test_settings_build_the_corporate_app_from_the_environment_as_used_in_these_tests():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "OIDC_SERVER_URL": "https://login.bank.example/realms/staff",
        "OIDC_CLIENT_ID": "relais",
        "OIDC_CLIENT_SECRET": "s3cret",
    }
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps(settings.SOCIALACCOUNT_PROVIDERS['openid_connect']));"
        "print(json.dumps([settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION,"
        " settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT]))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DEBUG": "1"},
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    built = json.loads(lines[-2])
    assert (
        built
        == corporate_app_settings(
            server_url="https://login.bank.example/realms/staff", client_id="relais", secret="s3cret"
        )["openid_connect"]
    )
    # Only the corporate app authenticates by e-mail; X never does.
    assert json.loads(lines[-1]) == [False, True]
