"""Recruitment's routes, every role: HR and administrators import applications; the webhook is public
(its signature is the authentication) and answers only POST; HR still never reaches the clients."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from advocacy.org.models import Role

pytestmark = pytest.mark.django_db

UPLOAD = "/recruitment/applications/upload/"
ALLOWED = {Role.HR, Role.ADMIN}


def test_only_hr_and_administrators_reach_the_application_import(personas, client_for):
    assert reverse("recruitment:upload") == UPLOAD
    response = Client().get(UPLOAD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for role, person in personas.items():
        expected = 200 if role in ALLOWED else 403
        assert client_for(person).get(UPLOAD).status_code == expected, role


def test_the_webhook_answers_post_only_and_needs_no_sign_in(personas, client_for, make_profile):
    make_profile("greenhouse")
    url = reverse("recruitment:ats_webhook", kwargs={"slug": "greenhouse"})
    for client in [Client(), *(client_for(person) for person in personas.values())]:
        assert client.get(url).status_code == 405
        assert client.post(url, b"{}", content_type="application/json").status_code == 401  # unsigned


def test_hr_never_reaches_the_clients(hr, client_for):
    for url in (reverse("clients:scope"), reverse("clients:imports")):
        assert client_for(hr).get(url).status_code == 403
