"""Invitations (a set-your-password link) and password reset, through allauth's reset-from-key views."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from allauth.account.forms import default_token_generator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import translation

from advocacy.accounts.invitations import send_invitation
from advocacy.org.models import Role
from advocacy.org.services import StaffData, upsert_staff
from tests.auth.conftest import HOME_URL, english_client, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Quiet-river-stone-58"
SUBJECT_MSGID = "Your %(bank_name)s Relais account"


def _invitee(org, *, language: str, email: str):
    """A member of staff as the roster import creates them: no usable password yet."""
    profile, _ = upsert_staff(
        data=StaffData(
            employee_id=f"INV-{email}",
            email=email,
            first_name="Inès",
            last_name="Martin",
            branch=org["lille"],
            roles=frozenset({Role.ADVISER}),
            language=language,
        )
    )
    assert not profile.user.has_usable_password()
    return profile.user


def _link_path(message, *, base_url: str = settings.PUBLIC_BASE_URL) -> str:
    """The one link of a message; invitations are sent outside any request, so they use PUBLIC_BASE_URL."""
    urls = re.findall(r"https?://\S+", message.body)
    assert len(urls) == 1, message.body
    assert urls[0].startswith(base_url + "/"), urls[0]
    return urlsplit(urls[0]).path


def _french_is_compiled() -> bool:
    with translation.override("fr"):
        return translation.gettext(SUBJECT_MSGID) != SUBJECT_MSGID


def _accept(client, path: str, password: str = NEW_PASSWORD):
    """Open the link, land on the set-password form, choose a password."""
    response = client.get(path)
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("-set-password/")
    assert client.get(form_url).status_code == 200
    return client.post(form_url, {"password1": password, "password2": password})


def test_an_invitation_mails_a_link_that_lets_the_person_choose_a_password_and_sign_in(org):
    user = _invitee(org, language="en", email="ines.martin@bank.test")
    send_invitation(user=user)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert (
        message.subject
        == f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your {settings.RELAIS_BANK_NAME} Relais account"
    )
    assert "Hello Inès" in message.body
    path = _link_path(message)

    client = english_client()
    response = _accept(client, path)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    assert SESSION_KEY not in client.session  # ACCOUNT_LOGIN_ON_PASSWORD_RESET is off: sign in explicitly
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    response = sign_in(client, user, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == HOME_URL


def test_an_invitation_is_written_in_the_persons_preferred_language(org):
    user = _invitee(org, language="fr", email="ines.fr@bank.test")
    send_invitation(user=user)
    message = mail.outbox[0]
    _link_path(message)  # the link is there whatever the language
    if _french_is_compiled():
        with translation.override("fr"):
            subject = translation.gettext(SUBJECT_MSGID) % {"bank_name": settings.RELAIS_BANK_NAME}
        assert message.subject == settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject
        assert "Hello" not in message.body


def test_an_invitation_link_used_once_shows_a_bad_token_page_and_changes_nothing(org):
    user = _invitee(org, language="en", email="once@bank.test")
    send_invitation(user=user)
    path = _link_path(mail.outbox[0])
    client = english_client()
    _accept(client, path)
    user.refresh_from_db()
    password_after_first_use = user.password

    again = english_client()
    response = again.get(path, follow=True)
    assert response.status_code == 200
    assert response.context["token_fail"] is True
    assert "Bad Token" in response.content.decode()
    assert "The password reset link was invalid" in response.content.decode()
    # Nor can the old link be posted to directly.
    again.post(path, {"password1": "Other-password-77", "password2": "Other-password-77"})
    user.refresh_from_db()
    assert user.password == password_after_first_use


def test_an_invitation_link_past_its_validity_shows_a_bad_token_page(org, monkeypatch):
    user = _invitee(org, language="en", email="late@bank.test")
    send_invitation(user=user)
    path = _link_path(mail.outbox[0])
    assert settings.PASSWORD_RESET_TIMEOUT == 72 * 3600
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    client = english_client()
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert response.context["token_fail"] is True
    assert "Bad Token" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_an_invitation_link_just_inside_its_validity_still_works(org, monkeypatch):
    user = _invitee(org, language="en", email="intime@bank.test")
    send_invitation(user=user)
    path = _link_path(mail.outbox[0])
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    response = _accept(english_client(), path)
    assert response["Location"] == reverse("account_reset_password_from_key_done")


def test_a_password_reset_for_a_known_email_sends_a_working_link(make_staff):
    user = make_staff(Role.ADVISER, language="en")
    client = english_client()
    response = client.post(reverse("account_reset_password"), {"email": user.email.upper()})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    path = _link_path(mail.outbox[0], base_url="http://testserver")  # a reset is asked for in a request
    _accept(client, path)
    assert sign_in(english_client(), user, NEW_PASSWORD)["Location"] == HOME_URL


def test_a_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(make_staff):
    known = make_staff(Role.ADVISER, language="en")
    client = english_client()
    for_known = client.post(reverse("account_reset_password"), {"email": known.email})
    mail.outbox.clear()
    for_unknown = english_client().post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    assert for_unknown.status_code == for_known.status_code == 302
    assert for_unknown["Location"] == for_known["Location"]
    assert mail.outbox == []
