"""Idle sessions end; each request keeps an active one alive. The UI language follows the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from advocacy.org.models import Role, StaffProfile
from tests.auth.conftest import HOME_URL, LOGIN_URL, english_client, is_sign_in_redirect, sign_in

pytestmark = pytest.mark.django_db

SETLANG_URL = reverse("set_language")


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_the_idle_timeout_is_thirty_minutes_unless_configured_and_every_request_renews_it():
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_a_session_idle_past_the_timeout_is_gone_and_the_next_request_goes_to_sign_in(make_staff, settings):
    settings.SESSION_COOKIE_AGE = 120
    adviser = make_staff(Role.ADVISER, language="en")
    client = english_client()
    sign_in(client, adviser)
    row = _session_row(client)
    remaining = row.expire_date - timezone.now()
    assert timedelta(seconds=100) < remaining <= timedelta(seconds=120)

    # Two idle minutes and a second later, as the session table sees it.
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(HOME_URL)
    assert is_sign_in_redirect(response)
    assert response["Location"] == f"{LOGIN_URL}?next={HOME_URL}"


def test_each_request_pushes_the_expiry_of_an_active_session_back(make_staff, settings):
    settings.SESSION_COOKIE_AGE = 120
    adviser = make_staff(Role.ADVISER, language="en")
    client = english_client()
    sign_in(client, adviser)
    row = _session_row(client)
    # 110 idle seconds later: ten seconds left.
    nearly_expired = timezone.now() + timedelta(seconds=10)
    Session.objects.filter(pk=row.pk).update(expire_date=nearly_expired)

    assert client.get(HOME_URL).status_code == 200
    renewed = _session_row(client).expire_date
    assert renewed - timezone.now() > timedelta(seconds=100)
    assert client.get(HOME_URL).status_code == 200


def test_the_session_cookie_dies_with_the_browser_and_is_not_readable_by_scripts(make_staff):
    adviser = make_staff(Role.ADVISER, language="en")
    client = english_client()
    response = sign_in(client, adviser)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_the_language_switch_changes_the_ui_language_and_saves_the_preference(make_staff):
    adviser = make_staff(Role.ADVISER, language="fr")
    client = english_client()
    sign_in(client, adviser)
    assert '<html lang="fr">' in client.get(HOME_URL).content.decode()

    response = client.post(SETLANG_URL, {"language": "en", "next": HOME_URL})
    assert response.status_code == 302
    assert response["Location"] == HOME_URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert StaffProfile.objects.get(user=adviser).language == "en"
    assert '<html lang="en">' in client.get(HOME_URL).content.decode()


def test_the_preferred_language_is_applied_at_the_next_sign_in(make_staff):
    adviser = make_staff(Role.ADVISER, language="fr")
    client = english_client()
    sign_in(client, adviser)
    client.post(SETLANG_URL, {"language": "en", "next": HOME_URL})
    client.post(reverse("account_logout"))

    # Another browser, which asks for French: the saved preference wins.
    browser = english_client()
    browser.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = sign_in(browser, adviser)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in browser.get(HOME_URL).content.decode()


def test_a_french_speaker_signing_in_from_an_english_browser_gets_french(make_staff):
    adviser = make_staff(Role.ADVISER, language="fr")
    client = english_client()
    response = sign_in(client, adviser)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr">' in client.get(HOME_URL).content.decode()


def test_the_preferred_language_is_applied_after_the_second_factor_too(compliance_officer2):
    from tests.auth.conftest import totp_code

    client = english_client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    sign_in(client, compliance_officer2)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(compliance_officer2.totp_secret)})
    assert response["Location"] == HOME_URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_switching_language_signed_out_or_to_an_unknown_language_saves_nothing(make_staff):
    adviser = make_staff(Role.ADVISER, language="fr")
    response = english_client().post(SETLANG_URL, {"language": "fr", "next": LOGIN_URL})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"

    client = english_client()
    sign_in(client, adviser)
    client.post(SETLANG_URL, {"language": "de", "next": HOME_URL})
    assert StaffProfile.objects.get(user=adviser).language == "fr"


def test_the_language_switch_accepts_only_post(db):
    assert english_client().get(SETLANG_URL).status_code == 405
