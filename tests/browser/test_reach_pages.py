"""HR's recruitment reach looked at in Chromium: the offers list and one offer's report (as HR, and as a
branch manager who sees their scope's totals), 1280 and 390 px wide, in French and in English, with figures
from the real flow (tests/reach: sandbox followers read by the capture, shares, /l/ clicks, the ATS CSV).
The funnel and daily charts draw under the portal's Content-Security-Policy, their tables stay, nothing
scrolls sideways and axe-core finds no serious or critical WCAG 2.1 AA problem. Screenshots land in
``RELAIS_SCREENSHOTS`` (or a temporary folder whose path the test prints)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.browser.test_dashboards_pages import _signed_in_context
from tests.browser.test_every_page import AXE, _look
from tests.publishing.conftest import _empty_click_buffer, connect, make_item, sandbox  # noqa: F401 - fixtures
from tests.reach.test_reach import _settings, job_offer, relayed  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reach_pages_fit_a_phone_and_a_desktop_in_both_languages(
    browser, live_server, relayed, hr, branch_manager, client_for  # noqa: F811
):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    folder = Path(os.environ.get("RELAIS_SCREENSHOTS") or tempfile.mkdtemp(prefix="relais-reach-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the reach pages: {folder}")
    offer = relayed["offer"]
    pages = [
        (hr, "reach-offers", "/reach/", 0),
        (hr, "reach-offer-hr", f"/reach/{offer.pk}/", 2),
        (branch_manager, "reach-offer-manager", f"/reach/{offer.pk}/", 2),
    ]
    problems = []
    for user, name, path, charts in pages:
        client = client_for(user)
        for language in ("fr", "en"):
            user.staff.language = language
            user.staff.save(update_fields=["language"])
            context = _signed_in_context(
                browser, live_server, client, width=1280, language=language, bypass_csp=False
            )
            page = context.new_page()
            errors = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            drawn = page.locator(".chart-canvas:not([hidden]) canvas").count()
            if drawn != charts or page.locator("table").count() < charts:
                problems.append(f"{name}-{language}: {drawn} charts drawn, expected {charts}")
            if page.locator("html").get_attribute("lang") != language:
                problems.append(f"{name}-{language}: page not in {language}")
            problems += [f"{name}-{language}: console error {e}" for e in errors]
            context.close()
            for width in (1280, 390):  # bypass_csp only so that axe-core (the test's script) can be injected
                context = _signed_in_context(
                    browser, live_server, client, width=width, language=language, bypass_csp=True
                )
                problems += _look(
                    context.new_page(),
                    live_server.url + path,
                    name=f"{name}-{language}-{width}",
                    shots=folder,
                    axe=str(AXE),
                )
                context.close()
    assert not problems, "\n".join(problems)
