"""Every page carries a strict Content-Security-Policy and a Permissions-Policy; every signed-in page is
``Cache-Control: no-store``; no template holds an inline script, style or event handler the policy refuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from advocacy.org.models import Role
from compliance.archive.models import ArchiveExport

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def _assert_strict_policy(response):
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"][0] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_a_signed_in_page_is_never_stored_and_carries_the_policies(client_for, make_staff):
    response = client_for(make_staff(Role.ADVISER)).get(reverse("portal:home"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    _assert_strict_policy(response)
    permissions = response["Permissions-Policy"]
    assert "camera=()" in permissions and "geolocation=()" in permissions
    assert "publickey-credentials" not in permissions  # WebAuthn keeps working


def test_an_htmx_partial_for_a_signed_in_person_is_not_stored_either(client_for, make_staff):
    officer = make_staff(Role.COMPLIANCE)
    export = ArchiveExport.objects.create(date_from="2026-01-01", date_to="2026-01-31", status="running")
    url = reverse("archive:export_status", args=[export.pk])
    response = client_for(officer).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "hx-get" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_public_sign_in_page_carries_the_policy(db):
    response = Client().get(reverse("account_login"))
    assert response.status_code == 200
    _assert_strict_policy(response)
    assert "Permissions-Policy" in response


def test_the_x_connection_and_corporate_sign_in_may_redirect_a_form_to_their_sign_in_page():
    from django.conf import settings

    assert "https://x.com" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]


def test_the_tracked_link_keeps_its_own_cache_header(client_for, make_staff):
    response = client_for(make_staff(Role.ADVISER)).get("/l/not-a-real-code")
    assert response.status_code == 404
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_the_page_asks_htmx_not_to_insert_its_indicator_style(db):
    page = Client().get(reverse("account_login")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in page
    assert ".htmx-indicator" in (ROOT / "static" / "css" / "relais.css").read_text()


INLINE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_holds_what_the_policy_refuses():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text()
        for what, pattern in INLINE.items():
            for match in pattern.finditer(source):
                line = source.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)
