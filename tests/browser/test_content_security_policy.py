"""In a real browser, the portal's pages run under its Content-Security-Policy without a single violation:
htmx (vendored) loads, polls and swaps, and nothing inline is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.org.models import Role
from compliance.archive.models import ArchiveExport
from tests.browser.test_sign_in_and_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def violations(page):
    """Console messages about the policy, and the ``securitypolicyviolation`` events of every page."""
    console: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    page.add_init_script(WATCH)

    def seen() -> list[str]:
        return console + page.evaluate("window.__cspViolations || []")

    return seen


def _polls(export):
    path = f"/exports/{export.pk}/"
    return lambda response: path in response.url and response.request.headers.get("hx-request")


def test_signed_in_pages_with_htmx_report_no_csp_violation(
    page, live_server, personas, violations, screenshot
):
    page.goto(f"{live_server.url}/accounts/login/")
    assert violations() == []

    officer = personas[Role.COMPLIANCE]
    sign_in(page, live_server, officer)
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert violations() == []

    export = ArchiveExport.objects.create(
        date_from="2026-01-01", date_to="2026-01-31", status="running",
        requested_by_id=officer.pk, requested_by_email=officer.email,
    )
    with page.expect_response(_polls(export)):
        page.goto(live_server.url + reverse("archive:export_status", args=[export.pk]))  # htmx polls it
    ArchiveExport.objects.filter(pk=export.pk).update(status="done", written=3, total=3)
    page.locator("#export-status:not([hx-get])").wait_for(timeout=10_000)  # swapped in: no longer polling
    screenshot("csp-export-status-fr")
    assert violations() == []
