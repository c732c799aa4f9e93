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


def test_the_idle_timeout_is_thirty_minutes_unless_configured_and_requests_renew_it_once_a_minute():
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # RefreshIdleSessionMiddleware renews instead
    assert settings.SESSION_REFRESH_SECONDS == 60
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


def _age_session(client, seconds: int) -> None:
    """As if the session's last renewal had been ``seconds`` ago: its stamp and its row's expiry."""
    from django.contrib.sessions.backends.db import SessionStore

    from advocacy.accounts.middleware import _REFRESHED

    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(session_key=key)
    store[_REFRESHED] = store[_REFRESHED] - seconds
    store.save()
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    )


def test_a_request_after_the_refresh_interval_pushes_the_expiry_of_an_active_session_back(
    make_staff, settings
):
    settings.SESSION_COOKIE_AGE = 120
    adviser = make_staff(Role.ADVISER, language="en")
    client = english_client()
    sign_in(client, adviser)
    assert client.get(HOME_URL).status_code == 200
    _age_session(client, 110)  # renewed 110 idle seconds ago: ten seconds left

    assert client.get(HOME_URL).status_code == 200
    renewed = _session_row(client).expire_date
    assert renewed - timezone.now() > timedelta(seconds=100)
    assert client.get(HOME_URL).status_code == 200


def test_requests_within_the_refresh_interval_do_not_write_the_session(make_staff, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    adviser = make_staff(Role.ADVISER, language="en")
    client = english_client()
    sign_in(client, adviser)
    assert client.get(HOME_URL).status_code == 200  # the first page renews (the stamp is set)
    expiry = _session_row(client).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME_URL).status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert writes == []
    assert _session_row(client).expire_date == expiry

    _age_session(client, settings.SESSION_REFRESH_SECONDS)  # the interval has passed
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME_URL).status_code == 200
    assert [q for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


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
