"""Sign-in tests drive django-allauth's real views; these helpers only save typing.

allauth keeps its rate-limit counters and the "TOTP code already used" markers in the cache: each test
starts with an empty one, or a test's failed logins would lock the next test's persona out.
"""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, clear_of_totp_period_end

LOGIN_URL = reverse("account_login")
HOME_URL = reverse("portal:home")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def totp_code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (``offset`` periods away), computed as allauth checks it."""
    if offset == 0:
        clear_of_totp_period_end()
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def wrong_code(secret: str) -> str:
    """A six-digit code that is none of those allauth accepts around now."""
    accepted = {totp_code(secret, offset=o) for o in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(1000000)) if c not in accepted)


def english_client() -> Client:
    """A browser that asks for English, so messages can be read in tests (the portal's default is French)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def sign_in(client: Client, user_or_email, password: str = PASSWORD, **extra):
    email = getattr(user_or_email, "email", user_or_email)
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


def is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
