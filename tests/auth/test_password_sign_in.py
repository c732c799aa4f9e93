"""E-mail and password sign-in, its rate limit, closed sign-up and deactivated staff."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from advocacy.org.models import Role
from advocacy.org.services import deactivate_staff
from tests.auth.conftest import HOME_URL, LOGIN_URL, english_client, is_sign_in_redirect, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def adviser_en(make_staff):
    return make_staff(Role.ADVISER, first_name="Robin", language="en")


def test_an_active_adviser_signs_in_with_email_and_password_and_lands_on_the_home_page(adviser_en):
    client = english_client()
    response = sign_in(client, adviser_en)
    assert response.status_code == 302
    assert response["Location"] == HOME_URL
    assert client.session[SESSION_KEY] == str(adviser_en.pk)
    home = client.get(HOME_URL)
    assert home.status_code == 200
    assert home.context["user"] == adviser_en


def test_the_email_is_matched_whatever_its_case(adviser_en):
    client = english_client()
    response = sign_in(client, adviser_en.email.upper())
    assert response.status_code == 302
    assert response["Location"] == HOME_URL


def test_a_wrong_password_shows_a_form_error_and_signs_nobody_in(adviser_en):
    client = english_client()
    response = sign_in(client, adviser_en, "not-the-password-1")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert is_sign_in_redirect(client.get(HOME_URL))


def test_an_unknown_email_gets_the_same_error_as_a_wrong_password(adviser_en):
    client = english_client()
    response = sign_in(client, "nobody@bank.test", "not-the-password-1")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()


def test_repeated_wrong_passwords_are_rate_limited_with_a_clear_message_even_with_the_right_one(adviser_en):
    """Five failures for one account within five minutes (settings.ACCOUNT_RATE_LIMITS "5/5m/key") lock it."""
    client = english_client()
    for _ in range(5):
        response = sign_in(client, adviser_en, "not-the-password-1")
        assert "Too many failed login attempts" not in response.content.decode()
    response = sign_in(client, adviser_en)  # the right password, too late
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert SESSION_KEY not in client.session
    # Per account, not per browser: another browser is refused too.
    other = english_client()
    assert "Too many failed login attempts" in sign_in(other, adviser_en).content.decode()


def test_the_login_rate_limit_comes_from_settings():
    from django.conf import settings

    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"


def test_sign_up_is_closed(db):
    client = english_client()
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert "Sign Up Closed" in response.content.decode()
    response = client.post(
        reverse("account_signup"), {"email": "new@bank.test", "password1": "a-Long-pass-42"}
    )
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="new@bank.test").exists()


def test_deactivated_staff_cannot_sign_in_and_see_an_account_inactive_page(adviser_en):
    deactivate_staff(profile=adviser_en.staff)
    client = english_client()
    response = sign_in(client, adviser_en, follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_inactive")
    assert "This account is inactive." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert is_sign_in_redirect(client.get(HOME_URL))


def test_a_deactivated_member_of_staff_loses_their_open_session_on_the_next_request(adviser_en):
    client = english_client()
    sign_in(client, adviser_en)
    assert client.get(HOME_URL).status_code == 200
    deactivate_staff(profile=adviser_en.staff)
    response = client.get(HOME_URL)
    assert is_sign_in_redirect(response)
    assert response["Location"] == f"{LOGIN_URL}?next={HOME_URL}"
