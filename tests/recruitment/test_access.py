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


def test_the_webhook_paths_and_only_they_go_to_the_lean_handler(monkeypatch):
    from django.urls import Resolver404, resolve

    from advocacy import wsgi
    from advocacy.recruitment import views

    served = []
    monkeypatch.setattr(wsgi, "links", lambda environ, start_response: served.append(("lean", environ)))
    monkeypatch.setattr(wsgi, "portal", lambda environ, start_response: served.append(("portal", environ)))
    paths = [
        "/recruitment/ats/greenhouse/webhook/",
        "/recruitment/ats/lever-eu_2/webhook/",
        "/recruitment/ats/greenhouse/webhook",
        "/recruitment/ats/a/b/webhook/",
        "/recruitment/ats/greenhouse/webhook/x",
        "/recruitment/applications/upload/",
    ]
    for path in paths:
        wsgi.application({"PATH_INFO": path}, None)
    lean = [environ["PATH_INFO"] for handler, environ in served if handler == "lean"]

    def is_the_webhook(path):
        try:
            return resolve(path).func is views.ats_webhook
        except Resolver404:
            return False

    assert lean == [p for p in paths if is_the_webhook(p)] == paths[:2]


def test_a_delivery_through_the_real_wsgi_application_is_stored(
    make_profile, make_offer, keep_test_connection
):
    import io
    import sys

    from advocacy.recruitment import formats
    from advocacy.recruitment.models import ApplicationDelivery
    from advocacy.wsgi import application
    from tests.recruitment import payloads
    from tests.recruitment.conftest import SECRET

    make_offer()
    make_profile("greenhouse")
    body = payloads.greenhouse()
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/recruitment/ats/greenhouse/webhook/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
        "HTTP_SIGNATURE": formats.sign("greenhouse", secret=SECRET, body=body)["Signature"],
    }  # fmt: skip
    status, headers = [], []
    b"".join(application(environ, lambda s, h, exc_info=None: (status.append(s), headers.extend(h))))
    assert status == ["202 Accepted"]
    assert "Set-Cookie" not in dict(headers)  # no session on the lean handler
    assert ApplicationDelivery.objects.count() == 1


def test_the_import_page_costs_the_same_queries_for_one_or_many_ats_profiles(hr, client_for, make_profile):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(hr)
    make_profile("greenhouse")
    client.get(UPLOAD)  # the session and the menu, once
    with CaptureQueriesContext(connection) as one:
        assert client.get(UPLOAD).status_code == 200
    for vendor in ("lever", "workday", "teamtailor", "generic"):
        make_profile(vendor)
    with CaptureQueriesContext(connection) as five:
        page = client.get(UPLOAD).content.decode()
    assert len(five) == len(one) <= 8
    select = page[page.index('name="profile"') : page.index("</select>", page.index('name="profile"'))]
    assert select.count("<option") == 5
